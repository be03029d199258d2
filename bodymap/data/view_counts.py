"""How often patients open each region, per day: no address, no cookie, nothing about them.

Counting a view only adds one in memory; a background thread in each process (the flusher)
writes what has gathered every VIEW_COUNT_FLUSH_SECONDS, added to what is stored, so any
number of workers and servers can count at once. A slow, locked or hung database holds up
the flusher alone, never a patient's page: the counts wait in memory (one number per region,
side and day) until it answers. A crash loses at most the last few seconds. With
VIEW_COUNT_FLUSH_SECONDS=0 (tests only) each view is written as it happens, in the request.
"""

from __future__ import annotations

import atexit
import datetime
import os
import threading
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
        self.pending: Counter[tuple[datetime.date, str, str]] = Counter()
        self.flusher_pid: int | None = None  # the process whose flusher runs: a forked worker starts its own
        self.stopped = threading.Event()

    def add(self, region: str, side: str | None = None) -> None:
        """One more view of a region, on a side or none: in memory only (the flusher writes it), unless counts
        are written at once."""
        with self.lock:
            self.pending[(utcnow().date(), region, side or "")] += 1
        if not self.flush_seconds:
            self.flush()
        elif self.flusher_pid != os.getpid():
            self._start_flusher()

    def _start_flusher(self) -> None:
        with self.lock:
            if self.flusher_pid == os.getpid():
                return
            self.flusher_pid = os.getpid()
        threading.Thread(target=self._flush_regularly, name="view-count-flusher", daemon=True).start()

    def _flush_regularly(self) -> None:
        while not self.stopped.wait(self.flush_seconds):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - the flusher must outlive any one failure; the counts are kept
                self.app.logger.exception("The view-count flusher failed; it will try again")

    def flush(self) -> None:
        """Write what has gathered; on a database error keep it for the next try."""
        with self.lock:
            counts, self.pending = self.pending, Counter()
        if not counts:
            return
        try:
            with self.app.extensions["bodymap.sessions"]() as session, session.begin():
                for (day, region, side), views in counts.items():
                    _add_views(session, day, region, side, views)
        except SQLAlchemyError:
            self.app.logger.warning("Could not store %d region view counts; will try again", len(counts))
            with self.lock:
                self.pending.update(counts)


def _add_views(session, day: datetime.date, region: str, side: str, views: int) -> None:
    """Add to the day's count, creating it if this is the day's first view (on any database)."""
    increment = (
        update(RegionView)
        .where(RegionView.day == day, RegionView.region == region, RegionView.side == side)
        .values(views=RegionView.views + views)
        # Nothing in this short session holds the row to bring up to date: the count is added in SQL alone.
        .execution_options(synchronize_session=False)
    )
    if session.execute(increment).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(RegionView(day=day, region=region, side=side, views=views))
    except IntegrityError:  # another process created it a moment ago
        session.execute(increment)


def record(region: str, side: str | None = None) -> None:
    """A patient opened `region`, on `side` or without one (in memory; written by the flusher)."""
    counter: ViewCounter | None = current_app.extensions.get("bodymap.view_counter")
    if counter is not None:
        counter.add(region, side)


def flush(app: Flask) -> None:
    """Write `app`'s gathered counts now (commands, tests, and on exit)."""
    counter: ViewCounter | None = app.extensions.get("bodymap.view_counter")
    if counter is not None:
        counter.flush()


def init_app(app: Flask) -> None:
    if not app.config["VIEW_COUNTING"]:
        return
    counter = ViewCounter(app)
    app.extensions["bodymap.view_counter"] = counter
    atexit.register(counter.flush)
