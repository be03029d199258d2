"""The staff pages: sign-in, each member's own sessions, the admins' accounts and audit trail, the callback queue,
the call guide and call log, insights, and the clinicians' content review and sign-off.

Every page here is behind the guard in `signin` (signed in, not idle, a role that may open it) and is never cached.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# The views add their routes to bp; the guard in `signin` stands in front of all of them.
from bodymap.staff import (  # noqa: E402, F401
    account_pages,
    areas,
    audit_pages,
    call_guide,
    call_log,
    content_review,
    free_times,
    insights,
    layout,
    own_sessions,
    queue,
    set_password,
    signin,
)
