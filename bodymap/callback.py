"""Callback requests: a patient leaves a number, the front desk calls back.

Nothing is lost and nothing is doubled: every form carries a submission key
stored under a unique constraint, so a double click or a retry finds the
request already saved and shows the same confirmation.
"""

from __future__ import annotations

import datetime

import click
import phonenumbers
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bodymap import content, db
from bodymap.forms import CallbackForm
from bodymap.models import CallbackRequest, utcnow
from bodymap.ratelimit import limiter

bp = Blueprint("callback", __name__, cli_group=None)

RETRY_AFTER_SECONDS = 60
SENT_HEADING = "Request sent"
SENT_KEY = "callback_sent"  # the session remembers which request to confirm; the URL never does


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _title(text: str) -> str:
    return f"{text} · {content.get(current_app).clinic.name}"


def _form_page(form: CallbackForm, status: int, message: str | None = None):
    """The form with what was typed, and a message when there is one.

    htmx gets the form alone to swap in place; for a refusal that is not about the
    fields (429, 503) it gets only the message, and the form stays as typed.
    """
    if not _is_htmx():
        template = "callback/new.html"
    elif status in (200, 400, 422):
        template = "callback/_form.html"
    else:
        template = "callback/_alert.html"
    return current_app.make_response(
        (render_template(template, form=form, message=message, title=_title("Request a callback")), status)
    )


def _existing(key: str) -> CallbackRequest | None:
    return db.session().scalar(select(CallbackRequest).where(CallbackRequest.submission_key == key))


def _confirmation_context(callback: CallbackRequest) -> dict:
    """What the confirmation recaps: which number we will call, and about which area."""
    loaded = content.get(current_app)
    region = loaded.region(callback.region or "")
    side = callback.side if region is not None and callback.side in region.sides else None
    return {
        "callback": callback,
        "number": _national(callback.phone, loaded.clinic.country),
        "region": region,
        "area": region.label(side) if region is not None else None,
        "heading": SENT_HEADING,
        "title": _title(SENT_HEADING),
    }


def _national(e164: str | None, country: str) -> str | None:
    """The number as the patient would write it at home, or in full when it is from abroad."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:  # stored before numbers were checked: show it as it is
        return e164
    same_country = phonenumbers.region_code_for_number(number) == country
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same_country else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def _confirmation(callback: CallbackRequest):
    """The same confirmation either way: swapped in place for htmx, on its own page after a redirect without it."""
    if _is_htmx():
        return render_template("callback/confirmation.html", **_confirmation_context(callback)), 201
    session[SENT_KEY] = callback.submission_key
    return redirect(url_for("callback.sent"), 303)


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
        db.session().add(callback)
        db.session().commit()
    except IntegrityError:  # the same form sent twice at once: the other one was saved
        db.session().rollback()
        already = _existing(key)
        if already is None:
            raise
        return _confirmation(already)
    except SQLAlchemyError:  # down, locked, or any other failure to store
        db.session().rollback()
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
    response = _form_page(form, 400, message)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(429)
def too_many(error):
    form = CallbackForm()
    message = "We have had many requests from your network. Please call us instead, or try again later."
    response = _form_page(form, 429, message)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.cli.command("purge")
@click.option("--days", type=click.IntRange(min=1), help="Keep this many days instead of RETENTION_DAYS.")
def purge_command(days: int | None) -> None:
    """Delete callback requests older than RETENTION_DAYS (default 90)."""
    days = days or current_app.config["RETENTION_DAYS"]
    with current_app.extensions["bodymap.sessions"]() as db_session, db_session.begin():
        cutoff = utcnow() - datetime.timedelta(days=days)
        result = db_session.execute(delete(CallbackRequest).where(CallbackRequest.created_at < cutoff))
    click.echo(f"Deleted {result.rowcount} callback requests older than {days} days.")


def init_app(app) -> None:
    app.register_blueprint(bp)
