"""Insights: where patients hurt, by views, callback requests and logged calls, over 7, 30 or 90 days.

Every number is per area: a region, and its side (a left and a right knee are two areas, and a knee opened or
named without a side is a third). Beside the counts: the median pain score patients gave each area, and the
areas most often listed together in one request. Medians and pairs are worked out here in Python from the
period's rows, so SQLite and PostgreSQL give the same answer.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import func, literal_column, select

from bodymap import audit, content, data
from bodymap.areas.area import SCORES
from bodymap.content import Region
from bodymap.data import view_counts
from bodymap.data.models import CallbackArea, CallbackRequest, CallLog, CallLogArea, RegionView, utcnow
from bodymap.roles import Permission, requires
from bodymap.staff import bp
from bodymap.staff.layout import staff_title
from bodymap.web.forms import whole_number

PERIODS = (7, 30, 90)
MEASURES = {"views": "Patient views", "callbacks": "Callback requests", "calls": "Logged calls"}
SHADES = 5
TOP_PAIRS = 10

Key = tuple[str, str]  # (region slug, side); side "" when none was chosen


@dataclass(frozen=True)
class AreaCounts:
    slug: str
    side: str  # "", "left" or "right"
    name: str  # "Neck", "Left knee", "Knee (no side chosen)"
    views: int
    callbacks: int
    calls: int
    median_pain: float | None  # of the scores given for this area; None when no one gave one

    @property
    def median_text(self) -> str:
        if self.median_pain is None:
            return "—"
        return f"{self.median_pain:g}"


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    requests: int

    @property
    def label(self) -> str:
        return f"{self.first} + {self.second}"


@dataclass(frozen=True)
class Insights:
    rows: list[AreaCounts]
    pairs: list[Pair]
    requests: int  # callback requests in the period
    without_area: int  # of them, how many named no area


def _period() -> int:
    days = whole_number(request.args.get("days", "30"))
    if days not in PERIODS:
        abort(400, description="Insights cover the last 7, 30 or 90 days.")
    return days


def area_keys(regions: list[Region]) -> list[Key]:
    """Every area in the table, in the content's order: a region without sides once; a paired one with no side
    chosen, then left, then right."""
    return [(r.slug, side) for r in regions for side in (("", *r.sides) if r.sides else ("",))]


def area_name(region: Region, side: str) -> str:
    return f"{region.name} (no side chosen)" if region.sides and not side else region.label(side)


def _key(region: str, side: str | None) -> Key:
    return (region, side or "")


def insights_for(days: int) -> Insights:
    """Each area's numbers over the last `days` days, today included (UTC), and the pairs listed together."""
    view_counts.flush(current_app)
    today = utcnow().date()
    since_day = today - datetime.timedelta(days=days - 1)
    since = datetime.datetime.combine(since_day, datetime.time())
    session = data.request_session()
    regions = {r.slug: r for r in content.get(current_app).regions}

    views: Counter[Key] = Counter()
    for region, side, count in session.execute(
        select(RegionView.region, RegionView.side, func.sum(RegionView.views))
        .where(RegionView.day >= since_day)
        .group_by(RegionView.region, RegionView.side)
    ):
        views[_key(region, side)] += int(count)

    listed = _listed(session, days, since)

    # Each call counts once per area (a side written as NULL or "" is one area): counted by the database, as a
    # call's areas are not needed one by one here.
    calls: Counter[Key] = Counter()
    any_side = func.coalesce(CallLogArea.side, literal_column("''"))  # written out: it groups by what it selects
    for region, side, count in session.execute(
        select(CallLogArea.region, any_side, func.count(CallLogArea.call_id.distinct()))
        .join(CallLog, CallLog.id == CallLogArea.call_id)
        .where(CallLog.created_at >= since)
        .group_by(CallLogArea.region, any_side)
    ):
        calls[(region, side)] += count

    keys = area_keys(list(regions.values()))
    rows = [
        AreaCounts(
            slug,
            side,
            area_name(regions[slug], side),
            views[(slug, side)],
            listed.callbacks[(slug, side)],
            calls[(slug, side)],
            statistics.median(listed.scores[(slug, side)]) if listed.scores.get((slug, side)) else None,
        )
        for slug, side in keys
    ]
    table = tuple((row.slug, row.side, row.name) for row in rows)
    pairs = listed.pairs.get(table)
    if pairs is None:  # once per content: the pairs are named and ordered as the table is
        pairs = listed.pairs[table] = _pairs(listed.several, keys, regions)
    return Insights(rows, pairs, listed.requests, listed.requests - listed.with_area)


