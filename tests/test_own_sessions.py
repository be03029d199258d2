"""Each member sees their own active sessions (device, network, when) and can end any of them; nobody else's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bodymap.data.models import AuditEvent, StaffMember, StaffSession
from tests.helpers import STAFF_EMAIL, add_staff, csrf_token_from, sign_in, soup

pytestmark = pytest.mark.one_clinic

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")  # fmt: skip


def browser(app, user_agent: str, address: str, email: str = STAFF_EMAIL):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    assert sign_in(client, email=email).status_code == 303
    return client


def listed(client) -> list[dict[str, str]]:
    rows = soup(client.get("/staff/sessions")).select("table.accounts-table tbody tr")
    return [
        {"this": row.has_attr("data-this-one"), **{cell["data-label"]: cell.get_text(" ", strip=True)
                                                  for cell in row.select("th, td")}}
        for row in rows
    ]  # fmt: skip


def test_a_member_sees_each_of_their_sessions_with_device_network_and_times(db_client, db_app):
    add_staff(db_app)
    add_staff(db_app, email="other@clinic.example")
    desk = browser(db_app, FIREFOX, "203.0.113.77")
    browser(db_app, IPHONE, "2001:db8:1:2::9")
    browser(db_app, FIREFOX, "198.51.100.1", email="other@clinic.example")
    found = listed(desk)
    assert len(found) == 2, "only their own"
    mine = next(row for row in found if row["this"])
    phone = next(row for row in found if not row["this"])
    assert mine["Device"] == "Firefox on Linux (this browser)" and mine["Network"] == "203.0.113.0"
    assert phone["Device"] == "Mobile Safari on iOS" and phone["Network"] == "2001:db8:1::"
    assert phone["Last seen"] == "just now" and phone["Signed in"]
    assert "203.0.113.77" not in soup(desk.get("/staff/sessions")).get_text()


def test_ending_another_session_signs_that_browser_out_and_is_audited(db_client, db_app):
    add_staff(db_app)
    desk = browser(db_app, FIREFOX, "203.0.113.77")
    phone = browser(db_app, IPHONE, "203.0.113.8")
    page = soup(desk.get("/staff/sessions"))
    other = next(row for row in page.select("tbody tr") if not row.has_attr("data-this-one"))
    action = other.select_one("form")["action"]
    response = desk.post(action, data={"csrf_token": csrf_token_from(desk.get("/staff/sessions"))})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/sessions"
    assert phone.get("/staff/callbacks").status_code == 302
    assert desk.get("/staff/callbacks").status_code == 200
    with db_app.extensions["bodymap.sessions"]() as session:
        ended = session.scalar(select(AuditEvent).where(AuditEvent.action == "session_ended"))
    assert (ended.actor, ended.new_value) == (STAFF_EMAIL, '{"device":"Mobile Safari on iOS"}')


def test_ending_this_session_is_signing_out(db_client, db_app):
    add_staff(db_app)
    desk = browser(db_app, FIREFOX, "203.0.113.77")
    row = soup(desk.get("/staff/sessions")).select_one("tbody tr[data-this-one]")
    token = csrf_token_from(desk.get("/staff/sessions"))
    response = desk.post(row.select_one("form")["action"], data={"csrf_token": token})
    assert response.headers["Location"] == "/staff/login"
    assert desk.get("/staff/callbacks").status_code == 302


def test_a_session_of_someone_else_or_a_forged_id_gets_404_and_ends_nothing(db_client, db_app):
    add_staff(db_app)
    add_staff(db_app, email="other@clinic.example")
    desk = browser(db_app, FIREFOX, "203.0.113.77")
    other = browser(db_app, IPHONE, "203.0.113.8", email="other@clinic.example")
    token = csrf_token_from(desk.get("/staff/sessions"))
    for session_id in [session_of(db_app, "other@clinic.example"), "0" * 64, "x" * 64, "٣" * 64, "0" * 65]:
        assert desk.post(f"/staff/sessions/{session_id}/end", data={"csrf_token": token}).status_code == 404
    assert other.get("/staff/callbacks").status_code == 200
    assert desk.post(f"/staff/sessions/{session_of(db_app, STAFF_EMAIL)}/end").status_code == 400, "no CSRF token"
    assert desk.get("/staff/callbacks").status_code == 200


def session_of(app, email: str) -> str:
    """The id of `email`'s one session."""
    with app.extensions["bodymap.sessions"]() as session:
        member = session.scalar(select(StaffMember).where(StaffMember.email == email))
        return session.scalar(select(StaffSession.id).where(StaffSession.staff_id == member.id))


@pytest.mark.parametrize("role", ["desk", "clinician", "admin"])
def test_every_role_opens_its_own_sessions(db_client, db_app, role):
    add_staff(db_app, role=role, display_name="Dana Ruiz, PT", review_languages="en")
    assert sign_in(db_client).status_code == 303
    assert db_client.get("/staff/sessions").status_code == 200
