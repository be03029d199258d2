"""Page or fragment: one URL answers a browser with a full page (or a redirect) and htmx with the piece it swaps.

Every view that serves both goes through here, so the `Vary: HX-Request` header and the
cache policy are set in one place, and no view checks the request header itself.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from flask import Response, current_app, redirect, render_template, request

from bodymap.web.caching import public


class Cache(Enum):
    """Who may keep a response."""

    PRIVATE = "private"  # personal data or a CSRF token: no cache may keep it
    SHARED = "shared"  # the same for everyone: revalidated with its ETag each time
    PUBLIC = "public"  # the same for everyone, and any cache (a CDN, this process) may keep it
    PANEL = "public"  # the old name of PUBLIC


def is_htmx() -> bool:
    """The request came from htmx (and wants a fragment), not from the browser's own navigation."""
    return request.headers.get("HX-Request") == "true"


def cache_policy(response: Response, cache: Cache) -> Response:
    """Set who may keep `response`; it varies by HX-Request in every case."""
    response.vary.add("HX-Request")
    if cache is Cache.PRIVATE:
        response.headers["Cache-Control"] = "no-store"
    elif cache is Cache.PUBLIC:
        public(response)
    return response


def page_or_fragment(
    page: str, fragment: str, *, status: int = 200, cache: Cache = Cache.PRIVATE, **context
) -> Response:
    """The full page for a browser, the fragment for htmx, from the same context."""
    html = render_template(fragment if is_htmx() else page, **context)
    return cache_policy(current_app.make_response((html, status)), cache)


def fragment_or_redirect(
    fragment: Callable[[], str], location: str, *, status: int = 200, cache: Cache = Cache.PRIVATE
) -> Response:
    """For htmx, the fragment `fragment()` renders; a browser without JavaScript is sent on (303) to `location`."""
    response = current_app.make_response((fragment(), status)) if is_htmx() else redirect(location, 303)
    return cache_policy(response, cache)
