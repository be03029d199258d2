"""Callback requests: a patient leaves a number, the front desk calls back.

Nothing is lost and nothing is doubled: every form carries a submission key
stored under a unique constraint, so a double click or a retry finds the
request already saved and shows the same confirmation.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bodymap import content, data
from bodymap.callback import bp
from bodymap.callback.form import CallbackForm
from bodymap.data.models import CallbackRequest
from bodymap.extensions import limiter
from bodymap.web.phones import display_phone
from bodymap.web.rendering import fragment_or_redirect, is_htmx, page_or_fragment
from bodymap.web.titles import titled

RETRY_AFTER_SECONDS = 60
SENT_HEADING = "Request sent"
SENT_KEY = "callback_sent"  # the session remembers which request to confirm; the URL never does


def _form_page(form: CallbackForm, status: int, message: str | None = None):
    """The form with what was typed, and a message when there is one.

    htmx gets the form alone to swap in place; for a refusal that is not about the
    fields (429, 503) it gets only the message, and the form stays as typed.
    """
    fragment = "callback/_form.html" if status in (200, 400, 422) else "callback/_alert.html"
    return page_or_fragment(
        "callback/new.html", fragment, status=status, form=form, message=message, title=titled("Request a callback")
    )


def _existing(key: str) -> CallbackRequest | None:
    return data.session().scalar(select(CallbackRequest).where(CallbackRequest.submission_key == key))


def _confirmation_context(callback: CallbackRequest) -> dict:
    """What the confirmation recaps: which number we will call, and about which area."""
    loaded = content.get(current_app)
    region = loaded.region(callback.region or "")
    side = callback.side if region is not None and callback.side in region.sides else None
    return {
        "callback": callback,
        "number": display_phone(callback.phone, loaded.clinic.country),
        "region": region,
        "area": region.label(side) if region is not None else None,
        "heading": SENT_HEADING,
        "title": titled(SENT_HEADING),
    }


def _confirmation(callback: CallbackRequest):
    """The same confirmation either way: swapped in place for htmx, on its own page after a redirect without it."""
    if not is_htmx():
        session[SENT_KEY] = callback.submission_key

    def confirmation() -> str:
        return render_template("callback/confirmation.html", **_confirmation_context(callback))

    return fragment_or_redirect(confirmation, url_for("callback.sent"), status=201)


@bp.get("/callback")
def new():
    form = CallbackForm(formdata=None)
    region = content.get(current_app).region(request.args.get("region", ""))
    if region is not None:
        form.region.data = region.slug
        if request.args.get("side") in region.sides:
            form.side.data = request.args["side"]
    return _form_page(form, 200)


def _successful(response) -> bool:
    return response.status_code in (201, 303)


@bp.post("/callback")
@limiter.limit("5 per hour", deduct_when=_successful)  # requests that reached the desk
@limiter.limit("30 per hour")  # every attempt, typos included
def create():
    form = CallbackForm()
    if not form.validate():
        return _form_page(form, 422)
    key = form.submission_key.data
    try:
        already = _existing(key)
        if already is not None:
            return _confirmation(already)
        if form.is_bot:  # look like success, keep nothing
            return _confirmation(CallbackRequest(submission_key=key, name=form.name.data, preferred_time="any"))
        callback = CallbackRequest(
            submission_key=key,
            name=form.name.data,
            phone=form.phone_e164,
            preferred_time=form.preferred_time.data,
            region=form.region.data or None,
            side=form.side.data or None,
            pain=int(form.pain.data) if form.pain.data else None,
            note=form.note.data or "",
        )
        data.session().add(callback)
        data.session().commit()
    except IntegrityError:  # the same form sent twice at once: the other one was saved
        data.session().rollback()
        already = _existing(key)
        if already is None:
            raise
        return _confirmation(already)
    except SQLAlchemyError:  # down, locked, or any other failure to store
        data.session().rollback()
        current_app.logger.exception("Could not save a callback request")  # no form data in the log
        return _unavailable(form)
    return _confirmation(callback)


def _unavailable(form: CallbackForm):
    message = "We could not save your request just now. What you typed is still here. Please try again in a minute."
    response = _form_page(form, 503, message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/callback/sent")
def sent():
    key = session.get(SENT_KEY)
    callback = _existing(key) if key else None
    if callback is None:
        return redirect(url_for("callback.new"), 303)
    return render_template("callback/sent.html", **_confirmation_context(callback))


@bp.after_request
def never_store(response):
    """The form carries a CSRF token and what a patient typed: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def csrf_expired(error: CSRFError):
    """An old or missing token: show the form again, as typed, with a fresh token."""
    form = CallbackForm()
    message = "This form was open for a long time, so we could not send it. Please check it and send it again."
    return _form_page(form, 400, message)


@bp.errorhandler(429)
def too_many(error):
    form = CallbackForm()
    message = "We have had many requests from your network. Please call us instead, or try again later."
    return _form_page(form, 429, message)
