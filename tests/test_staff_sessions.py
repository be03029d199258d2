"""Staff sessions end on the server: a copy of the cookie opens nothing after sign-out, a new password,
removing the account or `staff signout-everywhere`, and no session outlives 12 hours."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select, update

from bodymap.data.models import StaffSession, utcnow
from tests.helpers import STAFF_EMAIL, add_staff, csrf_token_from, sign_in, soup

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.50"}


def replay(app, cookie: str):
    """Another browser, at another address, holding a copy of the cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def assert_sent_to_sign_in(client):
    response = client.get("/staff/callbacks", environ_base=ELSEWHERE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def sessions_in_database(app) -> list[StaffSession]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(StaffSession)))


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(staff_client, db_app):
    cookie = staff_client.get_cookie("session").value
    assert replay(db_app, cookie).get("/staff/callbacks", environ_base=ELSEWHERE).status_code == 200
    token = csrf_token_from(staff_client.get("/staff/callbacks"))
    assert staff_client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert_sent_to_sign_in(replay(db_app, cookie))
    assert sessions_in_database(db_app) == []


def test_the_server_keeps_only_a_digest_of_the_cookie_token(staff_client, db_app):
    [row] = sessions_in_database(db_app)
    serializer = SecureCookieSessionInterface().get_signing_serializer(db_app)
    token = serializer.loads(staff_client.get_cookie("session").value)["staff_session"]
    assert len(token) >= 40, "at least 256 random bits"
    assert row.id == hashlib.sha256(token.encode()).hexdigest() != token


@pytest.mark.parametrize(
    "command", [["password", STAFF_EMAIL], ["remove", STAFF_EMAIL], ["signout-everywhere", STAFF_EMAIL]]
)
def test_a_new_password_removing_the_account_or_signing_out_everywhere_ends_every_session(db_client, db_app, command):
    add_staff(db_app)
    browsers = [db_app.test_client(), db_app.test_client()]
    for browser in browsers:
        assert sign_in(browser).status_code == 303
    cookies = [browser.get_cookie("session").value for browser in browsers]
    result = db_app.test_cli_runner().invoke(args=["staff", *command], input="copper meadow silent drum\n")
    assert result.exit_code == 0, result.output
    for cookie in cookies:
        assert_sent_to_sign_in(replay(db_app, cookie))
    assert sessions_in_database(db_app) == []


def test_signout_everywhere_says_how_many_sessions_ended_and_keeps_the_password(db_client, db_app):
    add_staff(db_app)
    for _ in range(2):
        assert sign_in(db_app.test_client()).status_code == 303
    result = db_app.test_cli_runner().invoke(args=["staff", "signout-everywhere", STAFF_EMAIL.upper()])
    assert result.exit_code == 0, result.output
    assert "2 sessions ended" in result.output
    assert sign_in(db_app.test_client()).status_code == 303
    missing = db_app.test_cli_runner().invoke(args=["staff", "signout-everywhere", "nobody@clinic.example"])
    assert missing.exit_code != 0 and "No account" in missing.output


def test_a_session_ends_12_hours_after_sign_in_however_active(staff_client, db_app):
    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        session.execute(update(StaffSession).values(created_at=utcnow() - datetime.timedelta(hours=12, minutes=1)))
    response = staff_client.get("/staff/callbacks")
    assert response.status_code == 302
    page = soup(staff_client.get(response.headers["Location"]))
    assert "12 hours" in page.select_one('[role="status"]').get_text()
    assert sessions_in_database(db_app) == []


def test_an_idle_session_ends_on_the_server_even_for_a_cookie_replayed_elsewhere(staff_client, db_app):
    cookie = staff_client.get_cookie("session").value
    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        session.execute(update(StaffSession).values(last_seen_at=utcnow() - datetime.timedelta(minutes=31)))
    assert_sent_to_sign_in(replay(db_app, cookie))
    assert sessions_in_database(db_app) == []
