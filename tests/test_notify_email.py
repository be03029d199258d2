"""The desk's email for each new request: written with the request, sent by the worker through a real SMTP
server (aiosmtpd on loopback), never twice (claimed, handed over and marked sent in committed steps, whatever stops a
worker; on SQLite a second worker refuses to start), never lost when the mail server is down, never with a patient's
details.
"""

from __future__ import annotations

import datetime
import os
import re
import signal
import smtplib
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import phonenumbers
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from bodymap.areas.area import DURATIONS, FEELINGS
from bodymap.cli import notify_cli
from bodymap.data.models import CallbackRequest, Notification, utcnow
from bodymap.notify import outbox
from bodymap.notify.mailer import Mailer, MailError, SmtpServer
from bodymap.notify.worker import STALE, AnotherWorker, Worker, backoff, only_worker_on_sqlite
from tests.helpers import callback_request, send_callback, stored
from tests.mailserver import PASSWORD, USER, MailServer, certificate, check_password, tls_options

PUBLIC_URL = "https://clinic.example"
DESK = ("desk@clinic.example", "manager@clinic.example")


@pytest.fixture(scope="module")
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def inbox(mail_server):
    """The server's inbox, emptied for each test; the server is running at the start of each test."""
    if mail_server.controller is None:
        mail_server.start()
    mail_server.inbox.messages.clear()
    mail_server.inbox.delay = 0.0
    return mail_server.inbox


@pytest.fixture
def mail_app(db_app, db_client, make_app, mail_server):
    """A second app on the test database, configured to email the desk through the test server."""
    app = make_app(
        DATABASE_URL=db_app.config["DATABASE_URL"],
        SMTP_URL=f"smtp://127.0.0.1:{mail_server.port}",
        DESK_EMAIL=DESK,
        MAIL_FROM="queue@clinic.example",
        PUBLIC_URL=PUBLIC_URL,
    )
    yield app
    app.extensions["bodymap.engine"].dispose()


def notifications(app) -> list[Notification]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def add_waiting(app, count: int, **fields) -> None:
    """`count` new requests, each with its email waiting, as the callback view leaves them."""
    with app.extensions["bodymap.sessions"]() as session, session.begin():
        for number in range(count):
            callback = callback_request(name=f"Patient {number}", **fields)
            session.add(callback)
            outbox.queue_new_request(session, callback)


def test_a_request_and_its_email_are_stored_together(db_client, db_app):
    response = send_callback(db_client, preferred_time="afternoon")
    assert response.status_code == 303
    [request] = stored(db_app)
    [notification] = notifications(db_app)
    assert (notification.kind, notification.key, notification.callback_id) == (
        "request",
        f"request:{request.id}",
        request.id,
    )
    assert notification.status == "waiting" and notification.attempts == 0 and notification.payload == "{}"


def test_when_the_email_cannot_be_written_the_request_is_not_stored_either(db_client, db_app, monkeypatch):
    """One transaction: the patient sees the 'try again' page with what they typed, and nothing half-stored."""
    queue = outbox.queue_new_request

    def then_fail(session, callback):
        queue(session, callback)
        raise OperationalError("INSERT INTO notifications", {}, Exception("disk full"))

    monkeypatch.setattr(outbox, "queue_new_request", then_fail)
    response = send_callback(db_client)
    assert response.status_code == 503
    assert stored(db_app) == [] and notifications(db_app) == []


def test_a_request_never_waits_for_the_mail_server(db_client, db_app, monkeypatch):
    """The request path only adds a row: no connection to any mail server is even tried."""

    def no_mail(*args, **kwargs):
        raise AssertionError("the patient's request tried to reach a mail server")

    monkeypatch.setattr(smtplib.SMTP, "__init__", no_mail)
    monkeypatch.setattr(smtplib.SMTP_SSL, "__init__", no_mail)
    assert send_callback(db_client).status_code == 303
    assert [n.status for n in notifications(db_app)] == ["waiting"]


