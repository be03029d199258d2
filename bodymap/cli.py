"""Every command of `flask --app bodymap ...`, in one place.

- `content check [PATH] [--launch]`: check the content file. Registered as a Flask CLI plugin
  (pyproject.toml), so it runs even when the content is broken and the app would not start.
- `db upgrade|downgrade|revision`: the database schema, through the Alembic migrations; `db backup PATH`: a
  consistent copy of a SQLite database while the app runs.
- `staff add|list|password|role|disable|enable|remove|signout-everywhere`: staff accounts, their roles and their
  sign-ins; each change is audited (as done by the `command line`), like an admin's in the browser.
- `callbacks purge [--days N]`: delete callback requests past RETENTION_DAYS and audit rows past AUDIT_RETENTION_DAYS
  (`purge` is kept as an alias, for crontabs written before the `callbacks` group).
- `notify run [--once]|status|test`: the front desk's emails, from a worker beside gunicorn.
- `seed --requests N --audit-events N --view-days N [--force]`: made-up rows for benchmarks and demos.

Only `content` and `flask run` need the content: the app the other commands run in loads it when asked (see
`for_a_command`), so a broken content file never stops a migration, an account change or the daily purge.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import smtplib
import sys
import threading
import time
from pathlib import Path

import click
from alembic.util import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bodymap import audit, content, data, review, roles, settings
from bodymap.areas.area import DURATIONS, FEELINGS
from bodymap.content import LANGUAGES, ContentError, load
from bodymap.content.localized import language_name
from bodymap.data import backup, migrate, retention, seed
from bodymap.data.models import StaffMember
from bodymap.data.retention import counted
from bodymap.notify import messages, outbox
from bodymap.notify.worker import AnotherWorker, Worker, only_worker_on_sqlite
from bodymap.staff import account_changes, accounts, signin

NAME_LENGTH = StaffMember.display_name.type.length

# content ---------------------------------------------------------------------------------------------------------


@click.group("content", help="Check the clinic's content file.")
def content_cli() -> None:
    pass


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--launch",
    is_flag=True,
    help="Also fail while a region or language is not signed off for its current text (asks the database), while the"
    " file names the example clinic or a fictional 555-01xx number, or the direct-access notice is a year old.",
)
def check(path: Path | None, launch: bool) -> None:
    """Check PATH (default: $CONTENT_PATH or data/regions.yaml) and name every problem, with its line.

    Every check the app makes when it starts is made here, reading level included."""
    path = path or settings.content_path()
    checks = [_signed_off] if launch else []
    try:
        loaded = load(path, launch=launch, assets=settings.clinic_assets_path() or None, checks=checks)
    except ContentError as error:
        for line in error.problems:
            click.echo(line, err=True)
        raise SystemExit(1) from None
    counts = f"{len(loaded.regions)} regions, {len(loaded.treatments)} treatments and {len(loaded.sources)} sources"
    if launch:
        click.echo(f"{path}: {counts}, all valid and signed off: ready for launch")
    else:
        click.echo(f"{path}: {counts}, all valid (`--launch` also checks the sign-offs)")


def _signed_off(loaded, data_read) -> list[tuple[tuple, str]]:
    """The launch check's question to the database: each region and language not signed off for its current text."""
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    try:
        with data.new_session(app) as db_session:
            register = review.read(db_session)
    except SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        message = f"Cannot read the sign-offs from the database ({type(error).__name__}): {cause}"
        raise click.ClickException(message) from None
    found = []
    for index, lang, state in review.unsigned(loaded, register):
        where = ("regions", index) if lang == LANGUAGES[0] else ("regions", index, lang)
        name = language_name(lang)
        if state.kind == "changed":
            message = (
                f"its {name} text changed after {state.record.signed_by} signed it off on {state.record.day}:"
                f" a clinician who reviews {name} signs it off again at /staff/content"
            )
        else:
            message = f"not signed off in {name}: a clinician who reviews {name} signs it off at /staff/content"
        found.append((where, message))
    return found


# db --------------------------------------------------------------------------------------------------------------

db_cli = AppGroup("db", help="Manage the database schema (Alembic migrations in migrations/).")


