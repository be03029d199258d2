"""The data layer: one engine per app, one session per request (closed at teardown), typed models,
Alembic migrations (in the project's `migrations/` folder) and the daily view counts."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from bodymap.data import view_counts
from bodymap.data.engine import make_engine


def request_session() -> Session:
    """This request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["bodymap.sessions"]()
    return g.db_session


def new_session(app: Flask | None = None) -> Session:
    """A session of its own, for work outside a request (commands, the notify worker); use it in `with`."""
    return (app or current_app).extensions["bodymap.sessions"]()


def _close_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def init_app(app: Flask) -> None:
    config = app.config
    engine = make_engine(
        config["DATABASE_URL"],
        config["DATABASE_BUSY_TIMEOUT_MS"],
        config["DATABASE_TIMEOUT_SECONDS"],
        config["DATABASE_PAUSE_SECONDS"],
    )
    app.extensions["bodymap.engine"] = engine
    app.extensions["bodymap.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)
    view_counts.init_app(app)