def test_the_worker_sends_each_waiting_email_once_and_marks_it_sent(mail_app, inbox):
    add_waiting(mail_app, 3, preferred_time="evening")
    worker = Worker(mail_app)
    outcome = worker.send_waiting(utcnow())
    assert (outcome.sent, outcome.failed, outcome.skipped) == (3, 0, 0)
    assert len(inbox.messages) == 3
    assert all(n.status == "sent" and n.sent_at is not None and n.attempts == 1 for n in notifications(mail_app))
    assert worker.send_waiting(utcnow()).sent == 0
    assert len(inbox.messages) == 3
    sender, recipients = inbox.envelopes[0]
    assert sender == "queue@clinic.example" and recipients == list(DESK)


def texts(message) -> dict[str, str]:
    """The plain text and the HTML's text of a message, and its subject."""
    plain = message.get_body(("plain",)).get_content()
    markup = message.get_body(("html",)).get_content()
    return {"subject": str(message["Subject"]), "plain": plain, "html": markup}


def phone_spellings(e164: str, country: str) -> list[str]:
    """Every way a number may be written: E.164, national, international, and its bare digits."""
    number = phonenumbers.parse(e164)
    formats = phonenumbers.PhoneNumberFormat
    written = [phonenumbers.format_number(number, f) for f in (formats.E164, formats.NATIONAL, formats.INTERNATIONAL)]
    return [*written, str(number.national_number), str(number.national_number)[-7:]]


def test_the_email_says_when_to_call_and_links_to_the_request_with_no_personal_data(
    db_client, db_app, mail_app, inbox, content
):
    send_callback(
        db_client,
        name="Zebulon Quartermaine",
        phone="(503) 555-0178",
        preferred_time="morning",
        note="Sharp twinge climbing stairs since Tuesday",
        **{
            "areas-0-region": "knee",
            "areas-0-side": "left",
            "areas-0-pain": "7",
            "areas-0-feelings": ["tingling", "spreading"],
            "areas-0-duration": "over-3-months",
            "areas-1-region": "shoulder",
            "areas-1-side": "right",
            "areas-1-pain": "3",
        },
    )
    send_callback(
        db_client,
        name="Philippa Oyelaran",
        phone="503.555.0166",
        preferred_time="any",
        **{"areas-0-region": "neck", "areas-0-side": ""},
    )
    Worker(mail_app).send_waiting(utcnow())
    requests = {f"#callback-{r.id}": r for r in stored(db_app)}
    assert len(inbox.messages) == 2
    for message in inbox.messages:
        parts = texts(message)
        link = BeautifulSoup(parts["html"], "lxml").select_one("a")
        assert link["href"].startswith(f"{PUBLIC_URL}/staff/callbacks#callback-")
        request = requests[link["href"][len(PUBLIC_URL + "/staff/callbacks") :]]
        assert link["href"] in parts["plain"]
        assert parts["subject"] == f"New callback request · {content.clinic.name}"
        when = "morning" if request.preferred_time == "morning" else "any time"
        assert f"When to call: {when}, by " in parts["plain"]
        forbidden = [request.name, *request.name.split(), *phone_spellings(request.phone, content.clinic.country)]
        forbidden += [request.note, *(word for word in re.findall(r"\w+", request.note) if len(word) > 4)]
        said = ["pain", "hurts", "area"]  # words alone: the digits of a score may well be in a date or time
        assert request.areas, "each request has its areas, and none of them is in the email"
        for area in request.areas:
            region = content.region(area.region)
            forbidden += [area.region, region.name, region.label(area.side), *([area.side] if area.side else [])]
            forbidden += [word for f in area.feelings.split(",") if f for word in (f, str(FEELINGS[f]))]
            said += [area.duration, str(DURATIONS[area.duration])] if area.duration else []
            said += [f"{area.pain}/10", f"{area.pain} out of 10"] if area.pain is not None else []
        everything = "\n".join([*parts.values(), *(f"{k}: {v}" for k, v in message.items())])
        digits = "".join(re.findall(r"\d", " ".join(re.findall(r"[\d().+ -]{7,}", everything))))
        for value in forbidden:
            assert not re.search(rf"\b{re.escape(value)}\b", everything, re.IGNORECASE), value
            if re.sub(r"\D", "", value):
                assert re.sub(r"\D", "", value) not in digits, value
        for value in said:
            assert not re.search(rf"\b{re.escape(value)}\b", everything, re.IGNORECASE), value


