"""Region views are counted per region, side and day, with nothing about the patient."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import inspect, select

from bodymap.data import view_counts
from bodymap.data.models import RegionView, utcnow
from tests.helpers import HTMX
from tests.hung_server import hung_server

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content


def views(app) -> dict[str, int]:
    """Today's views per region, both sides and none added up."""
    counted: dict[str, int] = {}
    for (region, _side), count in views_by_side(app).items():
        counted[region] = counted.get(region, 0) + count
    return counted


def views_by_side(app) -> dict[tuple[str, str], int]:
    with app.extensions["bodymap.sessions"]() as session:
        today = session.scalars(select(RegionView).where(RegionView.day == utcnow().date()))
        return {(v.region, v.side): v.views for v in today}


def test_panels_and_region_pages_count_one_view_each(db_client, db_app):
    db_client.get("/pain/knee/panel?side=left", headers=HTMX)
    db_client.get("/pain/knee?side=right")
    db_client.get("/pain/neck/panel", headers=HTMX)
    assert views(db_app) == {"knee": 2, "neck": 1}


def test_left_right_and_no_side_are_counted_apart(db_client, db_app):
    for _ in range(3):
        db_client.get("/pain/knee/panel?side=left", headers=HTMX)
    db_client.get("/pain/knee?side=left")
    db_client.get("/pain/knee?side=right")
    db_client.get("/pain/knee/panel", headers=HTMX)
    db_client.get("/pain/neck", headers=HTMX)
    assert views_by_side(db_app) == {("knee", "left"): 4, ("knee", "right"): 1, ("knee", ""): 1, ("neck", ""): 1}


def test_going_back_to_a_region_and_staff_pages_do_not_count(staff_client, db_app):
    staff_client.get("/pain/knee", headers={**HTMX, "HX-History-Restore-Request": "true"})
    staff_client.get("/pain/knee/panel")  # a browser opening the panel URL is sent to the page, counted there
    staff_client.get("/staff/guide/knee/panel", headers=HTMX)
    staff_client.get("/")
    assert views(db_app) == {}


def test_the_count_keeps_no_personal_data(db_app):
    columns = {c["name"] for c in inspect(db_app.extensions["bodymap.engine"]).get_columns("region_views")}
    assert columns == {"day", "region", "side", "views"}


def test_counts_wait_in_memory_and_are_written_together(make_app):
    app = make_app(VIEW_COUNT_FLUSH_SECONDS=3600)
    client = app.test_client()
    for _ in range(3):
        client.get("/pain/hip/panel?side=left", headers=HTMX)
    assert views(app) == {}
    view_counts.flush(app)
    assert views(app) == {"hip": 3}
    client.get("/pain/hip/panel?side=left", headers=HTMX)
    view_counts.flush(app)
    assert views(app) == {"hip": 4}


def test_counts_survive_a_database_that_is_down_for_a_while(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing/views.sqlite3", migrated=False)
    client = app.test_client()
    assert client.get("/pain/hip/panel", headers=HTMX).status_code == 200  # the patient never notices
    counter = app.extensions["bodymap.view_counter"]
    assert sum(counter.pending.values()) == 1
    counter.pending.clear()  # nothing left for the exit-time flush to try


def test_counting_can_be_turned_off(make_app):
    app = make_app(VIEW_COUNTING=False)
    app.test_client().get("/pain/hip/panel", headers=HTMX)
    assert views(app) == {}


def test_every_serving_of_a_stored_page_or_panel_counts_but_going_back_does_not(make_app):
    app = make_app()
    client = app.test_client()
    for _ in range(3):  # the first is rendered by the app, the others come from the store
        client.get("/pain/hip?side=left")
        client.get("/pain/hip/panel?side=left", headers=HTMX)
        client.get("/pain/hip?side=left", headers={**HTMX, "HX-History-Restore-Request": "true"})
        client.get("/")
    assert views(app) == {"hip": 6}


def test_a_background_flusher_writes_the_counts(make_app):
    app = make_app(VIEW_COUNT_FLUSH_SECONDS=1)
    client = app.test_client()
    client.get("/pain/hip/panel", headers=HTMX)
    client.get("/pain/hip/panel", headers=HTMX)
    assert views(app) == {}, "nothing is written while the patient waits"
    deadline = time.monotonic() + 10
    while views(app) != {"hip": 2} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert views(app) == {"hip": 2}


@pytest.mark.slow
def test_a_hung_database_costs_patients_nothing(make_app):
    """The database accepts connections and never answers: pages and panels still answer at once, every time."""
    with hung_server() as port:
        app = make_app(
            migrated=False, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/x", VIEW_COUNT_FLUSH_SECONDS=1
        )
        client = app.test_client()
        counter = app.extensions["bodymap.view_counter"]
        for url, headers in (("/pain/neck", {}), ("/pain/neck/panel", HTMX)):  # rendered once, without the database
            before = time.monotonic()
            assert client.get(url, headers=headers).status_code == 200
            assert time.monotonic() - before < 1
        slowest, started = 0.0, time.monotonic()
        while time.monotonic() - started < 1.6:  # the flusher starts after 1 s, and is stuck by now
            for url, headers in (("/pain/neck", {}), ("/pain/neck/panel", HTMX)):
                before = time.monotonic()
                assert client.get(url, headers=headers).status_code == 200
                slowest = max(slowest, time.monotonic() - before)
        flusher = [t for t in threading.enumerate() if t.name == "view-count-flusher" and t.is_alive()]
        assert flusher, "the flusher is running (and waiting on the database)"
        assert sum(counter.pending.values()) > 0, "the counts wait in memory"
        assert slowest < 0.5, f"a request took {slowest:.2f} s"
        counter.stopped.set()
        counter.pending.clear()  # nothing left for the exit-time flush to try
