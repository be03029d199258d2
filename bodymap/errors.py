"""Friendly error pages: what went wrong, what to do, and the clinic's phone number."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def _render(status: int, name: str):
    # htmx swaps error responses into the panel too, so it gets the message without the page around it.
    template = f"errors/_{name}.html" if request.headers.get("HX-Request") == "true" else f"errors/{name}.html"
    return render_template(template), status


def not_found(error: HTTPException):
    return _render(404, "404")


def server_error(error: InternalServerError):
    return _render(500, "500")


def init_app(app: Flask) -> None:
    app.register_error_handler(404, not_found)
    app.register_error_handler(500, server_error)