def test_mail_server_down_then_up_loses_nothing_and_doubles_nothing(mail_app, mail_server, inbox, caplog):
    add_waiting(mail_app, 3)
    mail_server.stop()
    worker = Worker(mail_app)
    now = utcnow()
    outcome = worker.send_waiting(now)
    assert (outcome.sent, outcome.failed) == (0, 1)  # the first failure ends the pass: the server is down
    first = notifications(mail_app)
    assert [n.status for n in first] == ["waiting"] * 3
    assert first[0].attempts == 1 and first[0].due_at == now + datetime.timedelta(seconds=30)
    assert first[0].last_error.startswith("ConnectionRefusedError")
    assert "Could not send notification" in caplog.text and "Patient" not in caplog.text

    later = now + datetime.timedelta(seconds=5)  # not due again yet: the others are tried, and fail
    assert worker.send_waiting(later).failed == 1
    assert [n.attempts for n in notifications(mail_app)] == [1, 1, 0]

    mail_server.start()
    assert worker.send_waiting(now + datetime.timedelta(seconds=31)).sent == 2  # the third waits for its retry
    assert worker.send_waiting(now + datetime.timedelta(seconds=40)).sent == 1
    assert worker.send_waiting(now + datetime.timedelta(hours=2)).sent == 0
    sent = notifications(mail_app)
    assert [n.status for n in sent] == ["sent"] * 3
    ids = sorted(message["Message-ID"] for message in inbox.messages)
    assert ids == sorted(f"<notification-{n.id}.{n.created_at:%Y%m%d%H%M%S}@clinic.example>" for n in sent)


