"""Every Flask extension the app uses, made once here and bound to the app in `create_app`.

Blueprints import what they need from this module, never from each other. (Rate limits are counted with the
`limits` library directly, per app: see `bodymap.web.rate_limits`.)
"""

from __future__ import annotations

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
compress = Compress()
babel = Babel()  # the language comes from the address: see bodymap.web.languages
