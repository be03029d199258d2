"""Rate limits (Flask-Limiter), counted in Redis when RATELIMIT_STORAGE_URI names it.

Behind a load balancer, every app server must share one storage, or each keeps its own count.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def init_app(app: Flask) -> None:
    limiter.init_app(app)
