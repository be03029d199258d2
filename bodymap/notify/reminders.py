"""Reminders and the morning summary, added to the outbox by the worker as they fall due.

A request still "new" after REMINDER_AFTER_MINUTES of opening time (every minute counts when the
content gives no hours) gets one reminder. When the clinic opens each day (08:00 clinic time without
hours), one summary counts the requests that wait, by when the patients asked to be called.
"""

from __future__ import annotations

import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bodymap.data.models import PREFERRED_TIMES, CallbackRequest, Notification
from bodymap.notify.outbox import add_once
from bodymap.notify.schedule import Schedule

# Requests older than this get no reminder: turning email on must not remind about every old request at once.
LOOKBACK = datetime.timedelta(days=14)
BATCH = 500


def add_reminders(db_session: Session, schedule: Schedule, now: datetime.datetime, after: datetime.timedelta) -> int:
    """Add one reminder for each new request that has waited `after` of opening time; how many were added."""
    if after <= datetime.timedelta(0):
        return 0
    reminded = exists().where(Notification.callback_id == CallbackRequest.id, Notification.kind == "reminder")
    candidates = db_session.execute(
        select(CallbackRequest.id, CallbackRequest.created_at)
        .where(CallbackRequest.status == "new")
        .where(CallbackRequest.created_at <= now - after)  # opening time never runs faster than the clock
        .where(CallbackRequest.created_at >= now - LOOKBACK)
        .where(~reminded)
        .order_by(CallbackRequest.created_at)
        .limit(BATCH)
    )
    minutes = int(after.total_seconds() // 60)
    added = 0
    for request_id, created_at in candidates:
        if schedule.open_time_between(created_at, now) >= after:
            payload = {"after_minutes": minutes}
            key = f"reminder:{request_id}"
            added += add_once(db_session, "reminder", key, due_at=now, callback_id=request_id, payload=payload)
    return added


def waiting(db_session: Session, schedule: Schedule, now: datetime.datetime) -> dict:
    """How many requests are new, by when the patient asked to be called, and how many of them are overdue."""
    counts = dict.fromkeys(PREFERRED_TIMES, 0)
    overdue = 0
    rows = db_session.execute(
        select(CallbackRequest.created_at, CallbackRequest.preferred_time).where(CallbackRequest.status == "new")
    )
    for created_at, preferred_time in rows:
        counts[preferred_time] = counts.get(preferred_time, 0) + 1
        overdue += schedule.deadline(created_at, preferred_time).overdue(now)
    return {"waiting": counts, "overdue": overdue}


def add_summary(db_session: Session, schedule: Schedule, now: datetime.datetime) -> bool:
    """Add today's summary once the clinic has opened (not after it closes); True when this call added it."""
    day = schedule.summary_due(now)
    if day is None:
        return False
    key = f"summary:{day.isoformat()}"
    if db_session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return False
    payload = {"day": day.isoformat(), **waiting(db_session, schedule, now)}
    return add_once(db_session, "summary", key, due_at=now, payload=payload)
