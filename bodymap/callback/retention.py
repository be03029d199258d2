"""How long callback requests are kept: deleted past RETENTION_DAYS by `flask --app bodymap callbacks purge`."""

from __future__ import annotations

import datetime

from flask import Flask
from sqlalchemy import delete, select

from bodymap import data
from bodymap.data.models import CallbackArea, CallbackRequest, utcnow


def purge(app: Flask, days: int) -> int:
    """Delete callback requests older than `days` days; how many were deleted."""
    cutoff = utcnow() - datetime.timedelta(days=days)
    old = CallbackRequest.created_at < cutoff
    with data.new_session(app) as db_session, db_session.begin():
        # Their areas go first, whatever the database does about foreign keys: they say where a patient hurts.
        db_session.execute(
            delete(CallbackArea).where(CallbackArea.callback_id.in_(select(CallbackRequest.id).where(old)))
        )
        result = db_session.execute(delete(CallbackRequest).where(old))
    return result.rowcount
