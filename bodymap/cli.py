"""Every command of `flask --app bodymap ...`, in one place.

- `content check [PATH] [--launch]`: check the content file. Registered as a Flask CLI plugin
  (pyproject.toml), so it runs even when the content is broken and the app would not start.
- `db upgrade|downgrade|revision`: the database schema, through the Alembic migrations; `db backup PATH`: a
  consistent copy of a SQLite database while the app runs.
- `staff add|list|password|remove|signout-everywhere`: front-desk accounts and their sign-ins.
- `callbacks purge [--days N]`: delete callback requests past RETENTION_DAYS (`purge` is kept
  as an alias, for crontabs written before the `callbacks` group).
- `notify run [--once]|status|test`: the front desk's emails, from a worker beside gunicorn.
"""

from __future__ import annotations

import logging
import signal
import smtplib
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import delete, select

from bodymap import content, data, settings
from bodymap.content import ContentError, load
from bodymap.data import backup, migrate, retention
from bodymap.data.models import StaffMember, StaffSession
from bodymap.notify import messages, outbox
from bodymap.notify.worker import AnotherWorker, Worker, only_worker_on_sqlite
from bodymap.staff import accounts, signin

# content ---------------------------------------------------------------------------------------------------------


@click.group("content", help="Check the clinic's content file.")
def content_cli() -> None:
    pass


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--launch", is_flag=True, help="Also fail while any region is a draft with no named clinical reviewer.")
def check(path: Path | None, launch: bool) -> None:
    """Check PATH (default: $CONTENT_PATH or data/regions.yaml) and name every problem."""
    path = path or settings.content_path()
    try:
        loaded = load(path, launch=launch)
    except ContentError as error:
        for line in error.problems:
            click.echo(line, err=True)
        raise SystemExit(1) from None
    counts = f"{len(loaded.regions)} regions, {len(loaded.treatments)} treatments and {len(loaded.sources)} sources"
    drafts = loaded.drafts
    if launch:
        click.echo(f"{path}: {counts}, all valid and reviewed: ready for launch")
    elif drafts:
        click.echo(f"{path}: {counts}, all valid ({drafts} still drafts: --launch refuses them)")
    else:
        click.echo(f"{path}: {counts}, all valid")


# db --------------------------------------------------------------------------------------------------------------

