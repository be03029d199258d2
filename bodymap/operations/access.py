"""Every request gets an id, an access line and its place in the request metrics, in front of everything else.

`Observed` is the outermost WSGI layer of the app (inside ProxyFix alone, which finds the client's address): it
sees the responses the store of public responses answers without Flask, the host check's refusals and every page
alike. For each request it

- takes the id from `X-Request-ID` when a trusted proxy sent it (TRUSTED_PROXIES above 0) and it looks like an id
  (1 to 128 letters, digits, `.`, `_` or `-`), else makes one (128 random bits in hex) and sends it back;
- writes one access line (logger `bodymap.access`) when the body has gone: method, path without the query string,
  status, duration in ms, response size in bytes, the request id and the client's network (IPv4 /24, IPv6 /48);
- counts the request by route and status, and its duration by route, for /metrics. The route is the endpoint that
  answered (`public.index`), which the store remembers for each response it keeps; `not_found` for a 404 with no
  endpoint, `unmatched` for anything else no endpoint answered. Never the raw path: a scan of odd paths cannot
  make a series each.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import random
import re
import time

from flask import Flask, Response, request
from prometheus_client import Counter, Histogram

from bodymap.operations.logs import REQUEST_ID
from bodymap.web.caching import each_time_served

ROUTE = "bodymap.route"  # in the WSGI environ: a dict the app fills in, shared with the copies the layers make
ID = "bodymap.request_id"
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
PATH_SHOWN = 256  # characters of a path written to the log; a longer one is cut
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

log = logging.getLogger("bodymap.access")
ACCESS_LINE = "%s %s %s %s %s ms %s B"  # client, method, path, status, duration, size


class RequestMetrics:
    """Requests by route and status, and their durations by route (one per app; in gunicorn, each worker writes its
    counts to PROMETHEUS_MULTIPROC_DIR and /metrics adds them up)."""

    def __init__(self) -> None:
        self.requests = Counter(
            "bodymap_http_requests", "Requests answered, by route and status.", ["route", "status"], registry=None
        )
        self.duration = Histogram(
            "bodymap_http_request_duration_seconds",
            "Time from a request's arrival to the last byte of its answer, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=None,
        )

        self.children: dict[tuple[str, str], tuple] = {}  # (route, status): the two series, looked up once

    def collectors(self) -> tuple:
        return self.requests, self.duration

    def observe(self, route: str, status: str, seconds: float) -> None:
        series = self.children.get((route, status))
        if series is None:
            series = self.children[(route, status)] = (self.requests.labels(route, status), self.duration.labels(route))
        series[0].inc()
        series[1].observe(seconds)


@functools.lru_cache(maxsize=4096)  # the same clients come back; parsing an address costs more than the rest
def network(address: str | None) -> str:
    """The client's network, not its address: 203.0.113.0 for 203.0.113.7, 2001:db8:1:: for 2001:db8:1:2::9."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "-"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def shown_path(environ: dict) -> str:
    """The path asked for, as text, without the query string, at most PATH_SHOWN characters."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    path = raw.encode("latin-1", "replace").decode("utf-8", "replace")  # WSGI gives the bytes as latin-1
    return path if len(path) <= PATH_SHOWN else path[:PATH_SHOWN] + "..."


class Observed:
    """WSGI middleware: the request id, the access line and the request metrics of every request."""

    def __init__(self, wsgi_app, metrics: RequestMetrics, trust_incoming_id: bool):
        self.wsgi_app = wsgi_app
        self.metrics = metrics
        self.trust_incoming_id = trust_incoming_id

    def request_id(self, environ: dict) -> str:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        if self.trust_incoming_id and INCOMING_ID.match(incoming):
            return incoming
        # An id tells requests apart; it guards nothing, so it needs no system call per request as a secret would:
        # the random module's generator, seeded from the system's at start and again in each forked worker.
        return f"{random.getrandbits(128):032x}"

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request_id = environ[ID] = self.request_id(environ)
        environ[ROUTE] = {}
        REQUEST_ID.set(request_id)
        answered: dict = {}

        def start(status: str, headers: list, exc_info=None):
            answered["status"] = status
            headers = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            self.finish(environ, answered.get("status", "500"), 0, started)
            raise
        return Sent(body, lambda size: self.finish(environ, answered.get("status", "500"), size, started))

    def finish(self, environ: dict, status: str, size: int, started: float) -> None:
        """The request is over: count it and write its line."""
        seconds = time.perf_counter() - started
        code = status.split(" ", 1)[0]
        route = environ[ROUTE].get("route", "unmatched")
        self.metrics.observe(route, code, seconds)
        if log.isEnabledFor(logging.INFO):
            method = environ.get("REQUEST_METHOD", "")[:16]
            path = shown_path(environ)
            client = network(environ.get("REMOTE_ADDR"))
            milliseconds = round(seconds * 1000, 1)
            fields = {
                "method": method,
                "path": path,
                "status": int(code) if code.isdigit() else code,
                "duration_ms": milliseconds,
                "size": size,
                "client": client,
                "route": route,
                "request_id": environ[ID],
            }
            # Made here rather than by log.info(), which would look up this line of code for every request.
            shown = (client, method, path, code, milliseconds, size)
            log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, ACCESS_LINE, shown, None, extra=fields))
        REQUEST_ID.set(None)


class Sent:
    """The response body as the app gave it, counted as it goes; `done(size)` is called once, when it is closed."""

    def __init__(self, body, done):
        self.body = body
        self.done = done
        self.size = 0

    def __iter__(self):
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.done(self.size)


def _route_of(response: Response) -> str:
    if request.endpoint:
        return request.endpoint
    return "not_found" if response.status_code == 404 else "unmatched"


def _set_route(route: str, environ: dict) -> None:
    holder = environ.get(ROUTE)
    if holder is not None:
        holder["route"] = route


def record_route(response: Response) -> Response:
    """Tell the access layer which route answered; a response the store keeps says it again each time it is served."""
    hook = functools.partial(_set_route, _route_of(response))
    if response.cache_control.public:
        each_time_served(hook)
    else:
        hook(request.environ)
    return response


def init_app(app: Flask) -> RequestMetrics:
    """Put the access layer outside every other (ProxyFix, added last by create_app, goes outside it)."""
    metrics = RequestMetrics()
    app.after_request(record_route)
    app.wsgi_app = Observed(app.wsgi_app, metrics, trust_incoming_id=app.config["TRUSTED_PROXIES"] > 0)
    return metrics
