"""Callback requests: a patient leaves a number, the front desk calls back.

Nothing is lost and nothing is doubled: every form carries a submission key
stored under a unique constraint, so a double click or a retry finds the
request already saved and shows the same confirmation.

Nothing lingers on a shared device: the confirmation page shows the patient's
details once, and a reload shows it without them; a submission key sent with
someone else's name and number gets a confirmation without the saved details.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.datastructures import MultiDict

from bodymap import content, data
from bodymap.areas.area import MAX_AREAS, area_from, combined_flags, known_areas
from bodymap.areas.forms import set_region_choices
from bodymap.callback import bp
from bodymap.callback.form import REGION_BLANK, CallbackForm, edit_action, edited, with_areas
from bodymap.data import consent
from bodymap.data.models import CallbackArea, CallbackRequest, utcnow
from bodymap.extensions import csrf
from bodymap.notify import outbox
from bodymap.web import languages, rate_limits
from bodymap.web.errors import RETRY_AFTER_SECONDS, log_database_error, log_refused_form, wait_in_words
from bodymap.web.formatting import display_phone
from bodymap.web.forms import posted_form
from bodymap.web.regions import page_args
from bodymap.web.rendering import fragment_or_redirect, is_htmx, page_or_fragment
from bodymap.web.titles import titled

SENT_HEADING = lazy_gettext("Request sent")
SENT_KEY = "callback_sent"  # the session remembers which request to confirm, once; the URL never does
SENT_SHOWN = "callback_sent_shown"  # a reload of the confirmation: shown again, without the details


def _form_page(form: CallbackForm, status: int, message: str | None = None):
    """The form with what was typed, and a message when there is one.

    htmx gets the form alone to swap in place; for a refusal that is not about the
    fields (429, 503) it gets only the message, and the form stays as typed.
    """
    fragment = "callback/_form.html" if status in (200, 400, 422) else "callback/_alert.html"
    areas = form.listed_areas
    return page_or_fragment(
        "callback/new.html",
        fragment,
        status=status,
        form=form,
        message=message,
        areas=areas,
        emergency=combined_flags(areas).emergency,
        can_add=len(form.areas) < MAX_AREAS,
        max_areas=MAX_AREAS,
        title=titled(_("Request a callback")),
    )


def _existing(key: str) -> CallbackRequest | None:
    return data.request_session().scalar(select(CallbackRequest).where(CallbackRequest.submission_key == key))


def _confirmation_context(callback: CallbackRequest | None) -> dict:
    """What the confirmation recaps: which number we will call, and about which area (nothing for None)."""
    if callback is None:
        return {"callback": None, "number": None, "areas": [], "emergency": [], "urgent": []}
    loaded = content.get(current_app)
    areas = known_areas(loaded, callback.areas)  # a region since taken out of the content is left out
    flags = combined_flags(areas)
    return {
        "callback": callback,
        "number": display_phone(callback.phone, loaded.clinic.country),
        "areas": areas,
        "emergency": flags.emergency,
        "urgent": flags.urgent,
    }


def _confirmation(callback: CallbackRequest | None):
    """The same confirmation either way: swapped in place for htmx, on its own page after a redirect without it.

    None confirms that the request is saved without repeating what it says.
    """
    if not is_htmx():
        session.pop(SENT_KEY, None)
        if callback is not None:
            session[SENT_KEY] = callback.submission_key
        else:
            session[SENT_SHOWN] = True

    def confirmation() -> str:
        context = _confirmation_context(callback) | {"heading": SENT_HEADING, "title": titled(SENT_HEADING)}
        return render_template("callback/confirmation.html", **context)

    return fragment_or_redirect(confirmation, url_for("callback.sent"), status=201)


@languages.get(bp, "/callback")
def new():
    """The form, with the one area a panel's "Request a callback" link names (`?region=knee&side=left`)."""
    area = area_from(content.get(current_app), request.args.get("region", ""), request.args.get("side"))
    if area is None:
        return _form_page(CallbackForm(formdata=None), 200)
    page_args().update({"region": area.region.slug, **({"side": area.side} if area.side else {})})
    return _form_page(CallbackForm(formdata=with_areas(None, [area])), 200)


# Exempt from CSRF: it stores nothing and changes nothing, it only draws the form with the areas posted from the
# patient's pain list (a list that lives in the patient's browser, on pages everyone shares, which carry no token).
# The form it draws carries a fresh token, and sending that form is checked as always.
@languages.post(bp, "/callback/from-list", twin="new")
@csrf.exempt
def from_list():
    """The form prefilled with the areas of the patient's pain list: bad ones dropped, no errors shown."""
    posted = posted_form()
    areas_only = MultiDict([(key, value) for key, value in posted.items(multi=True) if key.startswith("areas-")])
    listed = CallbackForm(formdata=areas_only).listed_areas  # each area once, cleaned: bad ones left out
    return _form_page(CallbackForm(formdata=with_areas(None, listed)), 200)


# Per address: requests that reached the desk, and every attempt to send (typos included). Adding or removing an
# area redraws the form and counts for neither.
SENT_LIMIT = "5 per hour"
ATTEMPT_LIMIT = "30 per hour"