db_cli = AppGroup("db", help="Manage the database schema (Alembic migrations in migrations/).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create the database schema, or bring it up to date (or to REVISION)."""
    migrate.upgrade(current_app, revision)
    click.echo("The database schema is up to date." if revision == "head" else f"The schema is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION: an id such as 0001, -1 for one step, or base for none."""
    migrate.downgrade(current_app, revision)
    click.echo(f"The schema is back at {revision}.")


@db_cli.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def db_backup(path: Path, force: bool) -> None:
    """Copy the SQLite database to PATH while the app runs (PostgreSQL: use pg_dump)."""
    try:
        made = backup.backup(current_app.config["DATABASE_URL"], path, overwrite=force)
    except backup.BackupRefused as error:
        raise click.ClickException(str(error)) from None
    requests = "1 callback request" if made.callback_requests == 1 else f"{made.callback_requests} callback requests"
    click.echo(f"Backed up {made.source} to {made.path}: {made.size / 1024:,.0f} KB, {requests}, integrity ok.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does, in a few words.")
@click.option("--autogenerate", is_flag=True, help="Write the changes from the models' difference to the database.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Write the next migration file in migrations/versions/ (upgrade the database first with autogenerate)."""
    path = migrate.revision(current_app, message, autogenerate)
    click.echo(f"Wrote {path}: read it, adjust it, and test it before you commit it.")


# staff -----------------------------------------------------------------------------------------------------------

staff_cli = AppGroup("staff", help="Manage front-desk staff accounts.")


def _email(email: str) -> str:
    try:
        return accounts.normalise_email(email)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _read_password(email: str) -> str:
    """Ask twice at a terminal; read one line from standard input otherwise. Refused if it breaks the rules."""
    if sys.stdin.isatty():
        password = click.prompt(f"Password for {email}", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    clinic = content.get(current_app).clinic
    try:
        accounts.check_password_rules(password, email, (clinic.name, clinic.city))
    except accounts.PasswordRefused as error:
        raise click.ClickException(str(error)) from None
    return password


def _existing_member(db_session, email: str) -> StaffMember:
    member = accounts.find(db_session, email)
    if member is None:
        raise click.ClickException(f"No account for {email}.")
    return member


@staff_cli.command("add")
@click.argument("email")
def staff_add(email: str) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    email = _email(email)
    with data.new_session() as db_session, db_session.begin():
        if accounts.find(db_session, email) is not None:
            raise click.ClickException(f"{email} already has an account.")
        db_session.add(StaffMember(email=email, password_hash=accounts.hash_password(_read_password(email))))
    click.echo(f"Added {email}.")


@staff_cli.command("list")
def staff_list() -> None:
    """List every account."""
    with data.new_session() as db_session:
        members = db_session.scalars(select(StaffMember).order_by(StaffMember.email)).all()
    for member in members:
        click.echo(f"{member.email}\tadded {member.created_at:%Y-%m-%d}")
    if not members:
        click.echo("No staff accounts yet. Add one with: flask --app bodymap staff add EMAIL")


def _end_sessions(db_session, member: StaffMember) -> int:
    """Delete every sign-in of `member`: each browser holding one is sent to the sign-in page."""
    return db_session.execute(delete(StaffSession).where(StaffSession.staff_id == member.id)).rowcount


@staff_cli.command("remove")
@click.argument("email")
def staff_remove(email: str) -> None:
    """Delete an account; its sessions end at once."""
    with data.new_session() as db_session, db_session.begin():
        member = _existing_member(db_session, email)
        _end_sessions(db_session, member)
        db_session.delete(member)
    click.echo(f"Removed {email.strip().lower()}.")


@staff_cli.command("signout-everywhere")
@click.argument("email")
def staff_signout_everywhere(email: str) -> None:
    """End every session of an account at once (a lost phone, a shared computer); the password stays."""
    with data.new_session() as db_session, db_session.begin():
        ended = _end_sessions(db_session, _existing_member(db_session, email))
    sessions = "1 session" if ended == 1 else f"{ended} sessions"
    click.echo(f"Signed {email.strip().lower()} out everywhere ({sessions} ended).")


@staff_cli.command("password")
@click.argument("email")
def staff_password(email: str) -> None:
    """Set a new password; every session signed in with the old one ends."""
    with data.new_session() as db_session, db_session.begin():
        member = _existing_member(db_session, email)
        member.password_hash = accounts.hash_password(_read_password(member.email))
        member.session_version += 1
        _end_sessions(db_session, member)
    click.echo(f"Changed the password for {member.email}.")


# callbacks -------------------------------------------------------------------------------------------------------

callbacks_cli = AppGroup("callbacks", help="Look after stored callback requests.")


@click.command("purge")
@with_appcontext
@click.option("--days", type=click.IntRange(min=1), help="Keep this many days instead of RETENTION_DAYS.")
def purge(days: int | None) -> None:
    """Delete callback requests and logged calls older than RETENTION_DAYS (default 90), old summary emails and ended
    staff sign-ins, in batches."""
    days = days or current_app.config["RETENTION_DAYS"]
    purged = retention.purge(current_app, days, signin.IDLE_LIMIT, signin.ABSOLUTE_LIMIT)
    click.echo(f"Deleted {purged} (older than {days} days, or ended).")


callbacks_cli.add_command(purge)


# notify ----------------------------------------------------------------------------------------------------------

notify_cli = AppGroup("notify", help="Email the front desk about callback requests (SMTP_URL, DESK_EMAIL).")


def _worker() -> Worker:
    if not current_app.config["SMTP_URL"]:
        raise click.ClickException(
            "Set SMTP_URL and DESK_EMAIL (and PUBLIC_URL) first. Until then the emails wait in the outbox."
        )
    return Worker(current_app)


@notify_cli.command("run")
@click.option("--once", is_flag=True, help="One pass, then stop (for a timer); by default it runs until stopped.")
def notify_run(once: bool) -> None:
    """Send the desk's emails, reminders and morning summary as they fall due, until stopped."""
    worker = _worker()
    try:
        with only_worker_on_sqlite(current_app):
            _run(worker, once)
    except AnotherWorker as error:
        raise click.ClickException(str(error)) from None


def _run(worker: Worker, once: bool) -> None:
    if once:
        outcome = worker.step()
        click.echo(f"Sent {outcome.sent}, skipped {outcome.skipped}, failed {outcome.failed}.")
        raise SystemExit(1 if outcome.failed else 0)
    if current_app.logger.level == logging.NOTSET:
        current_app.logger.setLevel(logging.INFO)  # what it sent, in the journal
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    interval = current_app.config["NOTIFY_INTERVAL_SECONDS"]
    click.echo(f"Sending the front desk's emails through {worker.mailer.server} (every {interval} s).")
    worker.run(stop, interval)
    click.echo("Stopped.")


@notify_cli.command("status")
def notify_status() -> None:
    """How many emails wait, and why the oldest one has not gone yet."""
    with data.new_session() as db_session:
        found = outbox.status(db_session)
    counts, oldest = found["counts"], found["oldest"]
    click.echo(f"{counts['waiting']} waiting, {counts['sent']} sent, {counts['skipped']} skipped.")
    if counts["unsure"]:
        click.echo(
            f"{counts['unsure']} may or may not have gone: a worker stopped while the mail server was taking them. "
            "They are not sent again; check the desk's inbox."
        )
    if oldest is not None:
        tried = f"tried {oldest.attempts} times, last: {oldest.last_error}" if oldest.attempts else "not tried yet"
        click.echo(f"Oldest waiting: {oldest.kind}, added {oldest.created_at:%Y-%m-%d %H:%M} UTC, {tried}.")


@notify_cli.command("test")
def notify_test() -> None:
    """Send one test email to DESK_EMAIL now, to check the mail settings."""
    worker = _worker()
    try:
        with worker.mailer.connection() as outgoing:
            outgoing.send(messages.test(worker.desk))
    except (smtplib.SMTPException, OSError) as error:
        raise click.ClickException(f"Could not send through {worker.mailer.server}: {error}") from None
    click.echo(f"Sent a test email to {', '.join(current_app.config['DESK_EMAIL'])}.")


def init_app(app: Flask) -> None:
    """The commands that need the app (the content check is a plugin: it must run when the app cannot)."""
    for group in (db_cli, staff_cli, callbacks_cli, notify_cli):
        app.cli.add_command(group)
    app.cli.add_command(purge)  # `flask --app bodymap purge`: the name cron jobs used before `callbacks purge`
