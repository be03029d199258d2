"""Shared fixtures: apps on SQLite and PostgreSQL, test clients; `region` and `region_side` walk the content."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, delete, text

from bodymap import create_app
from bodymap.data import migrate
from bodymap.data.engine import database_url as sqlalchemy_url
from bodymap.data.models import Base
from tests.helpers import CONTENT, add_staff, region_sides, sign_in

# The PostgreSQL server the tests use; each run works in a schema of its own, dropped at the end,
# so two runs at once (two checkouts, CI beside a developer) never meet.
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POSTGRES_SCHEMA = f"bodymap_test_{os.getpid()}"
POSTGRES_URL = f"{POSTGRES_SERVER}?options=-csearch_path%3D{POSTGRES_SCHEMA}"

TEST_CONFIG = {
    "TESTING": True,
    "SESSION_COOKIE_SECURE": False,  # the test client speaks plain HTTP
    "RATELIMIT_ENABLED": False,  # tests that check the limits turn them on
    "VIEW_COUNT_FLUSH_SECONDS": 0,  # write each view at once, so tests can count them
}


def pytest_generate_tests(metafunc):
    """`region` runs a test once per region; `region_side` once per region and way to open it."""
    if "region" in metafunc.fixturenames:
        metafunc.parametrize("region", CONTENT.regions, ids=[r.slug for r in CONTENT.regions])
    if "region_side" in metafunc.fixturenames:
        pairs = [(r, s) for r in CONTENT.regions for s in region_sides(r)]
        metafunc.parametrize("region_side", pairs, ids=[f"{r.slug}-{s or 'any'}" for r, s in pairs])


def unavailable(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def postgres_schema(statement: str) -> None:
    """Run CREATE or DROP for this run's schema; skip (fail under CI) when no server answers."""
    engine = create_engine(sqlalchemy_url(POSTGRES_SERVER), connect_args={"connect_timeout": 3})
    try:
        with engine.begin() as connection:
            connection.execute(
                text(f"{statement} SCHEMA {POSTGRES_SCHEMA}" + (" CASCADE" if statement == "DROP" else ""))
            )
    except Exception as error:  # noqa: BLE001 - any failure means there is no server to test against
        unavailable(f"PostgreSQL at {POSTGRES_SERVER} is not available: {type(error).__name__}")
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """Every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/bodymap.sqlite3"
        return
    postgres_schema("CREATE")
    yield POSTGRES_URL
    postgres_schema("DROP")


@pytest.fixture(scope="session")
def db_app(database_url, tmp_path_factory):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    migrate.upgrade(app)
    yield app
    app.extensions["bodymap.engine"].dispose()


def empty_tables(app) -> None:
    with app.extensions["bodymap.sessions"]() as session, session.begin():
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


@pytest.fixture
def db_client(db_app):
    """A client on an app whose tables are emptied after the test."""
    yield db_app.test_client()
    empty_tables(db_app)


@pytest.fixture
def staff_client(db_client, db_app):
    """A client signed in as a front-desk member."""
    add_staff(db_app)
    assert sign_in(db_client).status_code == 303
    return db_client


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app on a throwaway SQLite database, for tests that do not care which database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('app')}/bodymap.sqlite3"
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    migrate.upgrade(app)
    return app


@pytest.fixture
def client(app):
    return app.test_client()
