"""`GET /metrics` for Prometheus: what the service does, and whether the desk's work is getting done.

Counted per request (in every gunicorn worker, added up through PROMETHEUS_MULTIPROC_DIR): requests by route and
status, and their duration by route (`bodymap.operations.access`). Read at each scrape, in a thread of its own:

- `bodymap_dependency_up{dependency}`: the database and the rate-limit store answer (the checks /readyz runs);
- `bodymap_callback_requests_waiting`, `..._oldest_waiting_seconds` and `bodymap_callback_requests_overdue`
  (a new request whose "when to call" window has ended or ends within 30 minutes, as the queue marks it);
- `bodymap_desk_emails_waiting` and `..._oldest_waiting_seconds`: the front desk's email outbox;
- `bodymap_notify_heartbeat_age_seconds`: since the notify worker's last pass (left out when none beat for a day);
- `bodymap_content_stale`: 1 while the app serves its last good content because the file is broken.

A database that hangs costs a scrape SCRAPE_SECONDS at most: the readings that have not come by then are left out
(and `bodymap_dependency_up{dependency="database"}` says 0); the thread still waiting is reused, not repeated.

Answered to loopback, or to `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time); anyone else gets
the 404 page. Never cached, rate limited or given a session, and served whatever Host the scraper sends.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from concurrent.futures import Future

from flask import Flask, Response, current_app, request
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from bodymap import content, data
from bodymap.data.models import CallbackRequest, Notification, utcnow
from bodymap.notify import heartbeat, reminders
from bodymap.notify.schedule import Schedule
from bodymap.operations.access import RequestMetrics
from bodymap.web.health import Probe

SCRAPE_SECONDS = 1.5  # the longest a scrape waits for the database and the rate-limit store
CONTENT_STALE = "bodymap.content_stale"  # app.extensions: truthy (or a function that says so) while content is stale


class Reading(Probe):
    """A reading taken in the background, like a /readyz check, whose answer is its value rather than yes or no."""

    def _run(self, future: Future) -> None:
        try:
            future.set_result(self.check())
        except Exception as error:  # noqa: BLE001 - any failure means no reading this time
            future.set_exception(error)


def desk_readings(app: Flask) -> dict[str, float]:
    """What waits for the front desk, read from the database now."""
    now = utcnow()
    schedule = Schedule.of(content.get(app, "en").clinic)
    with data.new_session(app) as db_session:
        waiting, oldest = db_session.execute(
            select(func.count(), func.min(CallbackRequest.created_at)).where(CallbackRequest.status == "new")
        ).one()
        overdue = reminders.waiting(db_session, schedule, now)["overdue"] if waiting else 0
        emails, oldest_email = db_session.execute(
            select(func.count(), func.min(Notification.created_at)).where(Notification.status == "waiting")
        ).one()
        beat = heartbeat.newest(db_session)
    readings = {
        "callback_requests_waiting": waiting,
        "callback_requests_oldest_waiting_seconds": (now - oldest).total_seconds() if oldest else 0.0,
        "callback_requests_overdue": overdue,
        "desk_emails_waiting": emails,
        "desk_emails_oldest_waiting_seconds": (now - oldest_email).total_seconds() if oldest_email else 0.0,
    }
    if beat is not None:
        readings["notify_heartbeat_age_seconds"] = max(0.0, (now - beat).total_seconds())
    return readings


HELP = {
    "callback_requests_waiting": "Callback requests still new.",
    "callback_requests_oldest_waiting_seconds": "Age of the oldest new callback request (0 when none waits).",
    "callback_requests_overdue": "New callback requests whose window to call has ended or ends within 30 minutes.",
    "desk_emails_waiting": "Emails to the front desk waiting in the outbox.",
    "desk_emails_oldest_waiting_seconds": "Age of the oldest email waiting in the outbox (0 when none waits).",
    "notify_heartbeat_age_seconds": "Seconds since the notify worker's last pass (absent when none ran for a day).",
}


def _answer(future: Future, deadline: float):
    """The future's result by `deadline`; None when it has not come or failed."""
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except Exception:  # noqa: BLE001 - a timeout or a failure: no value this time
        return None


def content_stale(app: Flask) -> bool:
    stale = app.extensions.get(CONTENT_STALE)
    return bool(stale() if callable(stale) else stale)


class ScrapeTime:
    """The gauges read at each scrape (a prometheus_client custom collector)."""

    def __init__(self, app: Flask):
        self.app = app
        self.readings = Reading("metrics-database", lambda: desk_readings(app))

    def collect(self):
        deadline = time.monotonic() + SCRAPE_SECONDS
        checks = [(probe.name, probe.start()) for probe in self.app.extensions["bodymap.probes"]]
        readings = self.readings.start()
        up = GaugeMetricFamily(
            "bodymap_dependency_up", "1 when it answers within the scrape's wait.", labels=["dependency"]
        )
        for name, future in checks:
            up.add_metric([name.replace(" ", "_").replace("-", "_")], 1.0 if _answer(future, deadline) else 0.0)
        yield up
        for name, value in (_answer(readings, deadline) or {}).items():
            yield GaugeMetricFamily(f"bodymap_{name}", HELP[name], value=value)
        stale = content_stale(self.app)
        yield GaugeMetricFamily("bodymap_content_stale", "1 while the content file is broken.", value=float(stale))


def registry(app: Flask, requests: RequestMetrics) -> CollectorRegistry:
    """Every worker's request counts (from the multiprocess folder under gunicorn, else this process's own) and the
    gauges read at each scrape."""
    found = CollectorRegistry(auto_describe=False)
    folder = app.config["PROMETHEUS_MULTIPROC_DIR"]
    if folder:
        MultiProcessCollector(found, path=folder)
    else:
        for collector in requests.collectors():
            found.register(collector)
    found.register(ScrapeTime(app))
    return found


def loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def allowed() -> bool:
    """Loopback (the client ProxyFix found, behind TRUSTED_PROXIES), or the bearer of METRICS_TOKEN."""
    if loopback(request.remote_addr):
        return True
    token = current_app.config["METRICS_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def metrics():
    if not allowed():
        return _no_store(current_app.make_response(current_app.handle_http_exception(NotFound())))
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))  # OpenMetrics when Prometheus asks
    return _no_store(Response(encode(current_app.extensions["bodymap.metrics"]), content_type=content_type))


def init_app(app: Flask, requests: RequestMetrics) -> None:
    app.extensions["bodymap.metrics"] = registry(app, requests)
    app.add_url_rule("/metrics", "metrics", metrics)
