"""Staff accounts from the command line: memory-hard hashes, long and uncommon passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bodymap.data.models import StaffMember
from tests.helpers import flask_command, flask_shell, sign_in

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content


def members(app) -> list[StaffMember]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(StaffMember).order_by(StaffMember.email)))


def staff_command(app, *args, password_input=""):
    return flask_command(app, "staff", *args, input=password_input)


def test_add_reads_the_password_from_standard_input_and_stores_only_a_scrypt_hash(db_client, db_app):
    result = staff_command(db_app, "add", "Front.Desk@Clinic.Example", password_input="maple river quiet lantern\n")
    assert result.exit_code == 0, result.output
    [member] = members(db_app)
    assert member.email == "front.desk@clinic.example"
    assert member.password_hash.startswith("scrypt:")
    assert int(member.password_hash.split(":")[1]) >= 2**15, "the app's own memory-hard cost, not the suite's"
    assert "maple" not in member.password_hash


@pytest.mark.parametrize(
    "password,message",
    [
        ("short pass", "Passwords need at least 12 characters."),
        ("password1234", "This is a very common password."),
        ("qwertyuiop123", "This is a very common password."),
        ("desk@clinic.example", "It is too easy to guess."),  # the email itself
    ],
)
def test_short_or_common_passwords_are_refused(sqlite_client, sqlite_app, password, message):
    result = staff_command(sqlite_app, "add", "desk@clinic.example", password_input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert members(sqlite_app) == []


def test_the_same_email_cannot_be_added_twice(db_client, db_app, quick_hashes):
    staff_command(db_app, "add", "desk@clinic.example", password_input="maple river quiet lantern\n")
    result = staff_command(db_app, "add", "DESK@clinic.example", password_input="another long passphrase\n")
    assert result.exit_code != 0 and "already has an account" in result.output


def test_list_and_remove(db_client, db_app, quick_hashes):
    staff_command(db_app, "add", "b@clinic.example", password_input="maple river quiet lantern\n")
    staff_command(db_app, "add", "a@clinic.example", password_input="copper meadow silent drum\n")
    listing = staff_command(db_app, "list").output.splitlines()
    assert [line.split("\t")[0] for line in listing] == ["a@clinic.example", "b@clinic.example"]
    assert staff_command(db_app, "remove", "a@clinic.example").exit_code == 0
    assert [m.email for m in members(db_app)] == ["b@clinic.example"]
    assert staff_command(db_app, "remove", "nobody@clinic.example").exit_code != 0


def test_a_new_password_works_and_ends_sessions_signed_in_with_the_old_one(db_client, db_app, quick_hashes):
    staff_command(db_app, "add", "desk@clinic.example", password_input="maple river quiet lantern\n")
    assert sign_in(db_client, "desk@clinic.example", "maple river quiet lantern").status_code == 303
    assert db_client.get("/staff/callbacks").status_code == 200
    result = staff_command(db_app, "password", "desk@clinic.example", password_input="copper meadow silent drum\n")
    assert result.exit_code == 0, result.output
    assert db_client.get("/staff/callbacks").status_code == 302  # the old session is over
    assert sign_in(db_client, "desk@clinic.example", "maple river quiet lantern").status_code == 401
    assert sign_in(db_client, "desk@clinic.example", "copper meadow silent drum").status_code == 303


@pytest.mark.slow
def test_staff_add_works_from_a_real_shell_pipe(make_app, tmp_path):
    url = f"sqlite:///{tmp_path}/staff.sqlite3"
    app = make_app(DATABASE_URL=url)  # the schema, made in-process: the pipe is what this test is about
    result = flask_shell(
        tmp_path,
        "staff",
        "add",
        "desk@clinic.example",
        input="maple river quiet lantern\n",
        DATABASE_URL=url,
        CONTENT_PATH=app.config["CONTENT_PATH"],
    )
    assert result.returncode == 0, result.stderr
    [member] = members(app)
    assert member.email == "desk@clinic.example" and member.password_hash.startswith("scrypt:")
