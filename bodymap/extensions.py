"""Every Flask extension the app uses, made once here and bound to the app in `create_app`.

Blueprints import what they need from this module, never from each other.
"""

from __future__ import annotations

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# Counted in Redis when RATELIMIT_STORAGE_URI names it: behind a load balancer every server must share one store.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
login_manager = LoginManager()
compress = Compress()
