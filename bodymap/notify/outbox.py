"""The outbox: the desk's emails are rows written in the same transaction as what they are about.

A patient's request only adds a row, so a mail server that is slow or down never slows or fails it;
`worker` sends the rows later. Every row has a unique key ("request:17", "reminder:17",
"summary:2026-12-01"), so two workers deciding at once that a reminder is due add one row, not two.
"""

from __future__ import annotations

import datetime
import json

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bodymap.data.models import CallbackRequest, Notification, utcnow


def queue_new_request(db_session: Session, callback: CallbackRequest) -> Notification:
    """Add the email about a new request to the transaction that stores the request (committed together)."""
    db_session.flush()  # the request's id, which the email links to
    notification = Notification(kind="request", key=f"request:{callback.id}", callback_id=callback.id)
    db_session.add(notification)
    return notification


def add_once(
    db_session: Session,
    kind: str,
    key: str,
    due_at: datetime.datetime | None = None,
    callback_id: int | None = None,
    payload: dict | None = None,
) -> bool:
    """Add a notification unless one with this key exists already; True when this call added it."""
    now = utcnow()
    values = {
        "kind": kind,
        "key": key,
        "callback_id": callback_id,
        "created_at": now,
        "due_at": due_at or now,
        "status": "waiting",
        "attempts": 0,
        "payload": json.dumps(payload or {}, sort_keys=True),
    }
    dialect = db_session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = dialect_insert(Notification).values(**values).on_conflict_do_nothing(index_elements=["key"])
        return db_session.execute(statement.returning(Notification.id)).first() is not None
    try:  # any other database: let the unique key refuse the second one
        with db_session.begin_nested():
            db_session.execute(insert(Notification).values(**values))
    except IntegrityError:
        return False
    return True


def status(db_session: Session) -> dict:
    """How many notifications are waiting, sent and skipped, and the one that has waited longest."""
    counts = dict(db_session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
    oldest = db_session.scalars(
        select(Notification).where(Notification.status == "waiting").order_by(Notification.created_at).limit(1)
    ).first()
    names = ("waiting", "claimed", "sending", "sent", "skipped", "unsure")
    return {"counts": {name: counts.get(name, 0) for name in names}, "oldest": oldest}
