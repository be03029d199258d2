"""What is kept, and for how long: `flask --app bodymap callbacks purge` (run daily) deletes

- callback requests (with their areas and desk emails) older than RETENTION_DAYS: names, numbers, where it hurt;
- logged calls (with their areas) older than RETENTION_DAYS: where callers hurt and how the call ended;
- the desk's morning summaries and other emails about no request, once sent or skipped and older than
  RETENTION_DAYS (a request's own emails go with the request);
- staff sign-ins that have ended (idle or past their absolute limit): nothing can use them any more;
- audit rows older than AUDIT_RETENTION_DAYS (2190, six years: HIPAA keeps such documentation that long). On
  PostgreSQL the table's trigger refuses every DELETE but the purge's: each batch's transaction first says, with
  `set_config('bodymap.audit_purge_before', <cutoff>, true)` (a SET LOCAL, gone at its commit), how old a row must be,
  and the trigger lets through only rows older than that (migration 0011).

Rows go in batches of BATCH, each in a short transaction of its own, so a purge of a million rows never holds a
lock for long and the app keeps answering while it runs.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import delete, or_, select, text
from sqlalchemy.orm import Session

from bodymap import data
from bodymap.data.models import (
    AuditEvent,
    CallbackArea,
    CallbackRequest,
    CallLog,
    CallLogArea,
    Notification,
    StaffSession,
    utcnow,
)

BATCH = 1000


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind one purge deleted."""

    callback_requests: int = 0
    call_logs: int = 0
    emails: int = 0
    staff_sessions: int = 0
    audit_events: int = 0
    batches: int = 0  # transactions that deleted something
    longest_batch_ms: float = 0.0  # the longest of them, from its select to its commit: how long it held its locks

    def __str__(self) -> str:
        return ", ".join(
            [
                counted(self.callback_requests, "callback request", "callback requests"),
                counted(self.call_logs, "logged call", "logged calls"),
                counted(self.emails, "desk email about no request", "desk emails about no request"),
                counted(self.staff_sessions, "ended staff sign-in", "ended staff sign-ins"),
                counted(self.audit_events, "audit row", "audit rows"),
            ]
        )


def counted(number: int, one: str, many: str) -> str:
    """'1 audit row', '3 audit rows': how the commands say a count."""
    return f"{number} {one if number == 1 else many}"


def _in_batches(
    app: Flask, ids_of: Callable[[Session], list], delete_ids: Callable[[Session, list], None], spans: list[float]
) -> int:
    """Delete what `ids_of` finds, BATCH rows a transaction, until nothing is left; how many went. Each transaction
    that deleted something adds its length in seconds to `spans`."""
    total = 0
    while True:
        started = time.perf_counter()
        with data.new_session(app) as db_session, db_session.begin():
            ids = ids_of(db_session)
            if ids:
                delete_ids(db_session, ids)
        if ids:
            spans.append(time.perf_counter() - started)
        total += len(ids)
        if len(ids) < BATCH:
            return total


def purge(
    app: Flask, days: int, idle: datetime.timedelta, absolute: datetime.timedelta, audit_days: int | None = None
) -> Purged:
    """Delete what is past keeping (see the module's docstring); `idle` and `absolute` are the sign-ins' limits,
    `audit_days` the audit trail's (AUDIT_RETENTION_DAYS when None)."""
    now = utcnow()
    cutoff = now - datetime.timedelta(days=days)
    audit_cutoff = now - datetime.timedelta(days=audit_days or app.config["AUDIT_RETENTION_DAYS"])

    def old_requests(db_session: Session) -> list:
        query = select(CallbackRequest.id).where(CallbackRequest.created_at < cutoff).limit(BATCH)
        return list(db_session.scalars(query))

    def delete_requests(db_session: Session, ids: list) -> None:
        # Their areas and emails go first, whatever the database does about foreign keys.
        db_session.execute(delete(CallbackArea).where(CallbackArea.callback_id.in_(ids)))
        db_session.execute(delete(Notification).where(Notification.callback_id.in_(ids)))
        db_session.execute(delete(CallbackRequest).where(CallbackRequest.id.in_(ids)))

    def old_calls(db_session: Session) -> list:
        return list(db_session.scalars(select(CallLog.id).where(CallLog.created_at < cutoff).limit(BATCH)))

    def delete_calls(db_session: Session, ids: list) -> None:
        db_session.execute(delete(CallLogArea).where(CallLogArea.call_id.in_(ids)))
        db_session.execute(delete(CallLog).where(CallLog.id.in_(ids)))

    def old_emails(db_session: Session) -> list:
        query = select(Notification.id).where(
            Notification.callback_id.is_(None),
            Notification.status.in_(("sent", "skipped", "unsure")),
            Notification.created_at < cutoff,
        )
        return list(db_session.scalars(query.limit(BATCH)))

    def delete_emails(db_session: Session, ids: list) -> None:
        db_session.execute(delete(Notification).where(Notification.id.in_(ids)))

    def ended_sessions(db_session: Session) -> list:
        ended = or_(StaffSession.last_seen_at < now - idle, StaffSession.created_at < now - absolute)
        return list(db_session.scalars(select(StaffSession.id).where(ended).limit(BATCH)))

    def delete_sessions(db_session: Session, ids: list) -> None:
        db_session.execute(delete(StaffSession).where(StaffSession.id.in_(ids)))

    def old_audit_rows(db_session: Session) -> list:
        query = select(AuditEvent.id).where(AuditEvent.at < audit_cutoff).order_by(AuditEvent.at).limit(BATCH)
        return list(db_session.scalars(query))

    def delete_audit_rows(db_session: Session, ids: list) -> None:
        if db_session.get_bind().dialect.name == "postgresql":
            allowed = text("SELECT set_config('bodymap.audit_purge_before', :cutoff, true)")
            db_session.execute(allowed, {"cutoff": audit_cutoff.isoformat(sep=" ")})
        db_session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids), AuditEvent.at < audit_cutoff))

    spans: list[float] = []
    return Purged(
        callback_requests=_in_batches(app, old_requests, delete_requests, spans),
        call_logs=_in_batches(app, old_calls, delete_calls, spans),
        emails=_in_batches(app, old_emails, delete_emails, spans),
        staff_sessions=_in_batches(app, ended_sessions, delete_sessions, spans),
        audit_events=_in_batches(app, old_audit_rows, delete_audit_rows, spans),
        batches=len(spans),
        longest_batch_ms=round(max(spans, default=0.0) * 1000, 1),
    )