@dataclass
class Listed:
    """What the period's callback requests say, area by area: read once, and again only when they change."""

    requests: int  # in the period
    callbacks: Counter[Key]  # requests naming each area, once per request
    scores: dict[Key, list[int]]  # each request's first score for the area
    with_area: int  # requests naming at least one area
    several: list[dict[Key, int | None]]  # the areas of each request naming more than one
    pairs: dict[tuple, list[Pair]] = field(default_factory=dict)  # by the table's areas and names, as drawn


def _listed(session, days: int, since: datetime.datetime) -> Listed:
    """The period's requests' areas, kept by this process while the period holds the same requests (as many, the
    same newest, made at the same moment: a request's areas never change, requests are only added, or purged years
    later). Switching the map between measures and periods asks for the same numbers again; the thousands of areas
    behind them are read once a change."""
    held = session.execute(
        select(func.count(), func.max(CallbackRequest.id), func.max(CallbackRequest.created_at)).where(
            CallbackRequest.created_at >= since
        )
    ).one()
    requests = held[0]
    kept = current_app.extensions.setdefault("bodymap.insights", {})
    found = kept.get(days)
    if found is not None and found[0] == (since, *held):
        return found[1]
    # Each request counts once per area, however the area was written (its first score kept); the scores make the
    # medians. The rows come request by request, so each request's areas are read together.
    listed = Listed(requests or 0, Counter(), defaultdict(list), 0, [])
    valid = frozenset(SCORES)
    area_rows = session.execute(
        select(CallbackArea.callback_id, CallbackArea.region, CallbackArea.side, CallbackArea.pain)
        .join(CallbackRequest, CallbackRequest.id == CallbackArea.callback_id)
        .where(CallbackRequest.created_at >= since)
        .order_by(CallbackArea.callback_id, CallbackArea.position)
    )
    for _, areas in itertools.groupby(area_rows, key=itemgetter(0)):
        named: dict[Key, int | None] = {}
        for _, region, side, pain in areas:
            key = (region, side or "")
            if key not in named:
                named[key] = pain
                listed.callbacks[key] += 1
                if pain in valid:
                    listed.scores[key].append(pain)
        listed.with_area += 1
        if len(named) > 1:
            listed.several.append(named)
    kept[days] = ((since, *held), listed)
    return listed


def _pairs(requests, keys: list[Key], regions: dict[str, Region]) -> list[Pair]:
    """The TOP_PAIRS pairs of areas listed together most often, each request (of two areas or more) counted once per
    pair."""
    order = {key: n for n, key in enumerate(keys)}
    # Each request's areas as their places in the table's order, so a pair is two numbers, first the earlier.
    places = (sorted(order[key] for key in listed if key in order) for listed in requests)
    together = Counter(itertools.chain.from_iterable(itertools.combinations(known, 2) for known in places))
    ranked = sorted(together.items(), key=lambda item: (-item[1], item[0]))
    return [
        Pair(area_name(regions[keys[a][0]], keys[a][1]), area_name(regions[keys[b][0]], keys[b][1]), count)
        for (a, b), count in ranked[:TOP_PAIRS]
    ]


def shade(count: int, most: int) -> int:
    """0 for none, then 1 to 5 in proportion to the busiest area."""
    return 0 if count == 0 or most == 0 else max(1, math.ceil(SHADES * count / most))


@bp.get("/insights")
@requires(Permission.INSIGHTS)
def insights():
    days = _period()
    measure = request.args.get("measure", "views")
    if measure not in MEASURES:
        abort(400, description="Insights shade the map by views, callbacks or calls.")
    found = insights_for(days)
    most = max((getattr(row, measure) for row in found.rows), default=0)
    # The map's circles are areas with a side (or a region without sides); a knee with no side is in the table.
    shades = {(row.slug, row.side): shade(getattr(row, measure), most) for row in found.rows}
    numbers = {(row.slug, row.side): getattr(row, measure) for row in found.rows}
    return render_template(
        "staff/insights.html",
        rows=found.rows,
        pairs=found.pairs,
        requests=found.requests,
        without_area=found.without_area,
        days=days,
        measure=measure,
        measures=MEASURES,
        periods=PERIODS,
        shades=shades,
        numbers=numbers,
        title=staff_title("Insights"),
    )


@bp.get("/insights.csv")
@requires(Permission.INSIGHTS)
def insights_csv():
    days = _period()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["region", "side", "name", "views", "callback_requests", "logged_calls", "median_pain", "days"])
    for row in insights_for(days).rows:
        median = "" if row.median_pain is None else f"{row.median_pain:g}"
        writer.writerow([row.slug, row.side, row.name, row.views, row.callbacks, row.calls, median, days])
    filename = f"bodymap-insights-{utcnow():%Y-%m-%d}-{days}-days.csv"
    audit.record(data.request_session(), "csv_exported", current_user, new={"export": "insights", "days": days})
    data.request_session().commit()
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
