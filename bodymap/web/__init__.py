"""The web plumbing every blueprint stands on: security headers, caching and compression, stored
public responses, hashed static files, error pages, sessions only where needed, health checks,
the hosts served, page-or-fragment rendering, the region a URL names, and the language an address is in."""

from __future__ import annotations

from flask import Flask

from bodymap.web import (
    assets,
    caching,
    errors,
    formatting,
    forms,
    health,
    hosts,
    languages,
    rate_limits,
    security_headers,
    sessions,
)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = forms.RecordId  # before any blueprint's rules are added
    languages.init_app(app)  # first: the language of an address is known before anything answers for it
    rate_limits.init_app(app)
    security_headers.init_app(app)
    caching.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    sessions.init_app(app)
    health.init_app(app)
    hosts.init_app(app)  # last: its check runs before everything else, the store included
