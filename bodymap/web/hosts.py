"""The site's address is configuration, never the request.

Only the hosts in `served_hosts` (PUBLIC_URL's host and ALLOWED_HOSTS; 127.0.0.1, localhost and
[::1] when PUBLIC_URL is unset) are served, on any port. Any other Host (or X-Forwarded-Host
behind TRUSTED_PROXIES) gets the 400 page with the security headers, so a forged name can never
reach a page the process keeps. Flask's own TRUSTED_HOSTS is not used: it cannot name [::1], and
a host label over 63 characters breaks its URL building before any page can answer (a bare 500).
Redirects that name this site's own address are rewritten onto PUBLIC_URL (or to a bare path).
"""

from __future__ import annotations

import re

from flask import Flask, abort, request

from bodymap.settings import served_hosts

HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)
REFUSED = "bodymap.refused_host"
# Load balancers and Prometheus ask these by the server's own address, and they hold no links.
UNCHECKED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
STATIC_PREFIX = "/static/"
REFUSAL = "This site answers only at its own address. Check the address in your browser and try again."


def host_allowed(value: str | None, names: frozenset[str]) -> bool:
    """`value` ('host' or 'host:port') names one of `names`, with a valid port and no label over 63 characters."""
    match = HOST.fullmatch(value or "")
    if match is None:
        return False
    if match["port"] is not None and not 1 <= int(match["port"]) <= 65535:
        return False
    name = match["name"].lower()
    if not name.startswith("[") and any(len(label) > 63 for label in name.split(".")):
        return False
    return name in names


class HostCheck:
    """WSGI middleware in front of the app: requests for any other host are marked and given a safe Host.

    The safe Host only lets the 400 page be built; `refuse_other_hosts` answers every marked request with it.
    """

    def __init__(self, wsgi_app, names: tuple[str, ...]):
        self.wsgi_app = wsgi_app
        self.names = frozenset(names)
        self.safe_host = names[0]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if host_allowed(environ.get("HTTP_HOST"), self.names) or path in UNCHECKED_PATHS:
            return self.wsgi_app(environ, start_response)
        if path.startswith(STATIC_PREFIX):  # the same files for every host: the 400 page keeps its styles
            return self.wsgi_app({**environ, "HTTP_HOST": self.safe_host}, start_response)
        return self.wsgi_app({**environ, "HTTP_HOST": self.safe_host, REFUSED: True}, start_response)


class OwnAddressRedirects:
    """WSGI middleware: a redirect to this site's own address goes to PUBLIC_URL, or becomes a path when it is unset.

    Werkzeug builds its slash redirects (`/staff` to `/staff/`) from the request's Host; this keeps
    every Location the app sends on the configured address.
    """

    def __init__(self, wsgi_app, public_url: str):
        self.wsgi_app = wsgi_app
        self.public_url = public_url

    def __call__(self, environ, start_response):
        own = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST', '')}"

        def start(status: str, headers: list, exc_info=None):
            if status.startswith("3"):
                headers = [
                    (name, self.public_url + value[len(own) :])
                    if name.lower() == "location" and (value == own or value.startswith(own + "/"))
                    else (name, value)
                    for name, value in headers
                ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def refuse_other_hosts():
    """Runs before anything else in the app: a request HostCheck marked gets the 400 page."""
    if request.environ.get(REFUSED):
        abort(400, description=REFUSAL)


def init_app(app: Flask) -> None:
    """Check the Host of every request before the app (and its stored responses) see it."""
    names = app.config.get("SERVED_HOSTS") or served_hosts(app.config["PUBLIC_URL"], app.config["ALLOWED_HOSTS"])
    app.config["SERVED_HOSTS"] = names
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_other_hosts)
    app.wsgi_app = HostCheck(OwnAddressRedirects(app.wsgi_app, app.config["PUBLIC_URL"]), names)
