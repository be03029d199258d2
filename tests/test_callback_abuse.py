"""Abuse and faults: bots, floods, huge bodies, expired tokens and a database that is down."""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from itsdangerous import timed

from tests.conftest import redis_url
from tests.helpers import GOOD_CALLBACK, HTMX, hidden_fields, send_callback, soup, stored


def typed_value(page, name):
    return page.select_one(f'#callback-form [name="{name}"]').get("value")


def typed_select(page, name):
    return page.select_one(f'#callback-form select[name="{name}"] option[selected]')["value"]


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(db_client, db_app):
    assert send_callback(db_client, website="https://spam.example").status_code == 303
    assert send_callback(db_client, htmx=True, website="buy now").status_code == 201
    assert stored(db_app) == []


def test_the_honeypot_is_hidden_from_people(client):
    form = soup(client.get("/callback")).select_one("#callback-form")
    trap = form.select_one('input[name="website"]')
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert "trap" in trap.find_parent("div")["class"]


def limited_app(make_app, **config):
    return make_app(RATELIMIT_ENABLED=True, **config)


def exhaust_the_limit(app):
    client = app.test_client()
    for _ in range(5):
        assert send_callback(client).status_code == 303
    return client


def assert_refused_with_phone_number_and_what_was_typed(response, content):
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    page = soup(response)
    assert page.select_one('#callback-alert a[href^="tel:"]')["href"] == content.clinic.tel
    assert typed_value(page, "name") == "Late Sender"


def test_a_few_requests_an_hour_then_a_429_that_gives_the_phone_number(make_app, content):
    app = limited_app(make_app)
    client = exhaust_the_limit(app)
    assert_refused_with_phone_number_and_what_was_typed(send_callback(client, name="Late Sender"), content)
    assert len(stored(app)) == 5
    htmx = send_callback(client, htmx=True, name="Late Sender")
    assert htmx.status_code == 429
    assert soup(htmx).find("form") is None  # only the message: the form on screen keeps what was typed


def test_typing_mistakes_do_not_use_up_the_limit(make_app):
    app = limited_app(make_app)
    client = app.test_client()
    for _ in range(6):
        assert send_callback(client, phone="1").status_code == 422
    assert send_callback(client).status_code == 303


def test_adding_and_removing_areas_never_counts_as_a_send_or_an_attempt(make_app):
    app = limited_app(make_app)
    client = app.test_client()
    fields = {**hidden_fields(client.get("/callback")), **GOOD_CALLBACK}
    for action in ["add-area", "remove-1", "update"] * 12:  # more than the 30 attempts an hour
        assert client.post("/callback", data={**fields, "action": action}).status_code == 200
    for _ in range(5):
        assert send_callback(client).status_code == 303
    assert len(stored(app)) == 5
    assert send_callback(client).status_code == 429


def test_a_filled_honeypot_with_several_areas_stores_nothing(db_client, db_app):
    two = {"areas-1-region": "neck", "areas-1-side": "", "areas-1-pain": "3"}
    assert send_callback(db_client, website="https://spam.example", **two).status_code == 303
    assert stored(db_app) == []


def test_the_limit_is_counted_in_redis_when_configured(make_app, content):
    import redis

    url = redis_url()
    prefix = f"bodymap-test-{uuid.uuid4()}"
    app = limited_app(make_app, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
    exhaust_the_limit(app)
    connection = redis.Redis.from_url(url)
    try:
        assert connection.keys(f"*{prefix}*"), "no counters in Redis"
        # A second app server sharing the same Redis refuses the same address too.
        other = limited_app(make_app, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
        refused = send_callback(other.test_client(), name="Late Sender")
        assert_refused_with_phone_number_and_what_was_typed(refused, content)
    finally:
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)


@pytest.mark.slow
@pytest.mark.parametrize("store", ["memory", "redis"])
def test_sixteen_posts_at_once_from_one_address_store_at_most_five(make_app, store):
    """The limit is taken before the request is stored, in one atomic step: a burst cannot slip past it."""
    import redis

    prefix = f"bodymap-test-{uuid.uuid4()}"
    config = {"RATELIMIT_STORAGE_URI": redis_url(), "RATELIMIT_KEY_PREFIX": prefix} if store == "redis" else {}
    app = limited_app(make_app, **config)
    forms = []
    for _ in range(16):  # sixteen browsers behind one address, each with its own form and token
        client = app.test_client()
        forms.append((client, hidden_fields(client.get("/callback"))))
    start = threading.Barrier(16)

    def post(client_and_form):
        client, fields = client_and_form
        start.wait(timeout=30)
        return client.post("/callback", data={**fields, **GOOD_CALLBACK}).status_code

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(post, forms))
    finally:
        if store == "redis":
            connection = redis.Redis.from_url(redis_url())
            for key in connection.scan_iter(f"*{prefix}*"):
                connection.delete(key)
    assert statuses.count(303) <= 5 and len(stored(app)) == statuses.count(303)
    assert statuses.count(303) + statuses.count(429) == 16
    assert statuses.count(303) == 5, "and five do get through"


