"""The web plumbing every blueprint stands on: security headers, caching and compression,
hashed static files, error pages, page-or-fragment rendering, and the region a URL names."""

from __future__ import annotations

from flask import Flask

from bodymap.web import assets, caching, errors, security_headers


def init_app(app: Flask) -> None:
    security_headers.init_app(app)
    caching.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
