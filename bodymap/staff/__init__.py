"""The front desk: sign-in and accounts, the callback queue, the call guide and call log, and insights.

Every page here is behind the guard in `signin` (signed in, not idle) and is never cached.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# The views add their routes to bp; the guard in `signin` stands in front of all of them.
from bodymap.staff import areas, call_guide, call_log, free_times, insights, layout, queue, signin  # noqa: E402, F401
