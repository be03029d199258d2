"""The staff pages' frame: titles, the header's count of new requests, safe return links,
and how times and phone numbers read on the page."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import current_app, g, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bodymap import content, data, roles
from bodymap.content import LANGUAGES
from bodymap.data.models import CALL_OUTCOMES, PREFERRED_TIMES, STATUSES, CallbackRequest, utcnow
from bodymap.staff import bp
from bodymap.web.formatting import display_phone
from bodymap.web.languages import name_of

# The languages a patient can write in, as the front desk reads them: named in English in the filters, and in their
# own words (with lang="...") on a request, which is how the patient will want to be spoken to. Babel names them.
LANGUAGES_IN_ENGLISH = {lang: name_of(lang, "en") for lang in LANGUAGES}
LANGUAGES_IN_THEIR_WORDS = {lang: name_of(lang) for lang in LANGUAGES}


def staff_title(text: str) -> str:
    """'Callback requests · Front desk · {clinic}'."""
    return f"{text} · Front desk · {content.get(current_app).clinic.name}"


# A path and query as a browser sends them: printable ASCII only, so no CR/LF can reach a Location header.
LOCAL_PATH = re.compile(r"[A-Za-z0-9/._~!$&'()*+,;=:@%?-]{1,2000}")


def local_page(target: str | None, prefix: str | tuple[str, ...], fallback: str) -> str:
    """`target` when it is a path on this site under `prefix` (or one of several); `fallback` (an endpoint) for
    anything else."""
    if (
        isinstance(target, str)
        and target.startswith(prefix)
        and LOCAL_PATH.fullmatch(target)
        and "//" not in target
        and "\\" not in target
    ):
        return target
    return url_for(fallback)


def new_callback_count() -> int:
    """How many callback requests no one has handled yet: counted once a request (the tab's title and the header
    both show it)."""
    if "new_callbacks" not in g:
        query = select(func.count()).where(CallbackRequest.status == "new")
        g.new_callbacks = data.request_session().scalar(query) or 0
    return g.new_callbacks


@bp.context_processor
def staff_header():
    """The count of new callback requests for the staff header, and the names staff pages show.

    With the database down the header shows neither (the page saying so must not need the database itself).
    """
    names = {
        "preferred_times": PREFERRED_TIMES,
        "statuses": STATUSES,
        "call_outcomes": CALL_OUTCOMES,
        "language_names": LANGUAGES_IN_THEIR_WORDS,
        "languages_in_english": LANGUAGES_IN_ENGLISH,
        "may": lambda permission: roles.may(current_user, roles.Permission(permission)),
    }
    if g.get("database_unavailable"):
        return {**names, "signed_in": False, "new_callbacks": None}
    try:
        if current_user.is_authenticated:
            count = new_callback_count() if roles.may(current_user, roles.Permission.CALLBACKS) else None
            return {**names, "signed_in": True, "new_callbacks": count}
    except SQLAlchemyError:
        g.database_unavailable = True
    return {**names, "signed_in": False, "new_callbacks": None}


@bp.app_template_filter("ago")
def ago(moment: datetime.datetime) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago' (times are UTC)."""
    seconds = max(0, (utcnow() - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "1 day ago" if days == 1 else f"{days} days ago"


@bp.app_template_filter("clinic_time")
def clinic_time(moment: datetime.datetime, style: str = "short") -> str:
    """A UTC time as the clinic's clock shows it: '2026-12-08 14:05 PST' (short) or 'December 8, 2026, 2:05 PM'."""
    local = moment.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(content.get(current_app).clinic.timezone))
    if style == "long":
        return format_datetime(local, "MMMM d, y, h:mm a", locale="en")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@bp.app_template_filter("day_in_words")
def day_in_words(day: datetime.date) -> str:
    """'December 1, 2026'."""
    return format_date(day, "MMMM d, y", locale="en")


@bp.app_template_filter("phone_display")
def phone_display(e164: str) -> str:
    """A stored number the way the clinic's country writes it."""
    return display_phone(e164, content.get(current_app).clinic.country)
