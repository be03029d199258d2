"""The worker behind `flask --app bodymap notify run`: adds reminders and summaries as they fall due, sends
what waits in the outbox, and marks what it sent.

When the mail server is down, a notification waits longer after each failed try (30 s, 1 min, 2 min, ...
up to an hour) and nothing is dropped. On PostgreSQL each notification is claimed with
`SELECT ... FOR UPDATE SKIP LOCKED` and marked sent in the same transaction, so any number of workers
send each email once. SQLite has no row locks: run one worker there.
"""

from __future__ import annotations

import contextlib
import datetime
import smtplib
import threading
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bodymap import content, data
from bodymap.data.models import CallbackRequest, Notification, utcnow
from bodymap.notify import messages, reminders
from bodymap.notify.mailer import Mailer
from bodymap.notify.schedule import Schedule

FIRST_RETRY_SECONDS = 30.0
LAST_RETRY_SECONDS = 3600.0
BATCH = 100


def backoff(attempts: int, first: float = FIRST_RETRY_SECONDS, last: float = LAST_RETRY_SECONDS) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from `first`, never more than `last`."""
    return datetime.timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), last))


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

    def send_waiting(self, now: datetime.datetime, limit: int = BATCH) -> Outcome:
        """Send what is due at `now`, one notification per transaction; stop at the first failure to send."""
        outcome = Outcome()
        with contextlib.ExitStack() as connections:
            send = None
            while outcome.sent + outcome.skipped < limit:
                with data.new_session(self.app) as db_session, db_session.begin():
                    row = db_session.scalars(
                        select(Notification)
                        .where(Notification.status == "waiting", Notification.due_at <= now)
                        .order_by(Notification.due_at, Notification.id)
                        .limit(1)
                        .with_for_update(skip_locked=True)
                    ).first()
                    if row is None:
                        break
                    message = self._compose(db_session, row, now)
                    if message is None:
                        row.status, row.sent_at = "skipped", now
                        outcome.skipped += 1
                        continue
                    row.attempts += 1
                    try:
                        if send is None:
                            send = connections.enter_context(self.mailer.connection())
                        send(message)
                    except (smtplib.SMTPException, OSError) as error:
                        row.due_at = now + backoff(row.attempts, self.first_retry)
                        row.last_error = f"{type(error).__name__}: {error}"[:200]
                        outcome.failed += 1
                        self.app.logger.warning(
                            "Could not send notification %s through %s (%s); next try after %s UTC",
                            row.id,
                            self.mailer.server,
                            type(error).__name__,
                            f"{row.due_at:%H:%M:%S}",
                        )
                        break
                    row.status, row.sent_at, row.last_error = "sent", utcnow(), None
                    outcome.sent += 1
        return outcome

    def step(self, now: datetime.datetime | None = None) -> Outcome:
        """One pass: add what fell due, then send what waits."""
        now = now or utcnow()
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
