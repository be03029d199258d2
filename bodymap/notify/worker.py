"""The worker behind `flask --app bodymap notify run`: adds reminders and summaries as they fall due, sends
what waits in the outbox, and marks what it sent.

When the mail server is down, a notification waits longer after each failed try (30 s, 1 min, 2 min, ...
up to an hour) and nothing is dropped.

Each email is sent once, whatever stops a worker, through three committed steps: the worker claims the row
(`claimed`, with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers share the outbox),
tells the mail server who it is from and to, marks the row `sending`, hands the message over (SMTP's DATA), and
marks it `sent`. A row left `claimed` by a worker that stopped never reached the mail server: after STALE it waits
again and is sent. A row left `sending` stopped while the mail server was taking it, in the milliseconds between
the message's last byte and the commit of `sent`: it may have gone, so it is marked `unsure`, never sent again,
and `notify status` and the log say so. SQLite has no row locks: there, `notify run` takes a lock file beside the
database, and a second one refuses to start.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import smtplib
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from sqlalchemy import make_url, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bodymap import content, data
from bodymap.data.models import CallbackRequest, Notification, utcnow
from bodymap.notify import heartbeat, messages, reminders
from bodymap.notify.mailer import Mailer
from bodymap.notify.schedule import Schedule

STALE = datetime.timedelta(minutes=2)  # a claim older than this was left by a worker that stopped
FIRST_RETRY_SECONDS = 30.0
LAST_RETRY_SECONDS = 3600.0
BATCH = 100


def backoff(attempts: int, first: float = FIRST_RETRY_SECONDS, last: float = LAST_RETRY_SECONDS) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from `first`, never more than `last`."""
    return datetime.timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), last))


class AnotherWorker(Exception):
    """A second worker on a SQLite database: the message says why it may not start."""


