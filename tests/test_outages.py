"""Outages get a clear answer, never a 500: the rate-limit store down, the database down or locked."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from bodymap.web import log_filters, rate_limits
from tests.helpers import HTMX, add_staff, csrf_token_from, send_callback, sign_in, soup, stored

CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
DOWN_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:9/test"  # nor on port 9


def typed_value(page, name):
    return page.select_one(f'form [name="{name}"]').get("value")


@pytest.fixture
def fresh_warning_budget(monkeypatch):
    """The once-a-minute budget of limiter warnings starts unused, and the clock is ours to move."""
    clock = [1_000_000.0]
    monkeypatch.setattr(rate_limits.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(log_filters.time, "monotonic", lambda: clock[0])
    for log_filter in logging.getLogger(rate_limits.LOGGER).filters:
        if isinstance(log_filter, log_filters.OncePerMinute):
            monkeypatch.setattr(log_filter, "last", float("-inf"))
    return clock


def limiter_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == rate_limits.LOGGER and r.levelno >= logging.WARNING]


def test_with_the_rate_limit_store_down_forms_work_on_an_in_memory_limit(make_app, caplog, fresh_warning_budget):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=CLOSED_REDIS)
    add_staff(app)
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            assert send_callback(client).status_code == 303
        refused = send_callback(client, name="Sixth Try")
        assert sign_in(client).status_code == 303
        assert sign_in(app.test_client(), password="not the password at all").status_code == 401
    assert len(stored(app)) == 5
    assert refused.status_code == 429  # the limit still holds, counted in this process's memory
    assert typed_value(soup(refused), "name") == "Sixth Try"
    assert len(limiter_warnings(caplog)) == 1, "one warning, not one per request"
    assert app.extensions["bodymap.rate_limits"].store_down


def test_while_the_store_stays_down_the_log_gets_one_warning_a_minute(make_app, caplog, fresh_warning_budget):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=CLOSED_REDIS)
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            send_callback(client, phone="1")
        fresh_warning_budget[0] += 61
        for _ in range(3):
            send_callback(client, phone="1")
    warnings = limiter_warnings(caplog)
    assert len(warnings) == 2
    assert warnings[1].getMessage().startswith(rate_limits.STORE_DOWN_WARNING)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_database_outage_answers_60_seconds_even_with_rate_limits_on(make_app, content, htmx):
    app = make_app(RATELIMIT_ENABLED=True, DATABASE_URL=DOWN_DATABASE, migrated=False)
    response = send_callback(app.test_client(), htmx=htmx, name="Waiting Patient")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = soup(response)
    assert page.select_one('a[href^="tel:"]')["href"] == content.clinic.tel
    if not htmx:
        assert typed_value(page, "name") == "Waiting Patient"


def test_a_locked_database_answers_60_seconds_even_with_rate_limits_on(make_app, tmp_path):
    app = make_app(
        RATELIMIT_ENABLED=True, DATABASE_URL=f"sqlite:///{tmp_path}/locked.sqlite3", DATABASE_BUSY_TIMEOUT_MS=100
    )
    from bodymap.data import migrate

    migrate.upgrade(app)
    client = app.test_client()
    form = client.get("/callback")
    blocker = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        response = send_callback(client, form=form, name="Locked Out")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert typed_value(soup(response), "name") == "Locked Out"


def test_sign_in_with_the_database_down_is_a_503_that_keeps_the_email(make_app):
    app = make_app(DATABASE_URL=DOWN_DATABASE, migrated=False)
    response = sign_in(app.test_client(), email="desk@clinic.example", password="maple river quiet lantern")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = soup(response)
    assert "not answering" in page.select_one('[role="alert"]').get_text()
    assert page.select_one('input[name="email"]')["value"] == "desk@clinic.example"
    assert "maple river" not in response.get_data(as_text=True)


@pytest.fixture
def signed_in_then_down(make_app):
    """A browser signed in on a working app, then the same site with its database down (same secret key)."""
    working = make_app(SECRET_KEY="outage-test-key")
    add_staff(working)
    client = working.test_client()
    assert sign_in(client).status_code == 303
    token = csrf_token_from(client.get("/staff/callbacks"))
    down = make_app(SECRET_KEY="outage-test-key", DATABASE_URL=DOWN_DATABASE, migrated=False)
    replay = down.test_client()
    replay.set_cookie("session", client.get_cookie("session").value)
    return replay, token


@pytest.mark.parametrize("url", ["/staff/callbacks", "/staff/guide", "/staff/insights", "/staff/callbacks/rows"])
def test_staff_pages_with_the_database_down_get_a_staff_styled_503(signed_in_then_down, content, url):
    client, _ = signed_in_then_down
    response = client.get(url)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.select_one("header.staff-header") is not None
    assert page.select_one("#new-count") is None, "the count of new requests needs the database"
    assert page.h1.get_text() == "The front-desk pages are not answering"
    assert page.select_one('a[href^="tel:"]')["href"] == content.clinic.tel


def test_a_staff_form_post_with_the_database_down_gets_the_503_too(signed_in_then_down):
    client, token = signed_in_then_down
    response = client.post("/staff/calls", data={"csrf_token": token, "outcome": "booked"}, headers=HTMX)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"


def test_signing_out_with_the_database_down_still_signs_this_browser_out(signed_in_then_down):
    client, token = signed_in_then_down
    response = client.post("/staff/logout", data={"csrf_token": token})
    assert response.status_code == 303
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one('[role="status"]').get_text().strip() == "You are signed out."
    assert client.get("/staff/callbacks").status_code == 302


def test_a_sign_out_the_locked_database_could_not_record_ends_the_session_when_it_answers_again(
    make_app, monkeypatch, tmp_path
):
    from bodymap.data.models import StaffSession
    from bodymap.staff import pending_signouts

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(pending_signouts, "RETRY_SECONDS", 0.1)
    app = make_app(DATABASE_BUSY_TIMEOUT_MS=200)
    add_staff(app)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    token = csrf_token_from(client.get("/staff/callbacks"))
    writer = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the database answers reads but takes no write: signing out cannot be stored
    try:
        assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
        assert copied.get("/staff/callbacks").status_code == 302, "refused at once, from the pending list"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    signouts = pending_signouts.of(app)
    deadline = time.monotonic() + 10
    while signouts.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not signouts.pending() and not (tmp_path / "instance" / pending_signouts.FILE).exists()
    with app.extensions["bodymap.sessions"]() as session:
        assert session.query(StaffSession).count() == 0, "the database has recorded the sign-out"
    assert copied.get("/staff/callbacks").status_code == 302


@pytest.mark.one_clinic
def test_a_sign_out_kept_while_another_process_empties_the_list_is_not_lost(make_app, monkeypatch, tmp_path):
    """Process A holds the list to empty and remove it; B's sign-out waits for the lock, then goes into a new list,
    not into the file A removed."""
    import fcntl
    import threading

    from bodymap.staff import pending_signouts

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(pending_signouts.PendingSignouts, "_start_retrying", lambda self: None)
    signouts = pending_signouts.of(make_app())
    signouts.path.write_text("recorded-by-a\n")
    with signouts.path.open("r+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting = threading.Thread(target=signouts.add, args=("kept-by-b",))
        waiting.start()
        time.sleep(0.2)  # B is waiting for the lock
        signouts.path.unlink()  # A found nothing else on the list
    waiting.join(timeout=5)
    assert signouts.path.read_text() == "kept-by-b\n"
    assert signouts.pending() == {"kept-by-b"}


def test_the_confirmation_page_with_the_database_down_is_a_503_with_the_phone_number(make_app, content):
    working = make_app(SECRET_KEY="outage-test-key")
    client = working.test_client()
    assert send_callback(client).status_code == 303
    down = make_app(SECRET_KEY="outage-test-key", DATABASE_URL=DOWN_DATABASE, migrated=False)
    replay = down.test_client()
    replay.set_cookie("session", client.get_cookie("session").value)
    response = replay.get("/callback/sent")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert soup(response).select_one('main a[href^="tel:"]')["href"] == content.clinic.tel
