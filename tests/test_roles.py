"""Staff roles: admin, desk and clinician. One table says what each may do; every staff page says what it needs; the
guard refuses the rest with 403. Accounts made before roles became admin, so nobody lost access."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bodymap import roles
from bodymap.data import migrate
from bodymap.data.models import StaffMember
from tests.helpers import add_staff, flask_command, sign_in, soup

pytestmark = pytest.mark.one_clinic  # the same for any clinic's file

SAMPLE_ARGS = {"slug": "knee", "request_id": 1, "language": "en", "member_id": 1, "session_id": "0" * 64,
               "token": "x" * 43}  # fmt: skip
OPEN = {"staff.login", "staff.logout", "staff.home", "staff.set_password"}


def members(app) -> list[StaffMember]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(StaffMember).order_by(StaffMember.email)))


def staff_get_urls(app) -> list[tuple[str, str]]:
    """(endpoint, URL) of every staff page a browser opens, with real values for its arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and rule.endpoint not in OPEN and "GET" in rule.methods:
            found.append((rule.endpoint, rule.build({k: v for k, v in SAMPLE_ARGS.items() if k in rule.arguments})[1]))
    return found


def test_every_staff_view_says_what_it_needs(app):
    views = {
        rule.endpoint: app.view_functions[rule.endpoint]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.") and rule.endpoint not in OPEN
    }
    assert len(views) >= 12
    assert {endpoint for endpoint, view in views.items() if roles.needed(view) is None} == set()


def test_the_table_gives_each_role_its_pages_and_only_a_clinician_signs_off():
    assert roles.ROLES == ("admin", "desk", "clinician")
    assert roles.roles_that_may(roles.Permission.CALLBACKS) == ("admin", "desk")
    assert roles.roles_that_may(roles.Permission.SIGN_OFF) == ("clinician",)
    assert roles.roles_that_may(roles.Permission.READ_CONTENT) == roles.ROLES
    assert set(roles.HOME) == set(roles.ROLES)


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_opens_exactly_the_pages_its_permissions_allow(make_app, role):
    app = make_app()
    add_staff(app, email=f"{role}@clinic.example", role=role, display_name="Dana Ruiz, PT, DPT", review_languages="en")
    client = app.test_client()
    assert sign_in(client, email=f"{role}@clinic.example").status_code == 303
    checked = 0
    for endpoint, url in staff_get_urls(app):
        allowed = roles.may(StaffMember(role=role), roles.needed(app.view_functions[endpoint]))
        response = client.get(url)
        if allowed:
            assert response.status_code in (200, 303, 404), (role, url, response.status_code)  # 404: no request 1
        else:
            assert response.status_code == 403, (role, url, response.status_code)
            page = soup(response)
            assert page.h1.get_text() == "This page is not for your account"
            assert f"a {role} account" in page.get_text()
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(("role", "home"), [("admin", "/staff/callbacks"), ("desk", "/staff/callbacks"),
                                            ("clinician", "/staff/content")])  # fmt: skip
def test_each_role_starts_at_its_first_page_and_sees_only_its_links(make_app, role, home):
    app = make_app()
    add_staff(app, email="member@clinic.example", role=role, display_name="Dana Ruiz, PT, DPT", review_languages="en")
    client = app.test_client()
    assert sign_in(client, email="member@clinic.example").headers["Location"] == home
    assert client.get("/staff/").headers["Location"] == home
    links = [a.get_text(" ", strip=True).split(" ")[0] for a in soup(client.get(home)).select("nav.staff-nav a")]
    expected = {
        "admin": ["Callbacks", "Call", "Insights", "Content", "Accounts", "Audit", "Your"],
        "desk": ["Callbacks", "Call", "Insights", "Content", "Your"],
        "clinician": ["Content", "Your"],
    }
    assert links == expected[role]


