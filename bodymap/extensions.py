"""Every Flask extension the app uses, made once here and bound to the app in `create_app`.

Blueprints import what they need from this module, never from each other.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# Counted in Redis when RATELIMIT_STORAGE_URI names it: behind a load balancer every server must share one store.
# When that store cannot be reached, each process counts the same limits in its own memory until it is back
# (in_memory_fallback_enabled), so a patient's form still goes through instead of failing. The limiter sets no
# headers of its own: it would overwrite a view's Retry-After (60 s on a 503) with its window; the 429 pages set theirs.
limiter = Limiter(
    key_func=get_remote_address,
    headers_enabled=False,
    in_memory_fallback_enabled=True,
    swallow_errors=True,
    # A store that hangs instead of refusing must not hold a patient's request: after a second, fall back.
    storage_options={"socket_timeout": 1, "socket_connect_timeout": 1},
)
login_manager = LoginManager()
compress = Compress()
babel = Babel()  # the language comes from the address: see bodymap.web.languages

LIMITER_LOGGER = "flask-limiter"
STORE_DOWN_WARNING = "The rate-limit store cannot be reached: each process counts the limits in its own memory."


class OncePerMinute(logging.Filter):
    """Lets through one warning (or worse) a minute, so an outage does not write a line per request."""

    def __init__(self, seconds: float = 60.0):
        super().__init__()
        self.seconds = seconds
        self.last = float("-inf")
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        with self.lock:
            now = time.monotonic()
            if now - self.last < self.seconds:
                return False
            self.last = now
            return True


def store_down() -> bool:
    """True while this process counts rate limits in memory because the shared store cannot be reached."""
    return bool(limiter.enabled and getattr(limiter, "_storage_dead", False))


def _remind_while_store_down(response):
    """While the store stays down, a reminder goes to the log (the filter keeps it to one a minute)."""
    if store_down():
        logging.getLogger(LIMITER_LOGGER).warning(STORE_DOWN_WARNING)
    return response


def init_limiter(app: Flask) -> None:
    """Bind the limiter, and keep its outage warnings to one a minute."""
    logger = logging.getLogger(LIMITER_LOGGER)
    if not any(isinstance(f, OncePerMinute) for f in logger.filters):
        logger.addFilter(OncePerMinute())
    # One limiter per process, bound to each app built in it (the tests build many): each brings its own key
    # prefix and store, and a store that was down for the previous app says nothing about this one's.
    limiter._key_prefix = ""
    limiter._storage_dead = False
    limiter.init_app(app)
    app.after_request(_remind_while_store_down)
