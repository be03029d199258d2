"""/metrics for Prometheus: requests by route and status, what waits for the front desk, the notify worker's
heartbeat, the database and the rate-limit store, stale content; answered to loopback or METRICS_TOKEN alone."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bodymap.data.models import Notification, NotifyHeartbeat, utcnow
from bodymap.notify.worker import Worker
from bodymap.settings import ConfigError, from_environment
from bodymap.web.caching import stored_responses
from tests.helpers import add_rows, callback_request, soup
from tests.hung_server import hung_server

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

TOKEN = "a" * 24 + "-metrics-token-for-tests"
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def samples(response) -> dict[tuple, float]:
    """Each sample of a scrape by its name and labels: {("bodymap_x", (("label", "value"),)): 1.0}."""
    assert response.status_code == 200, response.status_code
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client, **options) -> dict[tuple, float]:
    return samples(client.get("/metrics", buffered=True, **options))


def requests_counted(found: dict, route: str, status: str = "200") -> float:
    return found.get(("bodymap_http_requests_total", (("route", route), ("status", status))), 0.0)


def test_metrics_count_requests_by_route_and_status_with_their_durations(make_app):
    client = make_app().test_client()
    for _ in range(3):
        client.get("/", buffered=True)
    client.get("/no/such/page", buffered=True)
    found = scrape(client)
    assert requests_counted(found, "public.index") == 3
    assert requests_counted(found, "not_found", "404") == 1
    assert found[("bodymap_http_request_duration_seconds_count", (("route", "public.index"),))] == 3
    assert found[("bodymap_http_request_duration_seconds_bucket", (("le", "+Inf"), ("route", "public.index")))] == 3


def test_pages_from_the_store_of_public_responses_are_counted_under_the_route_that_made_them(make_app):
    app = make_app()
    client = app.test_client()
    for _ in range(5):
        client.get("/", buffered=True)
    assert any(key[3] == "/" for key in stored_responses(app).entries), "the later four came from the store"
    assert requests_counted(scrape(client), "public.index") == 5


def test_odd_paths_never_make_a_series_each(make_app):
    client = make_app().test_client()
    for number in range(20):
        client.get(f"/wp-admin/{number}.php?x={number}", buffered=True)
    routes = {dict(labels)["route"] for name, labels in scrape(client) if name == "bodymap_http_requests_total"}
    assert routes == {"not_found"}


def test_metrics_are_404_to_another_address_without_the_token(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"X-Real-IP": "::1"}):
        response = client.get("/metrics", environ_base=ELSEWHERE, headers=headers)
        assert response.status_code == 404
        assert soup(response).select_one("h1") is not None, "the site's own 404 page, as for any unknown path"
        assert response.headers["Cache-Control"] == "no-store"
        assert "bodymap_" not in response.get_data(as_text=True)


def test_metrics_answer_the_bearer_of_the_token_from_anywhere(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()
    found = scrape(client, environ_base=ELSEWHERE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ("bodymap_content_stale", ()) in found


def test_without_a_token_set_no_bearer_opens_the_metrics(make_app):
    client = make_app().test_client()
    response = client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer "})
    assert response.status_code == 404


def test_behind_a_trusted_proxy_the_client_it_names_decides(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_metrics_are_never_cached_limited_or_given_a_cookie_and_answer_any_host(make_app):
    app = make_app(PUBLIC_URL="https://pain.clinic.example", RATELIMIT_ENABLED=True)
    client = app.test_client()
    for _ in range(3):
        response = client.get("/metrics", headers={"Host": "10.0.0.5:8000"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers and "ETag" not in response.headers
        assert response.content_type.startswith("text/plain; version=0.0.4")
    assert not [key for key in stored_responses(app).entries if key[3] == "/metrics"]
    openmetrics = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert openmetrics.content_type.startswith("application/openmetrics-text")


def test_the_desk_gauges_count_requests_waiting_overdue_and_emails_in_the_outbox(db_client, db_app):
    now = utcnow()
    three_days = datetime.timedelta(days=3)
    waiting = callback_request(preferred_time="morning", created_at=now - three_days)  # its window ended days ago
    handled = callback_request(preferred_time="morning", created_at=now - 2 * three_days, status="contacted")
    add_rows(db_app, waiting, handled)
    email_time = now - datetime.timedelta(minutes=20)
    add_rows(
        db_app,
        Notification(kind="request", key=f"request:{waiting.id}", callback_id=waiting.id, created_at=email_time),
        Notification(kind="request", key=f"request:{handled.id}", callback_id=handled.id, status="sent"),
    )
    found = scrape(db_client)
    assert found[("bodymap_callback_requests_waiting", ())] == 1
    assert found[("bodymap_callback_requests_overdue", ())] == 1
    assert found[("bodymap_callback_requests_oldest_waiting_seconds", ())] == pytest.approx(3 * 86400, abs=60)
    assert found[("bodymap_desk_emails_waiting", ())] == 1
    assert found[("bodymap_desk_emails_oldest_waiting_seconds", ())] == pytest.approx(20 * 60, abs=60)
    assert found[("bodymap_dependency_up", (("dependency", "database"),))] == 1
    assert found[("bodymap_dependency_up", (("dependency", "rate_limit_store"),))] == 1


def test_with_nothing_waiting_the_oldest_ages_are_zero(db_client):
    found = scrape(db_client)
    assert found[("bodymap_callback_requests_waiting", ())] == 0
    assert found[("bodymap_callback_requests_oldest_waiting_seconds", ())] == 0
    assert found[("bodymap_desk_emails_oldest_waiting_seconds", ())] == 0


def test_each_pass_of_the_notify_worker_is_a_heartbeat_the_metrics_read(db_client, db_app, make_app):
    assert ("bodymap_notify_heartbeat_age_seconds", ()) not in scrape(db_client), "no worker has run"
    worker_app = make_app(
        DATABASE_URL=db_app.config["DATABASE_URL"],
        SMTP_URL="smtp://127.0.0.1:9",  # nothing waits, so nothing is sent
        DESK_EMAIL=("desk@clinic.example",),
        PUBLIC_URL="https://clinic.example",
        REMINDER_AFTER_MINUTES=0,
    )
    gone = utcnow() - datetime.timedelta(days=2)
    add_rows(db_app, NotifyHeartbeat(worker="old-host:1", started_at=gone, beat_at=gone))  # a worker stopped long ago
    try:
        worker = Worker(worker_app)
        worker.step(utcnow() - datetime.timedelta(minutes=10))
        with db_app.extensions["bodymap.sessions"]() as session:
            assert [row.worker for row in session.scalars(select(NotifyHeartbeat))] == [worker.name], "forgotten"
        assert scrape(db_client)[("bodymap_notify_heartbeat_age_seconds", ())] == pytest.approx(600, abs=30)
        worker.step()
        assert scrape(db_client)[("bodymap_notify_heartbeat_age_seconds", ())] < 30
    finally:
        worker_app.extensions["bodymap.engine"].dispose()


@pytest.mark.parametrize("stale", [True, lambda: True], ids=["flag", "function"])
def test_stale_content_shows_in_its_gauge(make_app, stale):
    app = make_app()
    assert scrape(app.test_client())[("bodymap_content_stale", ())] == 0
    app.extensions["bodymap.content_stale"] = stale
    assert scrape(app.test_client())[("bodymap_content_stale", ())] == 1


@pytest.mark.slow
def test_a_hung_database_holds_a_scrape_two_seconds_at_most(make_app):
    with hung_server() as port:
        app = make_app(migrated=False, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/x")
        client = app.test_client()
        for _ in range(2):  # the second finds the first reading still waiting, and does not start another
            started = time.monotonic()
            found = scrape(client)
            assert time.monotonic() - started < 2.0
            assert found[("bodymap_dependency_up", (("dependency", "database"),))] == 0
            assert found[("bodymap_dependency_up", (("dependency", "rate_limit_store"),))] == 1
            assert ("bodymap_callback_requests_waiting", ()) not in found
            assert ("bodymap_content_stale", ()) in found
        assert sum(t.name == "readyz-metrics-database" for t in threading.enumerate()) <= 1


@pytest.mark.parametrize("token", ["short", "has space in it and is long enough to pass", "ü" * 40])
def test_a_metrics_token_that_is_short_or_odd_stops_the_app(monkeypatch, tmp_path, token):
    monkeypatch.setenv("METRICS_TOKEN", token)
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        from_environment(str(tmp_path))


def test_a_metrics_folder_that_does_not_exist_stops_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="PROMETHEUS_MULTIPROC_DIR"):
        from_environment(str(tmp_path))
