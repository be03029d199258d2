"""Callback requests: a patient leaves a number and the front desk calls back; nothing lost, nothing doubled."""

from flask import Blueprint

bp = Blueprint("callback", __name__)

from bodymap.callback import views  # noqa: E402, F401  (the views add their routes to bp)
