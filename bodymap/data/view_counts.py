"""How often patients open each region, per day: no address, no cookie, nothing about them.

Counts gather in memory and are written in one go every few seconds, so counting
costs a public panel almost nothing. Each process writes only its own counts
(added to what is stored), so any number of workers and servers can count at once;
a crash loses at most the last few seconds.
"""

from __future__ import annotations

import atexit
import datetime
import threading
import time
from collections import Counter

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bodymap.data.models import RegionView, utcnow


class ViewCounter:
    def __init__(self, app: Flask):
        self.app = app
        self.flush_seconds = app.config["VIEW_COUNT_FLUSH_SECONDS"]
        self.lock = threading.Lock()
        self.pending: Counter[tuple[datetime.date, str]] = Counter()
        self.last_flush = time.monotonic()

    def add(self, region: str) -> None:
        with self.lock:
            self.pending[(utcnow().date(), region)] += 1
            due = time.monotonic() - self.last_flush >= self.flush_seconds
        if due:
            self.flush()

    def flush(self) -> None:
        """Write what has gathered; on a database error keep it for the next try."""
        with self.lock:
            counts, self.pending = self.pending, Counter()
            self.last_flush = time.monotonic()
        if not counts:
            return
        try:
            with self.app.extensions["bodymap.sessions"]() as session, session.begin():
                for (day, region), views in counts.items():
                    _add_views(session, day, region, views)
        except SQLAlchemyError:
            self.app.logger.warning("Could not store %d region view counts; will try again", len(counts))
            with self.lock:
                self.pending.update(counts)


def _add_views(session, day: datetime.date, region: str, views: int) -> None:
    """Add to the day's count, creating it if this is the day's first view (on any database)."""
    increment = (
        update(RegionView)
        .where(RegionView.day == day, RegionView.region == region)
        .values(views=RegionView.views + views)
    )
    if session.execute(increment).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(RegionView(day=day, region=region, views=views))
    except IntegrityError:  # another process created it a moment ago
        session.execute(increment)


def record(region: str) -> None:
    counter: ViewCounter | None = current_app.extensions.get("bodymap.view_counter")
    if counter is not None:
        counter.add(region)


def flush(app: Flask) -> None:
    counter: ViewCounter | None = app.extensions.get("bodymap.view_counter")
    if counter is not None:
        counter.flush()


def init_app(app: Flask) -> None:
    if not app.config["VIEW_COUNTING"]:
        return
    counter = ViewCounter(app)
    app.extensions["bodymap.view_counter"] = counter
    atexit.register(counter.flush)
