"""What the desk's emails say: that a request came in (or still waits), when the patient asked to be called,
and a link to it in the queue. Never the patient's name, number, area or note: an inbox is not the place
for health information, and the queue is behind a sign-in.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import render_template

from bodymap.data.models import PREFERRED_TIMES, CallbackRequest, Notification
from bodymap.notify.schedule import Schedule, day_and_clock

PRIVACY_LINE = "This email leaves out the patient's details on purpose. Sign in to the queue to see them."


@dataclass(frozen=True)
class Desk:
    """What every email needs to know about the clinic and the site."""

    clinic_name: str
    schedule: Schedule
    queue_url: str  # PUBLIC_URL and the queue's path
    host: str  # PUBLIC_URL's host, for Message-IDs


def _message(notification: Notification | None, desk: Desk, subject: str, lines: list[str], link: tuple[str, str]):
    """A plain-text email with a simple HTML twin (templates/email/, escaped by Jinja): paragraphs, then one link."""
    text, url = link
    parts = {"lines": lines, "link_text": text, "url": url, "privacy": PRIVACY_LINE}
    message = EmailMessage()
    message["Subject"] = f"{subject} · {desk.clinic_name}"
    if notification is None:
        message["Message-ID"] = make_msgid(domain=desk.host)
    else:  # the same id if a crash makes a worker send it again, so mail programs can fold the two
        message["Message-ID"] = f"<notification-{notification.id}.{notification.created_at:%Y%m%d%H%M%S}@{desk.host}>"
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    message.set_content(render_template("email/_message.txt", **parts))
    message.add_alternative(render_template("email/_message.html", **parts), subtype="html")
    return message


def _when(callback: CallbackRequest, desk: Desk, now: datetime.datetime) -> list[str]:
    """When to call and when it came in, in the clinic's time."""
    schedule = desk.schedule
    today = schedule.local(now).date()
    deadline = schedule.deadline(callback.created_at, callback.preferred_time)
    received = schedule.local(callback.created_at)
    zone = deadline.local.tzname()
    return [
        f"When to call: {PREFERRED_TIMES[callback.preferred_time].lower()}, "
        f"by {day_and_clock(deadline.local, today)} ({zone}).",
        f"It came in {day_and_clock(received, today)} ({zone}).",
    ]


def _link(callback: CallbackRequest, desk: Desk) -> tuple[str, str]:
    return "Open it in the queue", f"{desk.queue_url}#callback-{callback.id}"


def new_request(notification: Notification, callback: CallbackRequest, desk: Desk, now: datetime.datetime):
    """The email that says a request came in."""
    lines = ["A patient asked the front desk to call them back.", *_when(callback, desk, now)]
    return _message(notification, desk, "New callback request", lines, _link(callback, desk))


def reminder(notification: Notification, callback: CallbackRequest, desk: Desk, now: datetime.datetime):
    """The one reminder for a request no one has marked contacted."""
    minutes = json.loads(notification.payload or "{}").get("after_minutes", 0)
    waited = f"{minutes // 60} hours" if minutes % 60 == 0 and minutes >= 120 else f"{minutes} minutes"
    lines = [
        f"A callback request has waited more than {waited} of opening time, and no one has marked it contacted.",
        *_when(callback, desk, now),
    ]
    return _message(notification, desk, "Reminder: a callback request is waiting", lines, _link(callback, desk))


def summary(notification: Notification, desk: Desk):
    """The morning's count of requests that wait, by when the patient asked to be called."""
    payload = json.loads(notification.payload or "{}")
    waiting: dict[str, int] = payload.get("waiting", {})
    total = sum(waiting.values())
    if total == 0:
        lines = ["No callback requests are waiting this morning."]
        subject = "No callback requests waiting"
    else:
        counts = [f"{PREFERRED_TIMES[time]}: {waiting[time]}" for time in PREFERRED_TIMES if waiting.get(time)]
        overdue = payload.get("overdue", 0)
        lines = [
            f"{total} callback request{'' if total == 1 else 's'} {'is' if total == 1 else 'are'} waiting.",
            "When the patients asked to be called: " + "; ".join(counts) + ".",
        ]
        if overdue:
            lines.append(f"{overdue} of them {'is' if overdue == 1 else 'are'} overdue: call those first.")
        subject = f"{total} callback request{'' if total == 1 else 's'} waiting"
    return _message(notification, desk, subject, lines, ("Open the queue", f"{desk.queue_url}?status=new"))


def test(desk: Desk):
    """The email `notify test` sends, to check the mail settings."""
    lines = ["This is a test from the callback queue. The mail settings work: new requests will be emailed here."]
    return _message(None, desk, "Test email", lines, ("Open the queue", desk.queue_url))
