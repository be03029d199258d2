"""Staff accounts from the command line: memory-hard hashes, long and uncommon passwords."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bodymap.data.models import StaffMember
from tests.helpers import sign_in

FLASK = str(Path(sys.executable).parent / "flask")


def members(app) -> list[StaffMember]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(StaffMember).order_by(StaffMember.email)))


def staff_command(app, *args, password_input=""):
    return app.test_cli_runner().invoke(args=["staff", *args], input=password_input)


def test_add_reads_the_password_from_standard_input_and_stores_only_a_scrypt_hash(db_client, db_app):
    result = staff_command(db_app, "add", "Front.Desk@Clinic.Example", password_input="maple river quiet lantern\n")
    assert result.exit_code == 0, result.output
    [member] = members(db_app)
    assert member.email == "front.desk@clinic.example"
    assert member.password_hash.startswith("scrypt:")
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
def test_short_or_common_passwords_are_refused(db_client, db_app, password, message):
    result = staff_command(db_app, "add", "desk@clinic.example", password_input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert members(db_app) == []


def test_the_same_email_cannot_be_added_twice(db_client, db_app):
    staff_command(db_app, "add", "desk@clinic.example", password_input="maple river quiet lantern\n")
    result = staff_command(db_app, "add", "DESK@clinic.example", password_input="another long passphrase\n")
    assert result.exit_code != 0 and "already has an account" in result.output


def test_list_and_remove(db_client, db_app):
    staff_command(db_app, "add", "b@clinic.example", password_input="maple river quiet lantern\n")
    staff_command(db_app, "add", "a@clinic.example", password_input="copper meadow silent drum\n")
    listing = staff_command(db_app, "list").output.splitlines()
    assert [line.split("\t")[0] for line in listing] == ["a@clinic.example", "b@clinic.example"]
    assert staff_command(db_app, "remove", "a@clinic.example").exit_code == 0
    assert [m.email for m in members(db_app)] == ["b@clinic.example"]
    assert staff_command(db_app, "remove", "nobody@clinic.example").exit_code != 0


def test_a_new_password_works_and_ends_sessions_signed_in_with_the_old_one(db_client, db_app):
    staff_command(db_app, "add", "desk@clinic.example", password_input="maple river quiet lantern\n")
    assert sign_in(db_client, "desk@clinic.example", "maple river quiet lantern").status_code == 303
    assert db_client.get("/staff/callbacks").status_code == 200
    result = staff_command(db_app, "password", "desk@clinic.example", password_input="copper meadow silent drum\n")
    assert result.exit_code == 0, result.output
    assert db_client.get("/staff/callbacks").status_code == 302  # the old session is over
    assert sign_in(db_client, "desk@clinic.example", "maple river quiet lantern").status_code == 401
    assert sign_in(db_client, "desk@clinic.example", "copper meadow silent drum").status_code == 303


def test_staff_add_works_from_a_real_shell_pipe(tmp_path):
    env = {
        "PATH": str(Path(FLASK).parent),
        "HOME": str(tmp_path),
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/staff.sqlite3",
    }
    subprocess.run([FLASK, "--app", "bodymap", "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60)
    result = subprocess.run(
        [FLASK, "--app", "bodymap", "staff", "add", "desk@clinic.example"],
        env=env,
        input="maple river quiet lantern\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    listing = subprocess.run(
        [FLASK, "--app", "bodymap", "staff", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert listing.stdout.startswith("desk@clinic.example")
