"""Staff accounts: the password rules, and `flask --app bodymap staff add|list|remove|password`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from bodymap.models import StaffMember

MIN_PASSWORD_LENGTH = 12
# Checked against when an email is unknown, so a wrong email takes as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("no such staff member, no such password")


class PasswordRefused(ValueError):
    """The password is too short or too easy to guess; the message says which."""


def check_password_rules(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    result = zxcvbn(password[:100], user_inputs=[email, *email.split("@"), "bodymap", "stride", "strong"])
    if result["score"] < 3:
        advice = result["feedback"]["warning"] or "It is too easy to guess."
        raise PasswordRefused(f"{advice} Try a few uncommon words together.")


def hash_password(password: str) -> str:
    """scrypt, werkzeug's memory-hard default."""
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not (3 <= len(email) <= 254) or email.count("@") != 1 or " " in email or email.startswith("@"):
        raise click.BadParameter(f"{email!r} is not an email address")
    return email


def find(db_session, email: str) -> StaffMember | None:
    return db_session.scalar(select(StaffMember).where(StaffMember.email == email.strip().lower()))


def authenticate(db_session, email: str, password: str) -> StaffMember | None:
    member = find(db_session, email)
    if member is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    return member if check_password_hash(member.password_hash, password) else None


def _read_password(email: str) -> str:
    """Ask twice at a terminal; read one line from standard input otherwise."""
    if sys.stdin.isatty():
        password = click.prompt(f"Password for {email}", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        check_password_rules(password, email)
    except PasswordRefused as error:
        raise click.ClickException(str(error)) from None
    return password


def _sessions():
    return current_app.extensions["bodymap.sessions"]()


def _existing_member(db_session, email: str) -> StaffMember:
    member = find(db_session, email)
    if member is None:
        raise click.ClickException(f"No account for {email}.")
    return member


staff_cli = AppGroup("staff", help="Manage front-desk staff accounts.")


@staff_cli.command("add")
@click.argument("email")
def add(email: str) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    email = normalise_email(email)
    with _sessions() as db_session, db_session.begin():
        if find(db_session, email) is not None:
            raise click.ClickException(f"{email} already has an account.")
        db_session.add(StaffMember(email=email, password_hash=hash_password(_read_password(email))))
    click.echo(f"Added {email}.")


@staff_cli.command("list")
def list_members() -> None:
    """List every account."""
    with _sessions() as db_session:
        members = db_session.scalars(select(StaffMember).order_by(StaffMember.email)).all()
    for member in members:
        click.echo(f"{member.email}\tadded {member.created_at:%Y-%m-%d}")
    if not members:
        click.echo("No staff accounts yet. Add one with: flask --app bodymap staff add EMAIL")


@staff_cli.command("remove")
@click.argument("email")
def remove(email: str) -> None:
    """Delete an account; its sessions end at once."""
    with _sessions() as db_session, db_session.begin():
        db_session.delete(_existing_member(db_session, email))
    click.echo(f"Removed {email.strip().lower()}.")


@staff_cli.command("password")
@click.argument("email")
def password(email: str) -> None:
    """Set a new password; every session signed in with the old one ends."""
    with _sessions() as db_session, db_session.begin():
        member = _existing_member(db_session, email)
        member.password_hash = hash_password(_read_password(member.email))
        member.session_version += 1
    click.echo(f"Changed the password for {member.email}.")
