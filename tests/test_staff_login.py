"""Signing in holds up: every staff page is closed to anonymous users, failures are limited."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select, update

from bodymap.data.models import CallbackRequest, StaffSession, utcnow
from tests.helpers import STAFF_EMAIL, add_staff, csrf_token_from, send_callback, sign_in, soup

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

SAMPLE_ARGS = {"slug": "knee", "request_id": 1, "language": "en", "member_id": 1, "session_id": "0" * 64}
# Open to anyone: signing in and out, and the set-password page, which its one-time token guards (test_set_password).
OPEN = ("staff.login", "staff.logout", "staff.set_password")


def staff_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and rule.endpoint not in OPEN:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_staff_route_refuses_an_anonymous_user_for_every_method(db_client, db_app):
    send_callback(db_client)  # so that a request exists to be changed
    token = csrf_token_from(db_client.get("/staff/login"))
    checked = 0
    for rule, method in staff_routes(db_app):
        url = rule.build({k: v for k, v in SAMPLE_ARGS.items() if k in rule.arguments})[1]
        response = db_client.open(
            url, method=method, data={"csrf_token": token, "status": "closed", "outcome": "booked"}
        )
        assert response.status_code in (302, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/staff/login")
        assert STAFF_EMAIL not in response.get_data(as_text=True)
        checked += 1
    assert checked >= 10
    with db_app.extensions["bodymap.sessions"]() as session:
        assert session.scalar(select(CallbackRequest.status)) == "new"


def test_the_entry_point_sends_anonymous_users_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/staff/"


def test_signing_in_goes_to_the_page_asked_for_and_only_to_a_staff_page(db_client, db_app):
    add_staff(db_app)
    assert sign_in(db_client, next_page="/staff/insights").headers["Location"] == "/staff/insights"
    db_client.post("/staff/logout", data={"csrf_token": csrf_token_from(db_client.get("/staff/callbacks"))})
    assert sign_in(db_client, next_page="//evil.example/staff/").headers["Location"] == "/staff/callbacks"


@pytest.mark.parametrize("email,password", [(STAFF_EMAIL, "wrong password here"), ("nobody@clinic.example", "x" * 12)])
def test_a_wrong_password_or_unknown_email_gets_the_same_answer(db_client, db_app, email, password):
    add_staff(db_app)
    response = sign_in(db_client, email, password)
    assert response.status_code == 401
    assert "do not match an account" in soup(response).select_one('[role="alert"]').get_text()
    assert db_client.get("/staff/callbacks").status_code == 302


def test_a_new_session_at_sign_in(db_client, db_app):
    add_staff(db_app)
    page = db_client.get("/staff/login")
    old_token = csrf_token_from(page)
    old_cookie = db_client.get_cookie("session").value
    db_client.post(
        "/staff/login", data={"csrf_token": old_token, "email": STAFF_EMAIL, "password": "maple river quiet lantern"}
    )
    assert db_client.get_cookie("session").value != old_cookie
    # The token from before signing in no longer works: nothing carried over.
    response = db_client.post("/staff/logout", data={"csrf_token": old_token})
    assert response.status_code == 400
    assert db_client.get("/staff/callbacks").status_code == 200


def test_sign_out_is_a_post(staff_client):
    assert staff_client.get("/staff/logout").status_code == 405
    token = csrf_token_from(staff_client.get("/staff/callbacks"))
    response = staff_client.post("/staff/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert staff_client.get("/staff/callbacks").status_code == 302


def age_sessions(app, minutes: float, column: str = "last_seen_at") -> None:
    """Move every staff session's last activity (or start) `minutes` into the past."""
    with app.extensions["bodymap.sessions"]() as session, session.begin():
        session.execute(update(StaffSession).values({column: utcnow() - datetime.timedelta(minutes=minutes)}))


def last_seen(app) -> datetime.datetime:
    with app.extensions["bodymap.sessions"]() as session:
        return session.scalar(select(StaffSession.last_seen_at))


def test_thirty_idle_minutes_end_the_session(staff_client, db_app):
    age_sessions(db_app, 31)
    response = staff_client.get("/staff/callbacks")
    assert response.status_code == 302
    page = soup(staff_client.get(response.headers["Location"]))
    assert "30 minutes" in page.select_one('[role="status"]').get_text()


def test_polling_does_not_keep_an_idle_session_alive(staff_client, db_app):
    age_sessions(db_app, 29)
    assert staff_client.get("/staff/callbacks/rows").status_code == 200
    assert utcnow() - last_seen(db_app) > datetime.timedelta(minutes=28)
    assert staff_client.get("/staff/callbacks").status_code == 200
    assert utcnow() - last_seen(db_app) < datetime.timedelta(minutes=1)


def test_staff_sessions_are_cookie_limited_to_thirty_minutes(db_app):
    assert db_app.permanent_session_lifetime.total_seconds() == 30 * 60


@pytest.mark.parametrize("url", ["/staff/login", "/staff/callbacks", "/staff/guide", "/staff/insights"])
def test_staff_pages_are_never_stored_or_framed(staff_reader, url):
    response = staff_reader.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.fixture
def limited(make_app, quick_hashes):
    app = make_app(RATELIMIT_ENABLED=True)
    add_staff(app)
    return app


def test_repeated_failures_for_an_account_are_slowed_then_refused(limited):
    client = limited.test_client()
    for _ in range(5):
        assert sign_in(client, password="not the password").status_code == 401
    refused = sign_in(client)  # even the right password, for now
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in soup(refused).select_one('[role="alert"]').get_text()
    other = limited.test_client()
    assert sign_in(other, "someone@clinic.example", "not the password").status_code == 401


def test_repeated_failures_from_one_address_are_refused(limited):
    client = limited.test_client()
    for number in range(30):
        assert sign_in(client, f"guess{number}@clinic.example", "not the password").status_code == 401
    assert sign_in(client, "guess-more@clinic.example", "not the password").status_code == 429


def test_successful_sign_ins_do_not_count_as_failures(limited):
    client = limited.test_client()
    for _ in range(7):
        assert sign_in(client).status_code == 303
        client.post("/staff/logout", data={"csrf_token": csrf_token_from(client.get("/staff/callbacks"))})