def _revision(revision: str | None) -> str:
    return revision or "none (an empty database)"


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create the database schema, or bring it up to date (or to REVISION); says from which revision to which."""
    try:
        before, after = migrate.upgrade(current_app, revision)
    except CommandError as error:
        raise click.ClickException(str(error)) from None
    newest = " (the newest)" if after == migrate.head(current_app) else ""
    if before == after:
        click.echo(f"The database schema is already at {_revision(after)}{newest}: nothing to do.")
    else:
        click.echo(f"Upgraded the database schema from {_revision(before)} to {_revision(after)}{newest}.")


# `-1` looks like an option to click: unknown options are read as the revision instead.
@db_cli.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION: an id such as 0001, -1 for one step (the default), or base for none."""
    try:
        before, after = migrate.downgrade(current_app, revision)
    except CommandError as error:
        raise click.ClickException(str(error)) from None
    if before == after:
        click.echo(f"The database schema is already at {_revision(after)}: nothing to undo.")
    else:
        click.echo(f"Took the database schema back from {_revision(before)} to {_revision(after)}.")


@db_cli.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def db_backup(path: Path, force: bool) -> None:
    """Copy the SQLite database to PATH while the app runs (PostgreSQL: use pg_dump)."""
    try:
        made = backup.backup(current_app.config["DATABASE_URL"], path, overwrite=force)
    except backup.BackupRefused as error:
        raise click.ClickException(str(error)) from None
    requests = counted(made.callback_requests, "callback request", "callback requests")
    click.echo(f"Backed up {made.source} to {made.path}: {made.size / 1024:,.0f} KB, {requests}, integrity ok.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does, in a few words.")