@contextlib.contextmanager
def only_worker_on_sqlite(app: Flask) -> Iterator[None]:
    """On SQLite, hold a lock file beside the database while sending, so a second worker refuses to start: without
    row locks two workers would both send what waits. Other databases need none (rows are claimed)."""
    url = make_url(app.config["DATABASE_URL"])
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        yield
        return
    lock = Path(f"{database}.notify-lock")
    with lock.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise AnotherWorker(
                f"Another notify worker (pid {holder}) is already sending for the SQLite database {database}. "
                "SQLite has no row locks, so run exactly one `notify run` there; stop the other one first."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Outcome:
    """What one pass of the worker did."""

    sent: int = 0
    skipped: int = 0  # about a request someone had already handled, or deleted
    failed: int = 0
    reminders: int = 0
    summaries: int = 0


class Worker:
    def __init__(self, app: Flask, mailer: Mailer | None = None, first_retry: float = FIRST_RETRY_SECONDS):
        config = app.config
        self.app = app
        self.mailer = mailer or Mailer(config["SMTP_URL"], config["MAIL_FROM"], config["DESK_EMAIL"])
        self.first_retry = first_retry
        clinic = content.get(app).clinic
        self.schedule = Schedule.of(clinic)
        public_url = config["PUBLIC_URL"]
        queue_path = app.url_map.bind("localhost").build("staff.queue")
        host = urllib.parse.urlsplit(public_url).hostname or "localhost"
        self.desk = messages.Desk(clinic.name, self.schedule, public_url + queue_path, host)
        self.reminder_after = datetime.timedelta(minutes=config["REMINDER_AFTER_MINUTES"])
        self.name, self.started_at = heartbeat.worker_name(), utcnow()

    def plan(self, now: datetime.datetime) -> tuple[int, int]:
        """Add the reminders and the summary that are due at `now`; how many of each were added."""
        with data.new_session(self.app) as db_session, db_session.begin():
            added = reminders.add_reminders(db_session, self.schedule, now, self.reminder_after)
            summary = reminders.add_summary(db_session, self.schedule, now)
        return added, int(summary)

    def _compose(self, db_session: Session, row: Notification, now: datetime.datetime) -> EmailMessage | None:
        """The email for a notification (drawn from its templates); None when it no longer needs sending."""
        with self.app.app_context():
            if row.kind == "summary":
                return messages.summary(row, self.desk)
            callback = db_session.get(CallbackRequest, row.callback_id) if row.callback_id else None
            if callback is None or callback.status != "new":
                return None
            compose = messages.new_request if row.kind == "request" else messages.reminder
            return compose(row, callback, self.desk, now)

    def recover(self, now: datetime.datetime) -> int:
        """Rows a stopped worker left behind: claimed ones wait again; ones being handed over are `unsure`."""
        stale = now - STALE
        with data.new_session(self.app) as db_session, db_session.begin():
            db_session.execute(
                update(Notification)
                .where(Notification.status == "claimed", Notification.claimed_at < stale)
                .values(status="waiting", claimed_at=None)
            )
            unsure = db_session.execute(
                update(Notification)
                .where(Notification.status == "sending", Notification.claimed_at < stale)
                .values(status="unsure", last_error="the worker stopped while the mail server was taking it")
            ).rowcount
        if unsure:
            self.app.logger.warning(
                "%s desk email(s) may or may not have gone: a worker stopped while the mail server was taking them. "
                "They are not sent again; `notify status` lists them.",
                unsure,
            )
        return unsure

    def _claim(self, db_session: Session, now: datetime.datetime) -> tuple[Notification, EmailMessage | None] | None:
        """The next due notification, claimed (committed); with its email, or None when it no longer needs one."""
        with db_session.begin():
            row = db_session.scalars(
                select(Notification)
                .where(Notification.status == "waiting", Notification.due_at <= now)
                .order_by(Notification.due_at, Notification.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            message = self._compose(db_session, row, now)
            if message is None:
                row.status, row.sent_at = "skipped", now
            else:
                row.status, row.claimed_at, row.attempts = "claimed", utcnow(), row.attempts + 1
        return row, message

    def _failed(self, db_session: Session, row: Notification, now: datetime.datetime, error: Exception) -> None:
        """The mail server did not take it: it waits again, longer each time."""
        with db_session.begin():
            row.status, row.claimed_at = "waiting", None
            row.due_at = now + backoff(row.attempts, self.first_retry)
            row.last_error = f"{type(error).__name__}: {error}"[:200]
        self.app.logger.warning(
            "Could not send notification %s through %s (%s); next try after %s UTC",
            row.id,
            self.mailer.server,
            type(error).__name__,
            f"{row.due_at:%H:%M:%S}",
        )

    def send_waiting(self, now: datetime.datetime, limit: int = BATCH) -> Outcome:
        """Send what is due at `now`, each in claimed, sending and sent steps; stop at the first failure to send."""
        outcome = Outcome()
        self.recover(now)
        with contextlib.ExitStack() as connections, data.new_session(self.app) as db_session:
            outgoing = None
            while outcome.sent + outcome.skipped < limit:
                claimed = self._claim(db_session, now)
                if claimed is None:
                    break
                row, message = claimed
                if message is None:
                    outcome.skipped += 1
                    continue
                try:
                    if outgoing is None:
                        outgoing = connections.enter_context(self.mailer.connection())
                    prepared = outgoing.envelope(message)
                except (smtplib.SMTPException, OSError) as error:  # nothing reached the mail server
                    self._failed(db_session, row, now, error)
                    outcome.failed += 1
                    break
                with db_session.begin():
                    row.status = "sending"
                try:
                    outgoing.deliver(prepared)
                except smtplib.SMTPException as error:  # the server answered: it did not take the message
                    self._failed(db_session, row, now, error)
                    outcome.failed += 1
                    break
                except OSError as error:  # the connection went while the server answered: it may have taken it
                    with db_session.begin():
                        row.status, row.last_error = "unsure", f"{type(error).__name__}: {error}"[:200]
                    self.app.logger.warning("Notification %s may or may not have gone; it is not sent again", row.id)
                    outcome.failed += 1
                    break
                with db_session.begin():
                    row.status, row.sent_at, row.last_error = "sent", utcnow(), None
                outcome.sent += 1
        return outcome

    def step(self, now: datetime.datetime | None = None) -> Outcome:
        """One pass: add what fell due, then send what waits."""
        now = now or utcnow()
        with data.new_session(self.app) as db_session, db_session.begin():
            heartbeat.beat(db_session, self.name, self.started_at, now)
        added, summaries = self.plan(now)
        outcome = self.send_waiting(now)
        outcome.reminders, outcome.summaries = added, summaries
        return outcome

    def run(self, stop: threading.Event, interval: float) -> None:
        """Pass after pass until `stop` is set; a database that is down is tried again on the next pass."""
        while not stop.is_set():
            try:
                outcome = self.step()
            except SQLAlchemyError as error:
                self.app.logger.warning("The database could not be reached (%s); trying again", type(error).__name__)
            else:
                if outcome.sent or outcome.failed or outcome.skipped:
                    self.app.logger.info(
                        "Sent %s, skipped %s, failed %s", outcome.sent, outcome.skipped, outcome.failed
                    )
            stop.wait(interval)
