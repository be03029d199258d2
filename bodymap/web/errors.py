"""Friendly error pages: what went wrong, what to do, and the clinic's phone number."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from bodymap.web.rendering import Cache, page_or_fragment


def _render(status: int, name: str):
    # htmx swaps error responses into the panel too, so it gets the message without the page around it.
    return page_or_fragment(f"errors/{name}.html", f"errors/_{name}.html", status=status, cache=Cache.SHARED)


def not_found(error: HTTPException):
    return _render(404, "404")


def server_error(error: InternalServerError):
    return _render(500, "500")


def body_too_large(error: HTTPException):
    """Over MAX_CONTENT_LENGTH. htmx shows this beside the form, which keeps what was typed."""
    return _render(413, "413")


def too_many_requests(error: HTTPException):
    return render_template("errors/429.html"), 429


def bad_request(error: HTTPException):
    """Our own refusals say what was wrong in their description."""
    return render_template("errors/400.html", message=error.description), 400


def csrf_failed(error: CSRFError):
    message = "This page was open for a long time, so we could not act on it. Reload the page and try again."
    return render_template("errors/400.html", message=message), 400


def init_app(app: Flask) -> None:
    """Pages for any part of the app; a blueprint may answer its own errors more closely."""
    app.register_error_handler(404, not_found)
    app.register_error_handler(500, server_error)
    app.register_error_handler(400, bad_request)
    app.register_error_handler(413, body_too_large)
    app.register_error_handler(429, too_many_requests)
    app.register_error_handler(CSRFError, csrf_failed)