@click.option("--autogenerate", is_flag=True, help="Write the changes from the models' difference to the database.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Write the next migration file in migrations/versions/ (upgrade the database first with autogenerate)."""
    path = migrate.revision(current_app, message, autogenerate)
    click.echo(f"Wrote {path}: read it, adjust it, and test it before you commit it.")


# staff -----------------------------------------------------------------------------------------------------------

staff_cli = AppGroup("staff", help="Manage staff accounts: admin, desk and clinician.")


def _email(email: str) -> str:
    try:
        return accounts.normalise_email(email)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _clinic():
    """The clinic, when the content (or its last good copy) can be read; None while neither can."""
    try:
        return content.get(current_app).clinic
    except ContentError:
        return None


def _read_password(email: str) -> str:
    """Ask twice at a terminal; read one line from standard input otherwise. Refused if it breaks the rules."""
    if sys.stdin.isatty():
        password = click.prompt(f"Password for {email}", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        accounts.check_password_rules(password, email, accounts.clinic_words(_clinic()))
    except accounts.PasswordRefused as error:
        raise click.ClickException(str(error)) from None
    return password


def _languages(given: str | None) -> str:
    """The languages a clinician reviews, as stored ("en,es"): those given, or every language the site offers."""
    if given is None:
        clinic = _clinic()
        return ",".join(clinic.languages if clinic else LANGUAGES)
    chosen = [lang.strip().lower() for lang in given.split(",") if lang.strip()]
    unknown = [lang for lang in chosen if lang not in LANGUAGES]
    if unknown or not chosen:
        raise click.BadParameter(f"give language codes among {', '.join(LANGUAGES)}, separated by commas (en,es)")
    return ",".join(dict.fromkeys(chosen))


def _existing_member(db_session, email: str) -> StaffMember:
    member = accounts.find(db_session, email)
    if member is None:
        raise click.ClickException(f"No account for {email}.")
    return member


@staff_cli.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(roles.ROLES),
    default=roles.DEFAULT_ROLE,
    show_default=True,
    help="admin: the desk's pages (accounts and audit to come); desk: callbacks, call guide, insights; clinician:"
    " signs the content off.",
)
@click.option("--name", help='The name and credential a clinician signs with, e.g. "Dana Ruiz, PT, DPT".')
@click.option(
    "--languages",
    "review_languages",
    help="The languages a clinician reviews, e.g. en,es (default: every language the site offers).",
)
def staff_add(email: str, role: str, name: str | None, review_languages: str | None) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    email = _email(email)
    name = " ".join((name or "").split())
    if role == "clinician" and not name:
        raise click.BadParameter('a clinician signs with a name and credential: --name "Dana Ruiz, PT, DPT"')
    if len(name) > NAME_LENGTH:
        raise click.BadParameter(f"at most {NAME_LENGTH} characters", param_hint="--name")
    if review_languages is not None and role != "clinician":
        raise click.BadParameter("only a clinician reviews languages", param_hint="--languages")
    reviews = _languages(review_languages) if role == "clinician" else ""
    with data.new_session() as db_session, db_session.begin():
        if accounts.find(db_session, email) is not None:
            raise click.ClickException(f"{email} already has an account.")
        password_hash = accounts.hash_password(_read_password(email))
        with _refusals():
            member = account_changes.add(db_session, None, email, role, name, reviews, password_hash)
    click.echo(f"Added {email} ({_described(member)}).")


@contextlib.contextmanager
def _refusals():
    """A change the account rules refuse (the last active admin) ends the command with the reason; nothing changes."""
    try:
        yield
    except account_changes.AccountRefused as refused:
        raise click.ClickException(str(refused)) from None


def _described(member: StaffMember) -> str:
    """'clinician, signs as Dana Ruiz, PT, DPT, reviews en,es'."""
    parts = [member.role] if member.active else [member.role, "disabled"]
    if member.display_name:
        parts.append(f"signs as {member.display_name}" if member.role == "clinician" else member.display_name)
    if member.role == "clinician":
        parts.append(f"reviews {member.review_languages or 'no language'}")
    return ", ".join(parts)


@staff_cli.command("list")
def staff_list() -> None:
    """List every account, with its role."""
    with data.new_session() as db_session:
        members = db_session.scalars(select(StaffMember).order_by(StaffMember.email)).all()
    for member in members:
        click.echo(f"{member.email}\t{_described(member)}\tadded {member.created_at:%Y-%m-%d}")
    if not members:
        click.echo("No staff accounts yet. Add one with: flask --app bodymap staff add EMAIL --role admin")


@staff_cli.command("remove")
@click.argument("email")
def staff_remove(email: str) -> None:
    """Delete an account; its sessions end at once (its audit rows stay). Not the last active admin."""
    with data.new_session() as db_session, db_session.begin(), _refusals():
        account_changes.remove(db_session, None, _existing_member(db_session, email))
    click.echo(f"Removed {email.strip().lower()}.")


@staff_cli.command("signout-everywhere")
@click.argument("email")
def staff_signout_everywhere(email: str) -> None:
    """End every session of an account at once (a lost phone, a shared computer); the password stays."""
    with data.new_session() as db_session, db_session.begin():
        ended = account_changes.sign_out_everywhere(db_session, None, _existing_member(db_session, email))
    sessions = counted(ended, "session", "sessions")
    click.echo(f"Signed {email.strip().lower()} out everywhere ({sessions} ended).")


@staff_cli.command("password")
@click.argument("email")
def staff_password(email: str) -> None:
    """Set a new password; every session signed in with the old one ends."""
    with data.new_session() as db_session, db_session.begin():
        member = _existing_member(db_session, email)
        account_changes.set_password(db_session, None, member, accounts.hash_password(_read_password(member.email)))
    click.echo(f"Changed the password for {member.email}.")


@staff_cli.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice(roles.ROLES))
def staff_role(email: str, role: str) -> None:
    """Give an account another role (not the last active admin's)."""
    with data.new_session() as db_session, db_session.begin(), _refusals():
        member = _existing_member(db_session, email)
        account_changes.change_role(db_session, None, member, role, _languages(None))
    click.echo(f"{member.email} is now {_described(member)}.")


@staff_cli.command("disable")
@click.argument("email")
def staff_disable(email: str) -> None:
    """Stop an account signing in, and end its sessions (not the last active admin)."""
    with data.new_session() as db_session, db_session.begin(), _refusals():
        member = _existing_member(db_session, email)
        account_changes.disable(db_session, None, member)
    click.echo(f"Disabled {member.email}: it cannot sign in until `staff enable`.")


