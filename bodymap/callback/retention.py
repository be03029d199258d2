"""How long callback requests are kept: deleted past RETENTION_DAYS by `flask --app bodymap callbacks purge`."""

from __future__ import annotations

import datetime

from flask import Flask
from sqlalchemy import delete

from bodymap import data
from bodymap.data.models import CallbackRequest, utcnow


def purge(app: Flask, days: int) -> int:
    """Delete callback requests older than `days` days; how many were deleted."""
    cutoff = utcnow() - datetime.timedelta(days=days)
    with data.sessions(app) as db_session, db_session.begin():
        result = db_session.execute(delete(CallbackRequest).where(CallbackRequest.created_at < cutoff))
    return result.rowcount
