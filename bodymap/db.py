"""The database: one engine per app, one session per request, Alembic for the schema.

SQLite in the instance folder by default (WAL, busy timeout, foreign keys on);
any SQLAlchemy URL in DATABASE_URL instead, PostgreSQL included.
"""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from flask.cli import AppGroup
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from bodymap.config import ConfigError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, busy_timeout_ms: int = 5000) -> Engine:
    """An engine that never writes statement parameters (patients' details) into errors or logs."""
    try:
        return _engine(database_url(url), busy_timeout_ms)
    except (ArgumentError, ImportError, NoSuchModuleError) as error:
        raise ConfigError(f"DATABASE_URL is not a database address this app can use: {error}") from None


def _engine(url: str, busy_timeout_ms: int) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, hide_parameters=True, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def sqlite_pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def session() -> Session:
    """This request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["bodymap.sessions"]()
    return g.db_session


def _close_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def upgrade(app: Flask, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with app.extensions["bodymap.engine"].begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


db_cli = AppGroup("db", help="Manage the database schema.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Create the database schema, or bring it up to date."""
    upgrade(current_app)
    click.echo("The database schema is up to date.")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], app.config["DATABASE_BUSY_TIMEOUT_MS"])
    app.extensions["bodymap.engine"] = engine
    app.extensions["bodymap.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)
    app.cli.add_command(db_cli)