@staff_cli.command("enable")
@click.argument("email")
def staff_enable(email: str) -> None:
    """Let a disabled account sign in again."""
    with data.new_session() as db_session, db_session.begin():
        member = _existing_member(db_session, email)
        account_changes.enable(db_session, None, member)
    click.echo(f"{member.email} can sign in again.")


# callbacks -------------------------------------------------------------------------------------------------------

callbacks_cli = AppGroup("callbacks", help="Look after stored callback requests.")


@click.command("purge")
@with_appcontext
@click.option("--days", type=click.IntRange(min=1), help="Keep this many days instead of RETENTION_DAYS.")
def purge(days: int | None) -> None:
    """Delete callback requests and logged calls older than RETENTION_DAYS (default 90), old summary emails and ended
    staff sign-ins, and audit rows older than AUDIT_RETENTION_DAYS (default 2190), in batches."""
    days = days or current_app.config["RETENTION_DAYS"]
    audit_days = current_app.config["AUDIT_RETENTION_DAYS"]
    purged = retention.purge(current_app, days, signin.IDLE_LIMIT, signin.ABSOLUTE_LIMIT, audit_days)
    kept, audit_kept = counted(days, "day", "days"), counted(audit_days, "day", "days")
    click.echo(f"Deleted {purged} (older than {kept}, or ended); the audit trail keeps {audit_kept}.")
    if purged.batches:
        batches = counted(purged.batches, "batch", "batches")
        click.echo(f"In {batches} of up to {retention.BATCH} rows; the longest held its transaction "
                   f"{purged.longest_batch_ms:g} ms.")  # fmt: skip


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


# seed ------------------------------------------------------------------------------------------------------------


@click.command("seed")
@with_appcontext
@click.option("--requests", type=click.IntRange(min=0), default=0, help="Callback requests (with areas and calls).")
@click.option("--audit-events", type=click.IntRange(min=0), default=0, help="Audit rows, over AUDIT_RETENTION_DAYS.")
@click.option("--view-days", type=click.IntRange(min=0), default=0, help="Days of view counts, up to today.")
@click.option("--force", is_flag=True, help="Add to a database that holds requests the seed did not make.")
def seed_command(requests: int, audit_events: int, view_days: int, force: bool) -> None:
    """Write made-up rows for benchmarks and demos: invented names, 555-01xx numbers, the content's regions."""
    regions = tuple((region.slug, tuple(region.sides)) for region in content.get(current_app).regions)
    vocabulary = seed.Vocabulary(regions, tuple(FEELINGS), tuple(DURATIONS), tuple(audit.ACTIONS))
    days, audit_days = current_app.config["RETENTION_DAYS"], current_app.config["AUDIT_RETENTION_DAYS"]
    engine = current_app.extensions["bodymap.engine"]
    started = time.monotonic()
    try:
        made = seed.seed(
            engine, vocabulary, requests=requests, audit_events=audit_events, view_days=view_days, days=days,
            audit_days=audit_days, force=force,
        )  # fmt: skip
    except seed.NotOurs as error:
        raise click.ClickException(f"Refused: {error}. Add --force to seed it all the same.") from None
    click.echo(f"Seeded {made} in {time.monotonic() - started:.1f} s.")


def in_a_command() -> bool:
    """The app is being built by the `flask` command line (for `flask run` too)."""
    return click.get_current_context(silent=True) is not None


def for_a_command() -> bool:
    """The app is being built to run a `flask` command, not to serve (`flask run` serves): it loads the content only
    when the command asks for it, so `db`, `staff`, `callbacks` and `notify` run with a broken content file."""
    context = click.get_current_context(silent=True)
    return context is not None and context.command.name != "run"


def init_app(app: Flask) -> None:
    """The commands that need the app (the content check is a plugin: it must run when the app cannot)."""
    for group in (db_cli, staff_cli, callbacks_cli, notify_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_command)
    app.cli.add_command(purge)  # `flask --app bodymap purge`: the name cron jobs used before `callbacks purge`
