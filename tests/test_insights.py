"""Insights: numbers per area and side that match what happened, on the map, in the table and in the CSV, with
the median pain score of each area and the areas listed together."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from bodymap.data.models import CallLog, CallLogArea, RegionView, utcnow
from bodymap.staff.insights import shade
from tests.helpers import callback_request, soup

VIEWS = [  # (days ago, region, side, views)
    (0, "knee", "left", 5),
    (0, "knee", "right", 2),
    (6, "knee", "left", 3),
    (7, "knee", "right", 100),
    (2, "knee", "", 7),
    (20, "neck", "", 4),
    (3, "neck", "", 1),
    (29, "low-back", "", 2),
    (31, "low-back", "", 1000),
]
REQUESTS = [  # (days ago, [(region, side, pain), ...])
    (0, [("knee", "left", 6), ("neck", None, 4)]),
    (1, [("knee", "left", 8), ("neck", None, 2), ("shoulder", "right", 5)]),
    (2, []),
    (3, [("knee", None, 5), ("shoulder", "right", 8)]),
    (5, [("foot", "right", None)]),
    (10, [("knee", "right", 3), ("neck", None, 9)]),
    (40, [("knee", "left", 1)]),
]
CALLS = [  # (days ago, [(region, side), ...])
    (0, [("neck", None), ("shoulder", "left")]),
    (2, []),
    (8, [("neck", None)]),
    (89, [("hip", "right"), ("hip", "left")]),
    (91, [("hip", "right")]),
]


@pytest.fixture
def seeded(db_app):
    """Views, callback requests and calls per side, some inside the last 7 days, some only inside 30, some older."""
    now = utcnow()
    today = now.date()

    def moment(days_ago: int) -> datetime.datetime:
        """A minute before now, `days_ago` days back, and on that day even in the first minute after midnight (the
        page counts whole days)."""
        day_began = datetime.datetime.combine(today - datetime.timedelta(days=days_ago), datetime.time())
        return max(now - datetime.timedelta(days=days_ago, minutes=1), day_began)

    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        for days_ago, region, side, views in VIEWS:
            day = today - datetime.timedelta(days=days_ago)
            session.add(RegionView(day=day, region=region, side=side, views=views))
        for days_ago, areas in REQUESTS:
            session.add(
                callback_request(
                    name="P",
                    areas=[{"region": r, "side": s, "pain": p} for r, s, p in areas],
                    created_at=moment(days_ago),
                )
            )
        for days_ago, areas in CALLS:
            call = CallLog(outcome="booked", created_at=moment(days_ago))
            call.areas = [CallLogArea(position=n, region=r, side=s) for n, (r, s) in enumerate(areas)]
            session.add(call)
    return db_app


# (region, side): (views, callback requests, logged calls, median pain); every other area is all 0 and "—".
EXPECTED = {
    7: {
        ("knee", "left"): (8, 2, 0, "7"),
        ("knee", "right"): (2, 0, 0, "—"),
        ("knee", ""): (7, 1, 0, "5"),
        ("neck", ""): (1, 2, 1, "3"),
        ("shoulder", "right"): (0, 2, 0, "6.5"),
        ("shoulder", "left"): (0, 0, 1, "—"),
        ("foot", "right"): (0, 1, 0, "—"),
    },
    30: {
        ("knee", "left"): (8, 2, 0, "7"),
        ("knee", "right"): (102, 1, 0, "3"),
        ("knee", ""): (7, 1, 0, "5"),
        ("neck", ""): (5, 3, 2, "4"),
        ("low-back", ""): (2, 0, 0, "—"),
        ("shoulder", "right"): (0, 2, 0, "6.5"),
        ("shoulder", "left"): (0, 0, 1, "—"),
        ("foot", "right"): (0, 1, 0, "—"),
    },
    90: {
        ("knee", "left"): (8, 3, 0, "6"),
        ("knee", "right"): (102, 1, 0, "3"),
        ("knee", ""): (7, 1, 0, "5"),
        ("neck", ""): (5, 3, 2, "4"),
        ("low-back", ""): (1002, 0, 0, "—"),
        ("shoulder", "right"): (0, 2, 0, "6.5"),
        ("shoulder", "left"): (0, 0, 1, "—"),
        ("foot", "right"): (0, 1, 0, "—"),
        ("hip", "right"): (0, 0, 1, "—"),
        ("hip", "left"): (0, 0, 1, "—"),
    },
}
REQUEST_TOTALS = {7: (5, 1), 30: (6, 1), 90: (7, 1)}  # requests, of which named no area


def table(page) -> dict[tuple[str, str], tuple]:
    return {
        (tr["data-region"], tr["data-side"]): (
            *(int(td.get_text()) for td in tr.select("td")[:3]),
            tr.select("td")[3].get_text(),
        )
        for tr in page.select(".insights-table tbody tr")
    }


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_table_matches_the_seeded_data_exactly_per_side(staff_client, seeded, days):
    got = table(soup(staff_client.get(f"/staff/insights?days={days}")))
    for key, numbers in got.items():
        assert numbers == EXPECTED[days].get(key, (0, 0, 0, "—")), key
    assert set(EXPECTED[days]) <= set(got)
    requests, without = REQUEST_TOTALS[days]
    note = soup(staff_client.get(f"/staff/insights?days={days}")).select_one(".insights-note").get_text()
    assert note.startswith(f"{requests} callback requests in these {days} days; {without} named no area.")


def test_every_area_has_a_row_named_for_its_side(staff_client, seeded, content):
    page = soup(staff_client.get("/staff/insights?days=7"))
    names = {(tr["data-region"], tr["data-side"]): tr.th.get_text() for tr in page.select(".insights-table tbody tr")}
    expected = {}
    for region in content.regions:
        if region.sides:
            expected[(region.slug, "")] = f"{region.name} (no side chosen)"
        expected |= {(region.slug, side): region.label(side) for side in region.sides or ("",)}
    assert names == expected


def label(content, slug, side):
    region = content.region(slug)
    return f"{region.name} (no side chosen)" if region.sides and not side else region.label(side)


@pytest.mark.parametrize("days", [7, 30])
def test_the_areas_most_often_listed_together_are_counted_once_per_request(staff_client, seeded, content, days):
    page = soup(staff_client.get(f"/staff/insights?days={days}"))
    pairs = [li.get_text() for li in page.select(".pairs ol.pair-list li")]
    neck, left_knee = label(content, "neck", ""), label(content, "knee", "left")
    right_shoulder, right_knee = label(content, "shoulder", "right"), label(content, "knee", "right")
    knee = label(content, "knee", "")
    expected = [f"{neck} + {left_knee}: 2", f"{neck} + {right_shoulder}: 1"]
    if days == 30:
        expected.append(f"{neck} + {right_knee}: 1")
    expected += [f"{right_shoulder} + {knee}: 1", f"{right_shoulder} + {left_knee}: 1"]
    assert pairs == expected


def test_with_no_request_naming_two_areas_there_are_no_pairs(staff_client, db_app):
    page = soup(staff_client.get("/staff/insights?days=7"))
    assert page.select(".pairs li") == []
    assert "named more than one area" in page.select_one(".pairs").get_text()
    assert set(table(page).values()) == {(0, 0, 0, "—")}


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_csv_has_the_same_numbers(staff_client, seeded, days):
    response = staff_client.get(f"/staff/insights.csv?days={days}")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    got = {
        (r["region"], r["side"]): (
            int(r["views"]),
            int(r["callback_requests"]),
            int(r["logged_calls"]),
            r["median_pain"] or "—",
        )
        for r in rows
    }
    for key, numbers in got.items():
        assert numbers == EXPECTED[days].get(key, (0, 0, 0, "—")), key
    assert all(r["days"] == str(days) for r in rows)


def test_the_map_is_shaded_by_the_chosen_measure_each_side_apart(staff_client, seeded):
    page = soup(staff_client.get("/staff/insights?days=90&measure=views"))
    low_back = page.select_one('svg[data-view="back"] g.heat[data-region="low-back"]')
    assert "heat-5" in low_back["class"]
    assert low_back.select_one("text").get_text() == "1002"
    left = page.select_one('svg[data-view="front"] g.heat[data-region="knee"][data-side="left"]')
    right = page.select_one('svg[data-view="front"] g.heat[data-region="knee"][data-side="right"]')
    assert (left.select_one("text").get_text(), right.select_one("text").get_text()) == ("8", "102")
    assert "heat-1" in left["class"] and "heat-1" in right["class"]  # 8 and 102 of 1002
    hip = page.select_one('svg[data-view="front"] g.heat[data-region="hip"]')
    assert "heat-0" in hip["class"]
    calls = soup(staff_client.get("/staff/insights?days=90&measure=calls"))
    assert "heat-5" in calls.select_one('g.heat[data-region="neck"]')["class"]
    assert "heat-3" in calls.select_one('svg[data-view="front"] g.heat[data-region="hip"][data-side="left"]')["class"]


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


def test_an_area_written_twice_in_one_request_counts_once_with_its_first_score(staff_client, db_app):
    from tests.helpers import add_rows

    areas = [
        {"region": "knee", "side": None, "pain": 2},
        {"region": "neck", "side": None, "pain": 5},
        {"region": "knee", "side": "", "pain": 9},  # the same area: a knee with no side chosen
    ]
    add_rows(db_app, callback_request(name="P", areas=areas, created_at=utcnow() - datetime.timedelta(minutes=1)))
    page = soup(staff_client.get("/staff/insights?days=7"))
    assert table(page)[("knee", "")] == (0, 1, 0, "2")
    assert [pair.get_text(" ", strip=True) for pair in page.select(".pairs li")] == ["Neck + Knee (no side chosen): 1"]


def test_the_areas_are_read_once_and_again_as_soon_as_a_request_comes_in(staff_client, seeded):
    """Switching measures asks for the same numbers: the period's areas are read once, and read again when the
    period holds a new request."""
    from sqlalchemy import event

    from tests.helpers import add_rows

    read: list[str] = []

    def catch(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM callback_areas" in statement:
            read.append(statement)

    engine = seeded.extensions["bodymap.engine"]
    event.listen(engine, "before_cursor_execute", catch)
    try:
        first = table(soup(staff_client.get("/staff/insights?days=7&measure=views")))
        assert len(read) == 1
        assert table(soup(staff_client.get("/staff/insights?days=7&measure=callbacks"))) == first
        assert len(read) == 1, "the same period's areas were read again"
        areas = [{"region": "knee", "side": "left", "pain": 4}, {"region": "foot", "side": "right", "pain": 6}]
        add_rows(seeded, callback_request(name="P", areas=areas, created_at=utcnow() - datetime.timedelta(minutes=1)))
        after = soup(staff_client.get("/staff/insights?days=7"))
        assert len(read) == 2
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    assert table(after)[("knee", "left")][1] == first[("knee", "left")][1] + 1
    assert table(after)[("foot", "right")][1] == first[("foot", "right")][1] + 1
    assert "Left knee + Right foot: 1" in [pair.get_text(" ", strip=True) for pair in after.select(".pairs li")]
