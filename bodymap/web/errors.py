"""Friendly error pages: what went wrong, what to do, and the clinic's phone number."""

from __future__ import annotations

import functools
import math

from flask import Flask, abort, current_app, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext, ngettext
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from bodymap import content
from bodymap.web.rendering import Cache, page_or_fragment

# How long a patient or a colleague is asked to wait when the database does not answer.
RETRY_AFTER_SECONDS = 60


def _render(status: int, name: str):
    # htmx swaps error responses into the panel too, so it gets the message without the page around it.
    return page_or_fragment(f"errors/{name}.html", f"errors/_{name}.html", status=status, cache=Cache.SHARED)


def wait_in_words(seconds: int) -> str:
    """'1 minute', '14 minutes': rounded up, so the page never promises too short a wait."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def log_database_error(error: SQLAlchemyError) -> None:
    """One line, with no statement parameters (the engine hides them): the class and the first line of the cause."""
    cause = str(getattr(error, "orig", None) or error).splitlines()[0][:200] if str(error) else ""
    current_app.logger.error("The database did not answer (%s): %s", type(error).__name__, cause)


# For a request whose Host cannot even be parsed, Flask has no URL adapter, so no page with links can be drawn.
UNREADABLE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Please check the address</title>"
    "<h1>Please check the address</h1><p>We could not read that request. Check the address and try again.</p>"
)


def readable(handler):
    """An error handler that first checks a URL can be built: if not, a plain 400 with no links, never a 500."""

    @functools.wraps(handler)
    def answer(error):
        if request_ctx.url_adapter is None:
            return current_app.make_response((UNREADABLE, 400))
        return handler(error)

    return answer


def not_found(error: HTTPException):
    return _render(404, "404")


# The last answer when even the error page cannot be drawn: plain words and the way to reach a person.
LAST_RESORT = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Sorry, something went wrong</title>"
    "<h1>Sorry, something went wrong</h1><p>Please try again in a minute{phone}.</p>"
    "<p>In an emergency, call 911.</p>"
)


def server_error(error: InternalServerError):
    """Our 500 page; if drawing it fails too, plain words (never the server's bare 500), still with our headers."""
    try:
        return _render(500, "500")
    except Exception:  # noqa: BLE001 - the page of last resort must not fail in turn
        current_app.logger.exception("The error page could not be drawn")
        try:
            clinic = content.get(current_app).clinic
            phone = str(Markup(', or call us at <a href="{}">{}</a>').format(clinic.tel, clinic.phone))
        except Exception:  # noqa: BLE001
            phone = ""
        response = current_app.make_response((LAST_RESORT.format(phone=phone), 500))
        response.headers["Cache-Control"] = "no-store"
        return response


def body_too_large(error: HTTPException):
    """Over MAX_CONTENT_LENGTH. htmx shows this beside the form, which keeps what was typed."""
    return _render(413, "413")


def too_many_requests(error: HTTPException):
    """A refusal no view answered more closely: a minute is a fair guess at the wait."""
    wait = RETRY_AFTER_SECONDS
    response = current_app.make_response((render_template("errors/429.html", wait=wait_in_words(wait)), 429))
    response.headers["Retry-After"] = str(wait)
    return response


def bad_request(error: HTTPException):
    """Our own refusals say what was wrong in their description; Werkzeug's own (in English) gives way to ours."""
    message = error.description
    if message == type(error).description:
        message = gettext("We could not read what your browser sent. Go back to the page and try again.")
    return render_template("errors/400.html", message=message), 400


def csrf_failed(error: CSRFError):
    message = gettext("This page was open for a long time, so we could not act on it. Reload the page and try again.")
    return render_template("errors/400.html", message=message), 400


def refuse_json_bodies():
    """Every form here is an HTML form post; flask-wtf would read a JSON body as the form, and fail on a broken one."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.is_json:
        abort(415)


def unsupported_body(error: HTTPException):
    message = gettext(
        "This page takes what a form on our site sends, nothing else. Reload the page and send the form again."
    )
    return render_template("errors/400.html", message=message), 415


def database_unavailable(error: SQLAlchemyError):
    """The database is down or locked: a 503 that says when to try again and gives the phone number."""
    log_database_error(error)
    response = page_or_fragment("errors/503.html", "errors/_503.html", status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    """Pages for any part of the app; a blueprint may answer its own errors more closely."""
    app.register_error_handler(404, readable(not_found))
    app.register_error_handler(500, readable(server_error))
    app.register_error_handler(400, readable(bad_request))
    app.register_error_handler(413, readable(body_too_large))
    app.register_error_handler(415, readable(unsupported_body))
    app.register_error_handler(429, readable(too_many_requests))
    app.register_error_handler(CSRFError, readable(csrf_failed))
    app.register_error_handler(SQLAlchemyError, readable(database_unavailable))
    app.before_request(refuse_json_bodies)
