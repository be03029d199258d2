"""The staff pages' frame: titles, the header's count of new requests, safe return links,
and how times and phone numbers read on the page."""

from __future__ import annotations

import datetime

from flask import current_app, url_for
from flask_login import current_user
from sqlalchemy import func, select

from bodymap import content, data
from bodymap.data.models import CALL_OUTCOMES, PREFERRED_TIMES, STATUSES, CallbackRequest, utcnow
from bodymap.staff import bp
from bodymap.web.phones import display_phone


def staff_title(text: str) -> str:
    """'Callback requests · Front desk · {clinic}'."""
    return f"{text} · Front desk · {content.get(current_app).clinic.name}"


def local_page(target: str | None, prefix: str, fallback: str) -> str:
    """`target` when it is a path on this site under `prefix`; `fallback` (an endpoint) for anything else."""
    if target and target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return url_for(fallback)


def new_callback_count() -> int:
    """How many callback requests no one has handled yet."""
    return data.session().scalar(select(func.count()).where(CallbackRequest.status == "new")) or 0


@bp.context_processor
def staff_header():
    """The count of new callback requests for the staff header, and the names staff pages show."""
    names = {"preferred_times": PREFERRED_TIMES, "statuses": STATUSES, "call_outcomes": CALL_OUTCOMES}
    if current_user.is_authenticated:
        return {**names, "new_callbacks": new_callback_count()}
    return names


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


@bp.app_template_filter("phone_display")
def phone_display(e164: str) -> str:
    """A stored number the way the clinic's country writes it."""
    return display_phone(e164, content.get(current_app).clinic.country)
