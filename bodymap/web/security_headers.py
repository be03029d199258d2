"""Security headers sent with every response, error pages included.

No page may be framed, except the embed's pages, which only the origins in
EMBED_ORIGINS may frame.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, request

POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
]

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Region pages name a body part: never tell another site which one.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def embeddable(view: Callable) -> Callable:
    """Mark a view as one the origins in EMBED_ORIGINS may show in a frame."""
    view.embeddable = True
    return view


def content_security_policy(frame_ancestors: tuple[str, ...] = ()) -> str:
    ancestors = " ".join(frame_ancestors) or "'none'"
    return "; ".join([*POLICY, f"frame-ancestors {ancestors}"])


def add_security_headers(response: Response) -> Response:
    view = current_app.view_functions.get(request.endpoint or "")
    ancestors = current_app.config["EMBED_ORIGINS"] if getattr(view, "embeddable", False) else ()
    response.headers.setdefault("Content-Security-Policy", content_security_policy(ancestors))
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:  # behind a proxy, set TRUSTED_PROXIES so that HTTPS is seen
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
