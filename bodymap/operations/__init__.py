"""Running bodymap as a service, for the person who operates it beside other services.

- `logs`: one JSON object a line (or plain text at a terminal), for every process and every logger
- `access`: a request id, an access line and the request metrics for every request, outside everything else
- `metrics`: `GET /metrics` for Prometheus (loopback or METRICS_TOKEN), with what waits for the front desk
- `sentry`: errors to Sentry when SENTRY_DSN is set, with nothing personal in them

gunicorn's settings are in the repository's `gunicorn.conf.py`; backups are the data layer's (`data.backup`).
"""

from __future__ import annotations

from flask import Flask

from bodymap.operations import access, logs, metrics, sentry


def init_app(app: Flask) -> None:
    """Logs, the error tracker, the access layer (outermost but for ProxyFix) and /metrics."""
    logs.configure(app.config["LOG_FORMAT"])  # unless the process has its logging set up (gunicorn, pytest)
    sentry.init_app(app)
    requests = access.init_app(app)
    metrics.init_app(app, requests)
