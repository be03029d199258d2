"""Sign-outs the database could not record: kept in the instance folder until it can.

Signing out deletes the sign-in's row, so a copy of the cookie opens nothing afterwards. When the database does
not answer, the browser is signed out anyway and the sign-in's digest (never the token) goes on a list in the
instance folder (`pending-signouts`, one digest a line). Every process refuses a sign-in on that list, and a thread
tries every few seconds to delete the rows; once the database has recorded them, the list is emptied. So a copy of
the cookie opens nothing, during the outage or after it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from bodymap import data
from bodymap.data.models import StaffSession

FILE = "pending-signouts"
RETRY_SECONDS = 5.0


class PendingSignouts:
    def __init__(self, app: Flask):
        self.app = app
        self.path = Path(app.instance_path) / FILE
        self.lock = threading.Lock()
        self.read_at: tuple[float, int] | None = None  # the file's mtime and size when last read
        self.digests: frozenset[str] = frozenset()
        self.retrying = threading.Event()
        self.stop = threading.Event()
        if self.pending():
            self._start_retrying()

    def pending(self) -> frozenset[str]:
        """The digests waiting to be recorded (read again only when the file changes)."""
        try:
            stat = self.path.stat()
            if self.read_at != (stat.st_mtime, stat.st_size):
                with self.path.open() as file:
                    fcntl.flock(file, fcntl.LOCK_SH)
                    self.digests = frozenset(line.strip() for line in file if line.strip())
                self.read_at = (stat.st_mtime, stat.st_size)
        except FileNotFoundError:  # none waiting, or the last ones recorded a moment ago
            self.digests, self.read_at = frozenset(), None
        return self.digests

    def add(self, digest: str) -> None:
        """Keep a sign-out for later, and start trying to record it."""
        with self.lock, self._locked("a") as file:
            file.write(digest + "\n")
            file.flush()
            os.fsync(file.fileno())
        self._start_retrying()

    @contextlib.contextmanager
    def _locked(self, mode: str):
        """The list, open in `mode` and locked against every other process. A process that removes the emptied
        list does so holding the lock, so one that was waiting for it opens the list again rather than writing
        into the removed one."""
        while True:
            file = self.path.open(mode)
            try:
                fcntl.flock(file, fcntl.LOCK_EX)
                try:
                    still_there = os.stat(self.path).st_ino == os.fstat(file.fileno()).st_ino
                except FileNotFoundError:
                    still_there = False
                if still_there:
                    yield file
                    return
            finally:
                file.close()

    def record(self) -> bool:
        """Delete the waiting sign-ins' rows; True once nothing is left waiting."""
        digests = self.pending()
        if not digests:
            return True
        try:
            with data.new_session(self.app) as db_session, db_session.begin():
                db_session.execute(delete(StaffSession).where(StaffSession.id.in_(sorted(digests))))
        except SQLAlchemyError:
            return False
        with self.lock, self._locked("a+") as file:
            file.seek(0)
            left = [line for line in file.read().splitlines() if line.strip() and line.strip() not in digests]
            if left:
                file.truncate(0)
                file.write("".join(line + "\n" for line in left))
            else:
                self.path.unlink()  # while locked: nobody reads an empty list that is still there
        self.app.logger.info("Recorded %d sign-out(s) made while the database was not answering", len(digests))
        return not left

    def _start_retrying(self) -> None:
        with self.lock:
            if self.retrying.is_set():
                return
            self.retrying.set()
        threading.Thread(target=self._retry, name="pending-signouts", daemon=True).start()

    def _retry(self) -> None:
        try:
            while not self.stop.is_set() and not self.record():
                self.stop.wait(RETRY_SECONDS)
        finally:
            self.retrying.clear()


def of(app: Flask) -> PendingSignouts:
    return app.extensions["bodymap.pending_signouts"]


def init_app(app: Flask) -> None:
    app.extensions["bodymap.pending_signouts"] = PendingSignouts(app)
