"""One reminder for a request no one has marked contacted, counted in opening hours; one summary each morning;
and the `notify` commands. Times are passed in: no clock is patched."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bodymap.data.models import Notification, utcnow
from bodymap.notify import messages, reminders
from bodymap.notify import outbox as notify_outbox
from bodymap.notify.schedule import Schedule
from tests.helpers import add_rows, callback_request
from tests.mailserver import MailServer

TWO_HOURS = datetime.timedelta(hours=2)
ANYWHERE = Schedule.of(SimpleNamespace(timezone="UTC", hours=()))
# Weekdays 8 to 6 in Chicago; 2026-12-04 is a Friday.
CHICAGO = Schedule.of(
    SimpleNamespace(
        timezone="America/Chicago",
        hours=(SimpleNamespace(weekdays=(0, 1, 2, 3, 4), open=datetime.time(8), close=datetime.time(18)),),
    )
)


def local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A database time for 8 a.m. etc. in Chicago on December `day`, 2026."""
    return CHICAGO.utc(datetime.date(2026, 12, day), datetime.time(hour, minute))


def outbox(app) -> list[Notification]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def plan(app, schedule, now, after=TWO_HOURS) -> int:
    with app.extensions["bodymap.sessions"]() as session, session.begin():
        return reminders.add_reminders(session, schedule, now, after)


def test_a_request_waiting_two_hours_gets_one_reminder(db_app, db_client):
    now = utcnow()
    add_rows(
        db_app,
        callback_request(name="Waiting", created_at=now - datetime.timedelta(hours=2, minutes=1)),
        callback_request(name="Recent", created_at=now - datetime.timedelta(hours=1, minutes=59)),
        callback_request(name="Called", created_at=now - datetime.timedelta(hours=3), status="contacted"),
        callback_request(name="Ancient", created_at=now - datetime.timedelta(days=20)),
    )
    assert plan(db_app, ANYWHERE, now) == 1
    [reminder] = outbox(db_app)
    assert reminder.kind == "reminder" and json.loads(reminder.payload) == {"after_minutes": 120}
    assert plan(db_app, ANYWHERE, now + datetime.timedelta(hours=5)) == 1  # "Recent", now due; "Waiting" not again
    assert len(outbox(db_app)) == 2
    assert plan(db_app, ANYWHERE, now + datetime.timedelta(days=1)) == 0


def test_reminder_time_counts_only_opening_hours(db_app, db_client):
    add_rows(db_app, callback_request(created_at=local(4, 17)))  # Friday, an hour before closing
    assert plan(db_app, CHICAGO, local(5, 12)) == 0  # Saturday: closed, still one hour
    assert plan(db_app, CHICAGO, local(7, 8, 59)) == 0  # Monday, a minute short
    assert plan(db_app, CHICAGO, local(7, 9)) == 1


def test_no_reminders_when_reminder_after_is_zero(db_app, db_client):
    add_rows(db_app, callback_request(created_at=utcnow() - datetime.timedelta(days=1)))
    assert plan(db_app, ANYWHERE, utcnow(), datetime.timedelta(0)) == 0


def test_the_morning_summary_counts_waiting_requests_by_when_to_call_once_a_day(db_app, db_client):
    opening = local(7, 8)
    add_rows(
        db_app,
        callback_request(preferred_time="morning", created_at=local(4, 9)),  # Friday morning: long overdue
        callback_request(preferred_time="morning", created_at=local(4, 17)),
        callback_request(preferred_time="evening", created_at=local(6, 10)),
        callback_request(preferred_time="any", created_at=local(6, 11), status="booked"),
    )
    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        assert not reminders.add_summary(session, CHICAGO, local(7, 7, 59))  # not open yet
        assert reminders.add_summary(session, CHICAGO, opening)
        assert not reminders.add_summary(session, CHICAGO, local(7, 9))  # once a day
    [summary] = outbox(db_app)
    assert summary.key == "summary:2026-12-07"
    payload = json.loads(summary.payload)
    assert payload["waiting"] == {"morning": 2, "afternoon": 0, "evening": 0 + 1, "any": 0}
    assert payload["overdue"] == 1

    desk = messages.Desk("A clinic", CHICAGO, "https://clinic.example/staff/callbacks", "clinic.example")
    with db_app.app_context():  # the emails are drawn from the app's templates
        email = messages.summary(summary, desk)
    text = email.get_body(("plain",)).get_content()
    assert email["Subject"] == "3 callback requests waiting · A clinic"
    assert "When the patients asked to be called: Morning: 2; Evening: 1." in text
    assert "1 of them is overdue: call those first." in text
    assert "https://clinic.example/staff/callbacks?status=new" in text


def test_a_quiet_morning_still_gets_its_summary(app):
    summary = Notification(id=1, created_at=utcnow(), payload=json.dumps({"waiting": {}, "overdue": 0}))
    desk = messages.Desk("A clinic", ANYWHERE, "https://clinic.example/staff/callbacks", "clinic.example")
    with app.app_context():
        email = messages.summary(summary, desk)
    assert email["Subject"] == "No callback requests waiting · A clinic"


# The commands ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


def test_notify_run_once_sends_what_waits_and_status_says_so(db_app, db_client, make_app, mail_server, content):
    app = make_app(
        DATABASE_URL=db_app.config["DATABASE_URL"],
        SMTP_URL=f"smtp://127.0.0.1:{mail_server.port}",
        DESK_EMAIL=("desk@clinic.example",),
        MAIL_FROM="desk@clinic.example",
        PUBLIC_URL="https://clinic.example",
    )
    mail_server.inbox.messages.clear()
    with app.extensions["bodymap.sessions"]() as session, session.begin():  # as the callback view stores one
        callback = callback_request(created_at=utcnow() - datetime.timedelta(hours=3))
        session.add(callback)
        notify_outbox.queue_new_request(session, callback)
    cli = app.test_cli_runner()
    assert cli.invoke(args=["notify", "status"]).output.startswith("1 waiting, 0 sent, 0 skipped.")
    result = cli.invoke(args=["notify", "run", "--once"])
    assert result.exit_code == 0, result.output
    # The request's email, its reminder (three hours waited), and today's summary if the day is under way.
    summary = Schedule.of(content.clinic).summary_due(utcnow()) is not None
    assert result.output.strip() == f"Sent {2 + summary}, skipped 0, failed 0."
    assert len(mail_server.inbox.wait_for(2 + summary)) == 2 + summary
    assert cli.invoke(args=["notify", "status"]).output.startswith(f"0 waiting, {2 + summary} sent, 0 skipped.")
    result = cli.invoke(args=["notify", "test"])
    assert result.exit_code == 0 and "Sent a test email to desk@clinic.example." in result.output
    mail_server.stop()
    try:
        result = cli.invoke(args=["notify", "test"])
        assert result.exit_code == 1 and "Could not send through smtp://127.0.0.1" in result.output
    finally:
        mail_server.start()
    app.extensions["bodymap.engine"].dispose()


def test_notify_run_needs_the_mail_settings(app):
    result = app.test_cli_runner().invoke(args=["notify", "run"])
    assert result.exit_code == 1
    assert "Set SMTP_URL and DESK_EMAIL" in result.output
