"""Accounts in the browser: an admin adds an account and its one-time set-password link works once, within 24 hours;
roles change, accounts are disabled and re-enabled, signed out everywhere and removed, each change audited; the
last active admin stays; a desk account posting to these routes changes nothing."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from bodymap.data.models import AuditEvent, PasswordLink, StaffMember, StaffSession, utcnow
from tests.helpers import STAFF_EMAIL, STAFF_PASSWORD, add_staff, csrf_token_from, sign_in, soup

pytestmark = pytest.mark.one_clinic

ADMIN = "admin@clinic.example"
NEW_PASSWORD = "harbor violet engine quietly"


def members(app) -> dict[str, StaffMember]:
    with app.extensions["bodymap.sessions"]() as session:
        return {m.email: m for m in session.scalars(select(StaffMember))}


def actions(app) -> list[tuple[str, str, str | None, str | None]]:
    with app.extensions["bodymap.sessions"]() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(r.action, r.actor, r.old_value, r.new_value) for r in rows if r.action not in ("signed_in",)]


def admin_client(app, email: str = ADMIN):
    add_staff(app, email=email, role="admin")
    client = app.test_client()
    assert sign_in(client, email=email).status_code == 303
    return client


def token_of(client) -> str:
    return csrf_token_from(client.get("/staff/sessions"))


def post(client, url: str, **fields):
    return client.post(url, data={"csrf_token": token_of(client), **fields})


def member_id(app, email: str) -> int:
    return members(app)[email].id


def add_account(client, email="new@clinic.example", role="desk", **fields):
    return post(client, "/staff/accounts", email=email, role=role, **fields)


def link_in(response) -> str:
    """The path of the set-password link a page shows."""
    return urlsplit(soup(response).select_one("#set-password-link")["value"]).path


def test_an_admin_adds_an_account_and_its_set_password_link_works_once(db_client, db_app, quick_hashes):
    admin = admin_client(db_app)
    response = add_account(admin, email=" New@Clinic.example ", name="  Sam   Lee ")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    link = link_in(response)
    assert link.startswith("/staff/set-password/") and len(link.rsplit("/", 1)[1]) == 43
    member = members(db_app)["new@clinic.example"]
    assert (member.role, member.display_name) == ("desk", "Sam Lee")
    with db_app.extensions["bodymap.sessions"]() as session:
        [stored] = session.scalars(select(PasswordLink))
        assert stored.digest != link.rsplit("/", 1)[1] and len(stored.digest) == 64, "only the token's SHA-256"
        assert stored.expires_at - stored.created_at == datetime.timedelta(hours=24)
    assert admin.get("/staff/accounts").get_data(as_text=True).count(link.rsplit("/", 1)[1]) == 0, "shown once"

    stranger = db_app.test_client()  # the new member, in their own browser, signed in nowhere
    form = stranger.get(link)
    assert form.status_code == 200 and soup(form).h1.get_text() == "Set your password"
    token = csrf_token_from(form)
    done = stranger.post(link, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/staff/login"
    assert sign_in(db_app.test_client(), "new@clinic.example", NEW_PASSWORD).status_code == 303
    again = stranger.get(link)
    assert again.status_code == 410 and soup(again).h1.get_text() == "This link no longer works"
    replay = stranger.post(link, data={"csrf_token": token, "password": "x" * 20, "confirm": "x" * 20})
    assert replay.status_code == 410
    assert sign_in(db_app.test_client(), "new@clinic.example", NEW_PASSWORD).status_code == 303
    assert [a[0] for a in actions(db_app)] == ["account_added", "password_link_made", "password_set"]
    assert actions(db_app)[0][3] == '{"email":"new@clinic.example","role":"desk"}'
    assert actions(db_app)[2][1] == "new@clinic.example", "the member set their own password"


@pytest.mark.parametrize("token", ["x" * 43, "short", "A" * 44, "%00" * 15, "٣" * 43])
def test_a_forged_token_opens_nothing(db_client, db_app, token):
    add_staff(db_app)
    assert db_client.get(f"/staff/set-password/{token}").status_code == 404


def test_a_link_24_hours_old_or_of_a_disabled_account_no_longer_works(db_client, db_app, quick_hashes):
    admin = admin_client(db_app)
    old = link_in(add_account(admin, email="old@clinic.example"))
    off = link_in(add_account(admin, email="off@clinic.example"))
    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        session.execute(update(PasswordLink).values(expires_at=utcnow() - datetime.timedelta(seconds=1)).where(
            PasswordLink.staff_id == member_id(db_app, "old@clinic.example")))  # fmt: skip
    assert post(admin, f"/staff/accounts/{member_id(db_app, 'off@clinic.example')}/disable").status_code == 303
    assert db_client.get(old).status_code == 410
    assert db_client.get(off).status_code == 404, "disabling an account drops its unused links"


def test_a_new_link_replaces_the_earlier_one(db_client, db_app, quick_hashes):
    admin = admin_client(db_app)
    first = link_in(add_account(admin))
    second = link_in(post(admin, f"/staff/accounts/{member_id(db_app, 'new@clinic.example')}/password-link"))
    assert db_client.get(first).status_code == 404
    assert db_client.get(second).status_code == 200


def test_the_set_password_page_keeps_the_password_rules(db_client, db_app, quick_hashes, content):
    admin = admin_client(db_app)
    link = link_in(add_account(admin))
    page = db_client.get(link)
    token = csrf_token_from(page)
    word = content.clinic.name.split()[0].lower()
    city = content.clinic.city.split(",")[0].replace(" ", "").lower()
    for password, confirm, message in [
        (f"{word}{city}2026!", f"{word}{city}2026!", "built on words anyone who knows the clinic"),
        ("short one", "short one", "at least 12 characters"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are not the same."),
    ]:
        response = db_client.post(link, data={"csrf_token": token, "password": password, "confirm": confirm})
        assert response.status_code == 422, password
        assert message in soup(response).select_one("main").get_text(" "), password
    assert db_client.get(link).status_code == 200, "a refused password leaves the link unused"


def test_a_desk_account_posting_to_the_accounts_routes_changes_nothing(db_client, db_app):
    add_staff(db_app, email=ADMIN, role="admin")
    add_staff(db_app)
    assert sign_in(db_client).status_code == 303
    token = csrf_token_from(db_client.get("/staff/callbacks"))
    admin_id = member_id(db_app, ADMIN)
    before = {email: (m.role, m.disabled_at, m.session_version) for email, m in members(db_app).items()}
    routes = ["/staff/accounts", *(f"/staff/accounts/{admin_id}/{change}" for change in
              ("role", "disable", "enable", "signout-everywhere", "remove", "password-link"))]  # fmt: skip
    for url in routes:
        response = db_client.post(url, data={"csrf_token": token, "email": "evil@x.example", "role": "admin"})
        assert response.status_code == 403, url
    assert {email: (m.role, m.disabled_at, m.session_version) for email, m in members(db_app).items()} == before
    with db_app.extensions["bodymap.sessions"]() as session:
        assert session.scalars(select(PasswordLink)).all() == []


def test_the_last_active_admin_cannot_be_demoted_disabled_or_removed(db_client, db_app):
    admin = admin_client(db_app)
    me = member_id(db_app, ADMIN)
    refused = post(admin, f"/staff/accounts/{me}/role", role="desk")
    assert refused.status_code == 409
    assert "the last active admin" in soup(refused).select_one('[role="alert"]').get_text()
    assert members(db_app)[ADMIN].role == "admin"
    for change in ("disable", "remove"):
        response = post(admin, f"/staff/accounts/{me}/{change}")
        assert response.status_code == 409 and "your own account" in response.get_data(as_text=True)
    add_staff(db_app, email="second@clinic.example", role="admin")
    second = member_id(db_app, "second@clinic.example")
    assert post(admin, f"/staff/accounts/{second}/disable").status_code == 303
    assert "the last active admin" in post(admin, f"/staff/accounts/{me}/role", role="desk").get_data(as_text=True)
    assert post(admin, f"/staff/accounts/{second}/enable").status_code == 303
    demoted = post(admin, f"/staff/accounts/{me}/role", role="desk")
    assert demoted.status_code == 303 and demoted.headers["Location"] == "/staff/"
    assert members(db_app)[ADMIN].role == "desk"
    assert admin.get("/staff/accounts").status_code == 403


def test_disabling_ends_every_session_and_refuses_sign_in_until_re_enabled(db_client, db_app):
    admin = admin_client(db_app)
    add_staff(db_app)
    desk = db_app.test_client()
    assert sign_in(desk).status_code == 303
    desk_id = member_id(db_app, STAFF_EMAIL)
    assert post(admin, f"/staff/accounts/{desk_id}/disable").status_code == 303
    assert desk.get("/staff/callbacks").status_code == 302
    assert sign_in(db_app.test_client()).status_code == 401
    page = soup(admin.get("/staff/accounts"))
    assert page.select_one(f"#account-{desk_id}").has_attr("data-disabled")
    assert post(admin, f"/staff/accounts/{desk_id}/enable").status_code == 303
    assert sign_in(db_app.test_client(), STAFF_EMAIL, STAFF_PASSWORD).status_code == 303
    found = [(a, o, n) for a, _, o, n in actions(db_app) if a.startswith("account_") or a == "sign_in_failed"]
    assert found == [
        ("account_disabled", None, '{"sessions_ended":1}'),
        ("sign_in_failed", None, '{"why":"account disabled"}'),
        ("account_enabled", None, None),
    ]


def test_the_list_shows_each_role_last_sign_in_and_active_sessions(db_client, db_app):
    add_staff(db_app)
    for _ in range(2):
        assert sign_in(db_app.test_client()).status_code == 303
    add_staff(db_app, email="never@clinic.example", role="clinician", display_name="Dana Ruiz, PT")
    admin = admin_client(db_app)
    rows = {
        row["data-email"]: row for row in soup(admin.get("/staff/accounts")).select("table.accounts-table tbody tr")
    }
    assert {email: row["data-role"] for email, row in rows.items()} == {
        ADMIN: "admin", STAFF_EMAIL: "desk", "never@clinic.example": "clinician"}  # fmt: skip
    cells = {email: {td["data-label"]: td.get_text(" ", strip=True) for td in row.select("td")} for email, row in
             rows.items()}  # fmt: skip
    assert cells[STAFF_EMAIL]["Active sessions"] == "2" and cells[ADMIN]["Active sessions"] == "1"
    assert cells["never@clinic.example"]["Last sign-in"] == "Never"
    assert rows[STAFF_EMAIL].select_one('td[data-label="Last sign-in"] time') is not None
    assert "Dana Ruiz, PT" in rows["never@clinic.example"].get_text()


def test_sign_out_everywhere_ends_an_accounts_sessions_and_an_admin_may_end_their_own(db_client, db_app):
    admin = admin_client(db_app)
    add_staff(db_app)
    desk = db_app.test_client()
    assert sign_in(desk).status_code == 303
    assert post(admin, f"/staff/accounts/{member_id(db_app, STAFF_EMAIL)}/signout-everywhere").status_code == 303
    assert desk.get("/staff/callbacks").status_code == 302
    mine = post(admin, f"/staff/accounts/{member_id(db_app, ADMIN)}/signout-everywhere")
    assert mine.status_code == 303 and mine.headers["Location"] == "/staff/login"
    assert admin.get("/staff/accounts").status_code == 302
    with db_app.extensions["bodymap.sessions"]() as session:
        assert session.scalars(select(StaffSession)).all() == []


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"email": "not an email"}, 422, "That is not an email address."),
        ({"email": "x" * 250 + "@x.example"}, 422, "Field cannot be longer than 254 characters."),
        ({"role": "owner"}, 422, "Not a valid choice"),
        ({"role": "clinician", "name": ""}, 409, "A clinician signs off with a name"),
        ({"email": ADMIN}, 409, "already has an account"),
        ({"languages": "xx"}, 422, "not a valid choice"),
    ],
)
def test_a_refused_new_account_keeps_what_was_typed(db_client, db_app, fields, status, message):
    admin = admin_client(db_app)
    typed = {"email": "sam@clinic.example", "name": "Sam Lee", "role": "desk", **fields}
    response = post(admin, "/staff/accounts", **typed)
    assert response.status_code == status
    page = soup(response)
    assert message.lower() in page.select_one("main").get_text(" ").lower()
    assert page.select_one("#email")["value"] == typed["email"]
    assert page.select_one("#name")["value"] == typed["name"]
    assert set(members(db_app)) == {ADMIN}


def test_a_clinician_added_in_the_browser_reviews_the_languages_ticked(db_client, db_app, content):
    admin = admin_client(db_app)
    offered = list(content.clinic.languages)
    added = add_account(admin, "dana@clinic.example", "clinician", name="Dana Ruiz, PT", languages=offered[-1])
    assert added.status_code == 201
    assert members(db_app)["dana@clinic.example"].reviews == (offered[-1],)
    assert add_account(admin, "sam@clinic.example", "clinician", name="Sam Lee, PT").status_code == 201
    assert members(db_app)["sam@clinic.example"].reviews == tuple(offered)


@pytest.mark.parametrize("member", ["999999999", "9999999999", "%D9%A3", "-1"])
def test_changes_to_an_account_that_does_not_exist_get_404(db_client, db_app, member):
    admin = admin_client(db_app)
    for change in ("role", "disable", "enable", "signout-everywhere", "remove", "password-link"):
        assert post(admin, f"/staff/accounts/{member}/{change}", role="desk").status_code == 404, change
