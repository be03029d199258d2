"""The worker's sign of life: each pass of `notify run` writes the time to its row of `notify_heartbeats`.

The web servers' /metrics reads the newest (`bodymap_notify_heartbeat_age_seconds`), so an operator learns that
the desk's emails have stopped going out even when the worker runs on another machine: the database is the one
place every process of the service shares. Rows of workers gone a day are removed as the workers beat.
"""

from __future__ import annotations

import datetime
import os
import socket

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bodymap.data.models import NotifyHeartbeat

FORGOTTEN_AFTER = datetime.timedelta(days=1)


def worker_name() -> str:
    """This process, as its row names it: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def beat(db_session: Session, worker: str, started_at: datetime.datetime, now: datetime.datetime) -> None:
    """Write `worker`'s heartbeat at `now` (in the caller's transaction), and forget workers silent for a day."""
    row = db_session.get(NotifyHeartbeat, worker)
    if row is None:
        db_session.add(NotifyHeartbeat(worker=worker, started_at=started_at, beat_at=now))
    else:
        row.beat_at = now
    db_session.execute(delete(NotifyHeartbeat).where(NotifyHeartbeat.beat_at < now - FORGOTTEN_AFTER))


def newest(db_session: Session) -> datetime.datetime | None:
    """When the last heartbeat of any worker came (UTC, no zone); None when no worker has beaten for a day."""
    return db_session.scalar(select(func.max(NotifyHeartbeat.beat_at)))
