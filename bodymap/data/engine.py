"""The database engine: SQLite in the instance folder by default (WAL, busy timeout, foreign keys on);
any SQLAlchemy URL in DATABASE_URL instead, PostgreSQL included."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bodymap.settings import ConfigError


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