def test_a_request_body_over_16_kb_gets_a_friendly_413(client):
    fields = hidden_fields(client.get("/callback"))
    response = client.post("/callback", data={**fields, **GOOD_CALLBACK, "note": "x" * 20_000})
    assert response.status_code == 413
    page = soup(response)
    assert page.h1.get_text() == "That was too long"
    assert page.select_one('main a[href^="tel:"]') is not None
    htmx = client.post("/callback", data={**fields, **GOOD_CALLBACK, "note": "x" * 20_000}, headers=HTMX)
    assert htmx.status_code == 413 and soup(htmx).find("html") is None


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_an_expired_token_gets_a_friendly_page_that_keeps_what_was_typed(db_client, db_app, monkeypatch, htmx):
    real_time = timed.time.time
    monkeypatch.setattr(timed.time, "time", lambda: real_time() - 7200)  # the form was opened two hours ago
    form = db_client.get("/callback")
    monkeypatch.setattr(timed.time, "time", real_time)
    response = send_callback(db_client, htmx=htmx, form=form, name="Slow Typist", note="Took my time")
    assert response.status_code == 400
    page = soup(response)
    assert "open for a long time" in page.select_one("#callback-alert").get_text()
    assert typed_value(page, "name") == "Slow Typist"
    assert page.select_one('textarea[name="note"]').get_text().strip() == "Took my time"
    retry = db_client.post("/callback", data={**hidden_fields(response), **GOOD_CALLBACK, "name": "Slow Typist"})
    assert retry.status_code == 303
    assert [s.name for s in stored(db_app)] == ["Slow Typist"]


def test_a_post_without_a_token_is_refused(db_client, db_app):
    fields = hidden_fields(db_client.get("/callback"))
    response = db_client.post("/callback", data={**GOOD_CALLBACK, "submission_key": fields["submission_key"]})
    assert response.status_code == 400
    assert stored(db_app) == []


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_with_the_database_down_the_patient_gets_the_phone_number_and_keeps_what_was_typed(
    make_app, content, caplog, htmx
):
    # nothing listens on port 9
    app = make_app(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/test", migrated=False)
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        second = {"areas-1-region": "neck", "areas-1-side": "", "areas-1-pain": "8"}
        response = send_callback(client, htmx=htmx, name="Private Person", note="private note 4711", **second)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.select_one('a[href^="tel:"]')["href"] == content.clinic.tel
    if htmx:
        assert page.find("form") is None  # the alert alone; the form on screen is untouched
    else:
        assert typed_value(page, "name") == "Private Person"
        assert "private note 4711" in page.select_one('textarea[name="note"]').get_text()
        assert [typed_select(page, f"areas-{n}-region") for n in (0, 1)] == ["knee", "neck"]
        assert typed_select(page, "areas-1-pain") == "8"
    for record in caplog.records:
        text = record.getMessage() + str(record.exc_info and record.exc_info[1])
        assert "Private Person" not in text and "4711" not in text and "555" not in text


def test_a_locked_sqlite_database_gets_a_503_and_leaves_no_half_written_row(make_app, tmp_path, caplog):
    url = f"sqlite:///{tmp_path}/locked.sqlite3"
    app = make_app(DATABASE_URL=url, DATABASE_BUSY_TIMEOUT_MS=200)
    client = app.test_client()
    form = client.get("/callback")
    blocker = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.ERROR):
            response = send_callback(client, form=form, name="Locked Out", note="secret 9931")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    assert typed_value(soup(response), "name") == "Locked Out"
    assert stored(app) == []
    assert all("9931" not in r.getMessage() + str(r.exc_info and r.exc_info[1]) for r in caplog.records)
    assert send_callback(client, form=form).status_code == 303  # once the lock is gone, the same form goes through
    assert len(stored(app)) == 1


def test_personal_data_never_travels_in_a_url(client):
    form = soup(client.get("/callback")).select_one("#callback-form")
    assert form["method"] == "post"
    response = client.get("/callback?name=Ana&phone=5035550142")
    assert "Ana" not in response.get_data(as_text=True).split("<main")[1].split("</main>")[0]