def test_retries_wait_longer_each_time_up_to_an_hour():
    waits = [backoff(attempt).total_seconds() for attempt in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_an_email_about_a_request_already_handled_is_not_sent(mail_app, inbox):
    add_waiting(mail_app, 2)
    with mail_app.extensions["bodymap.sessions"]() as session, session.begin():
        first = session.scalars(select(CallbackRequest).order_by(CallbackRequest.id)).first()
        first.status = "contacted"
    outcome = Worker(mail_app).send_waiting(utcnow())
    assert (outcome.sent, outcome.skipped) == (1, 1)
    assert [n.status for n in notifications(mail_app)] == ["skipped", "sent"]


def test_deleting_a_request_deletes_its_emails(mail_app, db_app):
    add_waiting(mail_app, 1)
    from bodymap.data import retention

    with mail_app.extensions["bodymap.sessions"]() as session, session.begin():
        session.scalars(select(CallbackRequest)).one().created_at = utcnow() - datetime.timedelta(days=100)
    hour = datetime.timedelta(hours=1)
    assert retention.purge(db_app, 90, hour, hour).callback_requests == 1
    assert notifications(mail_app) == []


def test_two_workers_on_postgresql_send_each_email_exactly_once(mail_app, inbox):
    if not mail_app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("SQLite has no row locks: run one worker there (README)")
    add_waiting(mail_app, 40)
    inbox.delay = 0.01  # each send takes a while, so the two workers overlap
    workers = [Worker(mail_app), Worker(mail_app)]
    start = threading.Barrier(2)
    outcomes = {}

    def work(number: int) -> None:
        start.wait(timeout=10)
        outcomes[number] = workers[number].send_waiting(utcnow())

    threads = [threading.Thread(target=work, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes[0].sent + outcomes[1].sent == 40
    assert outcomes[0].sent > 0 and outcomes[1].sent > 0, "both workers took part"
    ids = [message["Message-ID"] for message in inbox.messages]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert all(n.status == "sent" and n.attempts == 1 for n in notifications(mail_app))


def test_a_reminder_or_summary_is_added_once_however_many_workers_decide_at_once(db_app, db_client):
    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        first = outbox.add_once(session, "summary", "summary:2026-12-01", payload={"waiting": {}})
        second = outbox.add_once(session, "summary", "summary:2026-12-01", payload={"waiting": {}})
    assert (first, second) == (True, False)
    assert [n.key for n in notifications(db_app)] == ["summary:2026-12-01"]


# The connection: STARTTLS, TLS from the first byte, a password ---------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    try:
        return tls_options(*certificate(tmp_path_factory.mktemp("tls")))
    except (RuntimeError, OSError) as error:
        pytest.skip(str(error))


def one_email(mailer: Mailer) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "Test"
    message.set_content("Test")
    with mailer.connection() as outgoing:
        outgoing.send(message)


def test_smtp_urls_use_starttls_and_sign_in_with_the_password_in_the_url(tls):
    server_context, client_context = tls
    server = MailServer(
        tls_context=server_context,
        require_starttls=True,
        authenticator=check_password,
        auth_require_tls=True,
    ).start()
    try:
        url = f"smtp://{USER}:{PASSWORD.replace(' ', '%20').replace('@', '%40')}@localhost:{server.port}"
        one_email(Mailer(url, "queue@clinic.example", DESK, timeout=5, tls=client_context))
        assert len(server.inbox.wait_for(1)) == 1
        wrong = url.replace("s3cret", "wrong")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            one_email(Mailer(wrong, "queue@clinic.example", DESK, timeout=5, tls=client_context))
        with pytest.raises(ssl.SSLCertVerificationError):  # a certificate the system does not trust is refused
            one_email(Mailer(url, "queue@clinic.example", DESK, timeout=5))
    finally:
        server.stop()


def test_smtps_urls_speak_tls_from_the_first_byte(tls):
    server_context, client_context = tls
    server = MailServer(ssl_context=server_context, authenticator=check_password, auth_require_tls=False).start()
    try:
        url = f"smtps://{USER}:{PASSWORD.replace(' ', '%20').replace('@', '%40')}@localhost:{server.port}"
        one_email(Mailer(url, "queue@clinic.example", DESK, timeout=5, tls=client_context))
        assert len(server.inbox.wait_for(1)) == 1
    finally:
        server.stop()


def test_starttls_is_required_unless_the_mail_server_is_on_this_machine(mail_server, inbox, monkeypatch):
    assert SmtpServer.from_url("smtp://mail.example").port == 587
    assert SmtpServer.from_url("smtps://mail.example").port == 465
    assert [SmtpServer.from_url(f"smtp://{host}").on_this_machine for host in ("localhost", "127.0.0.1", "[::1]")] == [
        True
    ] * 3
    assert not SmtpServer.from_url("smtp://mail.example").on_this_machine
    assert "p4ss" not in repr(SmtpServer.from_url("smtp://user:p4ss@mail.example")) + str(
        SmtpServer.from_url("smtp://user:p4ss@mail.example")
    )
    # The test server offers no STARTTLS: fine on loopback, refused when it stands for a server elsewhere.
    one_email(Mailer(f"smtp://127.0.0.1:{mail_server.port}", "queue@clinic.example", DESK, timeout=5))
    monkeypatch.setattr(SmtpServer, "on_this_machine", property(lambda self: False))
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        one_email(Mailer(f"smtp://127.0.0.1:{mail_server.port}", "queue@clinic.example", DESK, timeout=5))


# Each email once, whatever stops a worker ------------------------------------------------------------------------


def flask_environment(app, tmp_path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "CONTENT_PATH": app.config["CONTENT_PATH"],
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "notify-once-test",
        "SMTP_URL": app.config["SMTP_URL"],
        "DESK_EMAIL": ",".join(DESK),
        "PUBLIC_URL": PUBLIC_URL,
        "NOTIFY_INTERVAL_SECONDS": "1",
    }


def flask_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "flask"), "--app", "bodymap", *args]


@pytest.mark.slow
@pytest.mark.one_clinic
def test_a_worker_killed_while_the_mail_server_takes_an_email_never_sends_it_again(mail_app, inbox, tmp_path):
    add_waiting(mail_app, 1)
    [request] = notifications(mail_app)
    inbox.delay = 4.0  # the server takes its time to say it has the message: the worker is killed meanwhile
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(
            flask_command("notify", "run"), env=flask_environment(mail_app, tmp_path), stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            # Killed once the server has the whole message and before it says so (it waits 4 s to answer).
            while status_of(mail_app, request.id) != "sending" or not inbox.messages:
                assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
                time.sleep(0.05)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
    assert len(inbox.messages) == 1, "the server kept the message it was given"
    inbox.delay = 0.0
    later = utcnow() + STALE + datetime.timedelta(seconds=1)
    Worker(mail_app).send_waiting(later)
    assert status_of(mail_app, request.id) == "unsure"
    time.sleep(0.5)
    assert [m["Message-ID"] for m in inbox.messages].count(inbox.messages[0]["Message-ID"]) == 1, "never sent twice"
    status = CliRunner().invoke(notify_cli, ["status"], obj=_script_info(mail_app))
    assert "1 may or may not have gone" in status.output


def status_of(app, notification_id: int) -> str:
    return next(n.status for n in notifications(app) if n.id == notification_id)


def test_an_email_claimed_by_a_worker_that_stopped_before_the_mail_server_saw_it_is_sent_once(mail_app, inbox):
    add_waiting(mail_app, 2)
    with mail_app.extensions["bodymap.sessions"]() as session, session.begin():
        session.execute(update(Notification).values(status="claimed", claimed_at=utcnow(), attempts=1))
    assert Worker(mail_app).send_waiting(utcnow()).sent == 0, "a fresh claim belongs to a worker still at it"
    later = utcnow() + STALE + datetime.timedelta(seconds=1)
    assert Worker(mail_app).send_waiting(later).sent == 2
    assert [n.status for n in notifications(mail_app)] == ["sent", "sent"]
    assert len(inbox.wait_for(2)) == 2
    assert Worker(mail_app).send_waiting(later + STALE).sent == 0
    assert len(inbox.messages) == 2


def test_each_step_is_committed_before_the_next_one_starts(mail_app, inbox, monkeypatch):
    """What another worker (or a crash) would find at each step: claimed while the envelope is written, sending while
    the message is handed over, sent after."""
    add_waiting(mail_app, 1)
    seen = []
    worker = Worker(mail_app)
    from bodymap.notify import mailer

    envelope, deliver = mailer.Outgoing.envelope, mailer.Outgoing.deliver

    def noting(step):
        def run(self, *args):
            seen.append((step, [n.status for n in notifications(mail_app)]))
            return (envelope if step == "envelope" else deliver)(self, *args)

        return run

    monkeypatch.setattr(mailer.Outgoing, "envelope", noting("envelope"))
    monkeypatch.setattr(mailer.Outgoing, "deliver", noting("deliver"))
    assert worker.send_waiting(utcnow()).sent == 1
    assert seen == [("envelope", ["claimed"]), ("deliver", ["sending"])]
    assert [n.status for n in notifications(mail_app)] == ["sent"]


def test_a_second_worker_on_sqlite_refuses_to_start_and_says_why(mail_app, tmp_path):
    if not mail_app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("PostgreSQL claims rows with SKIP LOCKED: any number of workers may run")
    with only_worker_on_sqlite(mail_app):
        result = CliRunner().invoke(notify_cli, ["run", "--once"], obj=_script_info(mail_app))
        assert result.exit_code == 1
        assert "Another notify worker" in result.output and "run exactly one" in result.output
        with pytest.raises(AnotherWorker), only_worker_on_sqlite(mail_app):
            pass
    assert CliRunner().invoke(notify_cli, ["run", "--once"], obj=_script_info(mail_app)).exit_code == 0


@pytest.mark.slow
@pytest.mark.one_clinic
def test_a_second_notify_run_process_on_sqlite_exits_non_zero(mail_app, tmp_path):
    if not mail_app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("PostgreSQL claims rows with SKIP LOCKED: any number of workers may run")
    environment = flask_environment(mail_app, tmp_path)
    first = subprocess.Popen(flask_command("notify", "run"), env=environment, stdout=subprocess.PIPE, text=True)
    try:
        assert "Sending the front desk's emails" in first.stdout.readline()
        second = subprocess.run(flask_command("notify", "run"), env=environment, capture_output=True, text=True)
        assert second.returncode != 0
        assert "Another notify worker" in second.stderr and "SQLite has no row locks" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=20)
        first.stdout.close()


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