def _edit(action: str):
    """The form redrawn with an area added or removed, as typed, with no errors shown; nothing is stored."""
    formdata = edited(posted_form(), action)
    form = CallbackForm(formdata=formdata)
    if action == "add-area" and len(form.areas) < MAX_AREAS:
        form.areas.append_entry()
        form.focus = form.areas[-1].form.region.id
    elif action.startswith("remove-"):
        form.focus = "areas-heading"
    set_region_choices(form.areas, REGION_BLANK)
    return _form_page(form, 200)


@languages.post(bp, "/callback", twin="new")
def create():
    action = edit_action(posted_form())
    if action is not None:
        return _edit(action)
    limits, address = rate_limits.current(), request.remote_addr or "-"
    attempt = limits.take(ATTEMPT_LIMIT, "callback-attempt", address)
    if not attempt:
        return _too_many(attempt.wait)
    # A place among the requests that reach the desk is taken first, atomically, and given back unless this one is
    # stored (or confirmed again): sixteen sent at once against a limit of five store five.
    sent = limits.take(SENT_LIMIT, "callback-sent", address)
    if not sent:
        return _too_many(sent.wait)
    response = _store()
    if response.status_code not in (201, 303):
        sent.give_back()
    return response


def _store():
    """Validate the form and store the request with its desk email; the answer a patient sees."""
    form = CallbackForm(formdata=posted_form())
    if not form.validate():
        return _form_page(form, 422)
    key = form.submission_key.data
    try:
        # A key sent before (a double click, a retry) is found by its unique constraint, as the insert below fails;
        # the first sending, by far the most common, asks nothing before it inserts.
        if form.is_bot:  # look like success, keep nothing
            return _confirmation(CallbackRequest(submission_key=key, name=form.name.data, preferred_time="any"))
        callback = CallbackRequest(
            submission_key=key,
            name=form.name.data,
            phone=form.phone_e164,
            preferred_time=form.preferred_time.data,
            note=form.note.data or "",
            language=languages.current(),  # /callback is "en", /es/callback "es"
        )
        callback.areas = [
            CallbackArea(
                position=position,
                region=area.region.slug,
                side=area.side,
                pain=area.pain,
                feelings=",".join(area.feelings),
                duration=area.duration,
            )
            for position, area in enumerate(form.listed_areas)
        ]
        # The words of the box the patient ticked, as this page showed them, kept with the request.
        consent.record(data.request_session(), callback, str(form.consent.label.text), callback.language, utcnow())
        data.request_session().add(callback)
        outbox.queue_new_request(data.request_session(), callback)  # the desk's email, committed with it
        data.request_session().commit()
    except IntegrityError:  # the same form sent again, or twice at once: the other one was saved
        data.request_session().rollback()
        try:
            already = _existing(key)
        except SQLAlchemyError as error:
            data.request_session().rollback()
            log_database_error(error)
            return _unavailable(form)
        if already is None:
            raise
        return _confirmation(already if _sent_by(already, form) else None)
    except SQLAlchemyError as error:  # down, locked, or any other failure to store
        data.request_session().rollback()
        log_database_error(error)  # one line, no form data
        return _unavailable(form)
    return _confirmation(callback)


def _sent_by(callback: CallbackRequest, form: CallbackForm) -> bool:
    """The same name and number again: the sender already knows what the request says (a retry or a double
    click). Anyone else holding the key learns only that a request was saved."""
    return callback.name == form.name.data and callback.phone == form.phone_e164


def _unavailable(form: CallbackForm):
    message = _("We could not save your request just now. What you typed is still here. Please try again in a minute.")
    response = _form_page(form, 503, message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@languages.get(bp, "/callback/sent")
def sent():
    """The confirmation after a post without JavaScript: with the details once, without them on a reload."""
    key = session.pop(SENT_KEY, None)
    callback = _existing(key) if isinstance(key, str) else None
    if callback is None and not key and not session.get(SENT_SHOWN):
        return redirect(url_for("callback.new"), 303)
    session[SENT_SHOWN] = True
    context = _confirmation_context(callback)
    return render_template("callback/sent.html", **context, heading=SENT_HEADING, title=titled(SENT_HEADING))


@bp.after_request
def never_store(response):
    """The form carries a CSRF token and what a patient typed: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def csrf_expired(error: CSRFError):
    """An old or missing token: show the form again, as typed, with a fresh token."""
    log_refused_form(error)
    form = CallbackForm(formdata=posted_form())
    message = _("This form was open for a long time, so we could not send it. Please check it and send it again.")
    return _form_page(form, 400, message)


def _too_many(wait: int):
    """Over the limit: the form as typed, the phone number, and how long to wait."""
    form = CallbackForm(formdata=posted_form())
    message = _(
        "We have had many requests from your network. Please call us instead, or try again in %(wait)s.",
        wait=wait_in_words(wait),
    )
    response = _form_page(form, 429, message)
    response.headers["Retry-After"] = str(wait)
    return response