def test_the_migration_makes_every_existing_account_admin_and_new_ones_desk(make_app):
    app = make_app(migrated=False)
    migrate.upgrade(app, "0008")
    with app.extensions["bodymap.engine"].begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff_members (email, password_hash, session_version, created_at)"
                " VALUES ('old@clinic.example', 'x', 1, '2026-11-01 09:00:00')"
            )
        )
    assert migrate.upgrade(app) == ("0008", migrate.head(app))
    add_staff(app, email="new@clinic.example")
    with app.extensions["bodymap.engine"].begin() as connection:
        connection.execute(
            text("INSERT INTO staff_members (email, password_hash, session_version, created_at)"
                 " VALUES ('raw@clinic.example', 'x', 1, '2026-12-01 09:00:00')")
        )  # fmt: skip
    found = {m.email: (m.role, m.display_name, m.reviews) for m in members(app)}
    assert found == {
        "old@clinic.example": ("admin", "", ()),
        "new@clinic.example": ("desk", "", ()),
        "raw@clinic.example": ("desk", "", ()),
    }
    assert migrate.downgrade(app, "0008") == (migrate.head(app), "0008")
    with app.extensions["bodymap.engine"].connect() as connection:
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(staff_members)"))}
    assert "role" not in columns and "old@clinic.example" in {
        row[0] for row in app.extensions["bodymap.engine"].connect().execute(text("SELECT email FROM staff_members"))
    }


def test_staff_add_makes_a_clinician_with_the_name_and_languages_it_signs_with(sqlite_client, sqlite_app, quick_hashes):
    result = flask_command(
        sqlite_app,
        *("staff", "add", "dana@clinic.example", "--role", "clinician", "--name", "Dana Ruiz, PT, DPT"),
        *("--languages", "es"),
        input="maple river quiet lantern\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added dana@clinic.example (clinician, signs as Dana Ruiz, PT, DPT, reviews es)." in result.output
    [member] = members(sqlite_app)
    assert (member.role, member.display_name, member.reviews) == ("clinician", "Dana Ruiz, PT, DPT", ("es",))


def test_a_clinician_reviews_every_offered_language_unless_told(sqlite_client, sqlite_app, quick_hashes, content):
    flask_command(
        sqlite_app, "staff", "add", "sam@clinic.example", "--role", "clinician", "--name", "Sam Lee, PT",
        input="maple river quiet lantern\n",
    )  # fmt: skip
    [member] = members(sqlite_app)
    assert member.reviews == content.clinic.languages


def test_the_role_defaults_to_desk_and_the_list_shows_every_role(sqlite_client, sqlite_app, quick_hashes):
    add = ("staff", "add")
    flask_command(sqlite_app, *add, "desk@clinic.example", input="maple river quiet lantern\n")
    flask_command(sqlite_app, *add, "boss@clinic.example", "--role", "admin", input="copper meadow silent drum\n")
    flask_command(
        sqlite_app, *add, "dana@clinic.example", "--role", "clinician", "--name", "Dana Ruiz, PT, DPT",
        "--languages", "en,es", input="amber harbor gentle kite\n",
    )  # fmt: skip
    listing = [line.split("\t")[:2] for line in flask_command(sqlite_app, "staff", "list").output.splitlines()]
    assert listing == [
        ["boss@clinic.example", "admin"],
        ["dana@clinic.example", "clinician, signs as Dana Ruiz, PT, DPT, reviews en,es"],
        ["desk@clinic.example", "desk"],
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "clinician"), "a clinician signs with a name and credential"),
        (("--role", "owner"), "'owner' is not one of 'admin', 'desk', 'clinician'"),
        (("--role", "clinician", "--name", "Dana Ruiz", "--languages", "en,fr"), "give language codes among en, es"),
        (("--languages", "en"), "only a clinician reviews languages"),
    ],
)
def test_staff_add_refuses_a_role_name_or_language_it_cannot_use(sqlite_client, sqlite_app, args, message):
    result = flask_command(sqlite_app, "staff", "add", "x@clinic.example", *args, input="maple river quiet lantern\n")
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output
    assert members(sqlite_app) == []
