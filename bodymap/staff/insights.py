"""Insights: where patients hurt, by views, callback requests and logged calls, over 7, 30 or 90 days."""

from __future__ import annotations

import csv
import datetime
import io
import math
from dataclasses import dataclass

from flask import Response, abort, current_app, render_template, request
from sqlalchemy import func, select

from bodymap import content, data
from bodymap.data import view_counts
from bodymap.data.models import CallbackRequest, CallLog, RegionView, utcnow
from bodymap.staff import bp
from bodymap.staff.layout import staff_title

PERIODS = (7, 30, 90)
MEASURES = {"views": "Patient views", "callbacks": "Callback requests", "calls": "Logged calls"}
SHADES = 5


@dataclass(frozen=True)
class RegionCounts:
    slug: str
    name: str
    views: int
    callbacks: int
    calls: int


def _period() -> int:
    days = request.args.get("days", "30")
    if not days.isdigit() or int(days) not in PERIODS:
        abort(400, description="Insights cover the last 7, 30 or 90 days.")
    return int(days)


def counts(days: int) -> list[RegionCounts]:
    """Each region's numbers over the last `days` days, today included (UTC)."""
    view_counts.flush(current_app)
    today = utcnow().date()
    since_day = today - datetime.timedelta(days=days - 1)
    since = datetime.datetime.combine(since_day, datetime.time())
    session = data.session()
    views = dict(
        session.execute(
            select(RegionView.region, func.sum(RegionView.views))
            .where(RegionView.day >= since_day)
            .group_by(RegionView.region)
        ).all()
    )
    callbacks = dict(
        session.execute(
            select(CallbackRequest.region, func.count())
            .where(CallbackRequest.created_at >= since)
            .group_by(CallbackRequest.region)
        ).all()
    )
    calls = dict(
        session.execute(
            select(CallLog.region, func.count()).where(CallLog.created_at >= since).group_by(CallLog.region)
        ).all()
    )
    return [
        RegionCounts(r.slug, r.name, int(views.get(r.slug, 0)), callbacks.get(r.slug, 0), calls.get(r.slug, 0))
        for r in content.get(current_app).regions
    ]


def shade(count: int, most: int) -> int:
    """0 for none, then 1 to 5 in proportion to the busiest region."""
    return 0 if count == 0 or most == 0 else max(1, math.ceil(SHADES * count / most))


@bp.get("/insights")
def insights():
    days = _period()
    measure = request.args.get("measure", "views")
    if measure not in MEASURES:
        abort(400, description="Insights shade the map by views, callbacks or calls.")
    rows = counts(days)
    most = max((getattr(row, measure) for row in rows), default=0)
    shades = {row.slug: shade(getattr(row, measure), most) for row in rows}
    numbers = {row.slug: getattr(row, measure) for row in rows}
    return render_template(
        "staff/insights.html",
        rows=rows,
        days=days,
        measure=measure,
        measures=MEASURES,
        periods=PERIODS,
        shades=shades,
        numbers=numbers,
        title=staff_title("Insights"),
    )


@bp.get("/insights.csv")
def insights_csv():
    days = _period()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["region", "name", "views", "callback_requests", "logged_calls", "days"])
    for row in counts(days):
        writer.writerow([row.slug, row.name, row.views, row.callbacks, row.calls, days])
    filename = f"bodymap-insights-{utcnow():%Y-%m-%d}-{days}-days.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
