"""Errors to Sentry, only when SENTRY_DSN is set, and never a patient's details.

The SDK is told to send no personal data (`send_default_pii=False`), no request bodies and no local variables, and
`scrub` takes out whatever could still carry some before an event leaves: the request keeps its method, its URL
without the query string and a few headers that say nothing about the person (SAFE_HEADERS); cookies, user data,
`extra` fields, the data of breadcrumbs and the variables of stack frames go. The event is tagged with the request
id, so it can be found in the logs.
"""

from __future__ import annotations

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.flask import FlaskIntegration

from bodymap.operations.logs import REQUEST_ID

SAFE_HEADERS = frozenset(
    {"accept", "accept-encoding", "accept-language", "content-length", "content-type", "host", "hx-request"}
)


def _frames(event: dict):
    for part in ("exception", "threads"):
        for value in (event.get(part) or {}).get("values") or ():
            yield from (value.get("stacktrace") or {}).get("frames") or ()


def scrub(event: dict, _hint: dict | None = None) -> dict:
    """The event with nothing personal left in it (Sentry's `before_send`)."""
    event.pop("user", None)
    event.pop("extra", None)
    request = event.get("request")
    if request is not None:
        event["request"] = {
            "method": request.get("method"),
            "url": str(request.get("url") or "").split("?", 1)[0],
            "headers": {
                name: value for name, value in (request.get("headers") or {}).items() if name.lower() in SAFE_HEADERS
            },
        }
    for frame in _frames(event):
        frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or ():
        crumb.pop("data", None)
    request_id = REQUEST_ID.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def options(dsn: str) -> dict:
    """What `sentry_sdk.init` is given."""
    return {
        "dsn": dsn,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": scrub,
        "integrations": [FlaskIntegration()],
    }


def init_app(app: Flask) -> None:
    """Send this process's errors to Sentry when SENTRY_DSN is set."""
    if app.config["SENTRY_DSN"]:
        sentry_sdk.init(**options(app.config["SENTRY_DSN"]))
