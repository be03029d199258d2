"""Health checks: /healthz says the process answers, /readyz that the database and the rate-limit store do."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from bodymap.web.caching import stored_responses
from bodymap.web.health import Probe
from tests.hung_server import hung_server

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content


def lines(response) -> list[str]:
    return response.get_data(as_text=True).splitlines()


@pytest.mark.slow
def test_healthz_answers_without_the_database(make_app):
    with hung_server() as port:
        # Connecting gives up after DATABASE_TIMEOUT_SECONDS (the app waits that long at start for the sign-offs):
        # four times the time healthz has here, so a healthz that asked the database would be caught waiting.
        app = make_app(
            migrated=False, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/x", DATABASE_TIMEOUT_SECONDS=2
        )
        started = time.monotonic()
        response = app.test_client().get("/healthz")
        assert time.monotonic() - started < 0.5
    assert response.status_code == 200 and lines(response) == ["ok"]


def test_readyz_is_ready_when_the_database_and_the_store_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert lines(response) == ["ready", "database: ok", "rate-limit store: ok", "content: ok"]


@pytest.mark.slow
def test_readyz_names_a_hung_database_within_two_seconds(make_app):
    with hung_server() as port:
        # Connecting gives up after DATABASE_TIMEOUT_SECONDS: longer than both checks here, so both find it waiting.
        app = make_app(
            migrated=False, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/x", DATABASE_TIMEOUT_SECONDS=10
        )
        client = app.test_client()
        for _ in range(2):  # the second finds the first check still waiting, and does not start another
            started = time.monotonic()
            response = client.get("/readyz")
            assert time.monotonic() - started < 2
            assert response.status_code == 503
            # Waiting on it, or (once a wait has timed out) not asking it again for a while: either way, named.
            assert lines(response)[0] == "not ready"
            assert lines(response)[1] in ("database: no answer within 1.5 s", "database: unreachable (DatabasePaused)")
            assert "rate-limit store: ok" in lines(response)
        assert sum(t.name == "readyz-database" for t in threading.enumerate()) <= 1


def test_readyz_is_not_ready_while_sqlite_is_locked_by_another_writer(make_app, tmp_path):
    app = make_app(DATABASE_BUSY_TIMEOUT_MS=200)
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long import or a stuck process would
    try:
        response = app.test_client().get("/readyz")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 503
    assert lines(response)[1].startswith("database: unreachable (OperationalError)")
    assert app.test_client().get("/readyz").status_code == 200, "ready again once the lock is let go"


def test_readyz_is_not_ready_on_a_read_only_database(make_app):
    app = make_app()
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    read_only = make_app(migrated=False, DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true")
    response = read_only.test_client().get("/readyz")
    assert response.status_code == 503
    assert lines(response)[1].startswith("database: unreachable (OperationalError)")


def test_readyz_names_an_unreachable_database(make_app, tmp_path):
    app = make_app(migrated=False, DATABASE_URL=f"sqlite:///{tmp_path}/missing/folder/x.sqlite3")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert lines(response)[1].startswith("database: unreachable")


def test_readyz_names_a_rate_limit_store_that_does_not_answer(make_app):
    app = make_app()
    release = threading.Event()
    probes = app.extensions["bodymap.probes"]
    probes[1] = Probe("rate-limit store", lambda: release.wait(5))
    try:
        response = app.test_client().get("/readyz")
    finally:
        release.set()
    assert response.status_code == 503
    assert lines(response) == [
        "not ready",
        "database: ok",
        "rate-limit store: no answer within 1.5 s",
        "content: ok",
    ]


def test_health_checks_are_never_cached_counted_or_given_a_cookie(make_app):
    app = make_app()
    client = app.test_client()
    for url in ("/healthz", "/readyz"):
        for _ in range(2):
            response = client.get(url)
            assert response.headers["Cache-Control"] == "no-store"
            assert "ETag" not in response.headers and "Set-Cookie" not in response.headers
    assert not [key for key in stored_responses(app).entries if key[3] in ("/healthz", "/readyz")]
    assert sum(app.extensions["bodymap.view_counter"].pending.values()) == 0


def test_health_checks_are_not_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    assert all(client.get("/readyz").status_code == 200 for _ in range(50))
