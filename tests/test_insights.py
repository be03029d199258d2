"""Insights: numbers that match what happened, on the map, in the table and in the CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from bodymap.data.models import CallLog, RegionView, utcnow
from bodymap.staff.insights import shade
from tests.helpers import callback_request, soup


@pytest.fixture
def seeded(db_app):
    """Views, callback requests and calls, some inside the last 7 days, some only inside 30, some older."""
    now = utcnow()
    today = now.date()
    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        for days_ago, region, views in [
            (0, "knee", 5),
            (6, "knee", 3),
            (7, "knee", 100),
            (20, "neck", 4),
            (29, "low-back", 2),
            (31, "low-back", 1000),
            (3, "neck", 1),
        ]:
            session.add(RegionView(day=today - datetime.timedelta(days=days_ago), region=region, views=views))
        for days_ago, region in [(0, "knee"), (1, "knee"), (10, "knee"), (40, "knee"), (2, None), (5, "foot")]:
            session.add(
                callback_request(name="P", region=region, created_at=now - datetime.timedelta(days=days_ago, minutes=1))
            )
        for days_ago, region in [(0, "neck"), (8, "neck"), (89, "hip"), (91, "hip")]:
            session.add(CallLog(region=region, outcome="booked", created_at=now - datetime.timedelta(days=days_ago)))
    return db_app


EXPECTED = {
    7: {"knee": (8, 2, 0), "neck": (1, 0, 1), "low-back": (0, 0, 0), "foot": (0, 1, 0), "hip": (0, 0, 0)},
    30: {"knee": (108, 3, 0), "neck": (5, 0, 2), "low-back": (2, 0, 0), "foot": (0, 1, 0), "hip": (0, 0, 0)},
    90: {"knee": (108, 4, 0), "neck": (5, 0, 2), "low-back": (1002, 0, 0), "foot": (0, 1, 0), "hip": (0, 0, 1)},
}


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_table_matches_the_seeded_data_exactly(staff_client, seeded, days):
    page = soup(staff_client.get(f"/staff/insights?days={days}"))
    table = {
        tr["data-region"]: tuple(int(td.get_text()) for td in tr.select("td"))
        for tr in page.select(".insights-table tbody tr")
    }
    for slug, numbers in EXPECTED[days].items():
        assert table[slug] == numbers, slug
    assert sum(n[0] for n in table.values()) == sum(n[0] for n in EXPECTED[days].values())


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_csv_has_the_same_numbers(staff_client, seeded, days):
    response = staff_client.get(f"/staff/insights.csv?days={days}")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    got = {r["region"]: (int(r["views"]), int(r["callback_requests"]), int(r["logged_calls"])) for r in rows}
    for slug, numbers in EXPECTED[days].items():
        assert got[slug] == numbers
    assert all(r["days"] == str(days) for r in rows)


def test_the_map_is_shaded_by_the_chosen_measure(staff_client, seeded):
    page = soup(staff_client.get("/staff/insights?days=90&measure=views"))
    low_back = page.select_one('svg[data-view="back"] g.heat[data-region="low-back"]')
    assert "heat-5" in low_back["class"]
    assert low_back.select_one("text").get_text() == "1002"
    knee = page.select_one('svg[data-view="front"] g.heat[data-region="knee"]')
    assert "heat-1" in knee["class"]  # 108 of 1002
    hip = page.select_one('svg[data-view="front"] g.heat[data-region="hip"]')
    assert "heat-0" in hip["class"]
    calls = soup(staff_client.get("/staff/insights?days=90&measure=calls"))
    assert "heat-5" in calls.select_one('g.heat[data-region="neck"]')["class"]
    assert "heat-3" in calls.select_one('g.heat[data-region="hip"]')["class"]


def test_shades_grow_with_the_count():
    assert [shade(n, 10) for n in (0, 1, 2, 5, 10)] == [0, 1, 1, 3, 5]
    assert shade(3, 0) == 0


@pytest.mark.parametrize("query", ["days=14", "days=abc", "measure=money"])
def test_other_periods_and_measures_are_refused_clearly(staff_reader, query):
    response = staff_reader.get(f"/staff/insights?{query}")
    assert response.status_code == 400
    assert "7, 30 or 90 days" in response.get_data(as_text=True) or "views, callbacks or calls" in response.get_data(
        as_text=True
    )
