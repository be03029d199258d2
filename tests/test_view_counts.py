"""Region views are counted per region and day, with nothing about the patient."""

from __future__ import annotations

from sqlalchemy import inspect, select

from bodymap import create_app
from bodymap.data import migrate, view_counts
from bodymap.data.models import RegionView, utcnow
from tests.conftest import TEST_CONFIG
from tests.helpers import HTMX


def views(app) -> dict[str, int]:
    with app.extensions["bodymap.sessions"]() as session:
        return {v.region: v.views for v in session.scalars(select(RegionView).where(RegionView.day == utcnow().date()))}


def test_panels_and_region_pages_count_one_view_each(db_client, db_app):
    db_client.get("/pain/knee/panel?side=left", headers=HTMX)
    db_client.get("/pain/knee?side=right")
    db_client.get("/pain/neck/panel", headers=HTMX)
    assert views(db_app) == {"knee": 2, "neck": 1}


def test_going_back_to_a_region_and_staff_pages_do_not_count(staff_client, db_app):
    staff_client.get("/pain/knee", headers={**HTMX, "HX-History-Restore-Request": "true"})
    staff_client.get("/pain/knee/panel")  # a browser opening the panel URL is sent to the page, counted there
    staff_client.get("/staff/guide/knee/panel", headers=HTMX)
    staff_client.get("/")
    assert views(db_app) == {}


def test_the_count_keeps_no_personal_data(db_app):
    columns = {c["name"] for c in inspect(db_app.extensions["bodymap.engine"]).get_columns("region_views")}
    assert columns == {"day", "region", "views"}


def test_counts_wait_in_memory_and_are_written_together(tmp_path):
    app = create_app(
        {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path}/views.sqlite3", "VIEW_COUNT_FLUSH_SECONDS": 3600}
    )
    migrate.upgrade(app)
    client = app.test_client()
    for _ in range(3):
        client.get("/pain/hip/panel?side=left", headers=HTMX)
    assert views(app) == {}
    view_counts.flush(app)
    assert views(app) == {"hip": 3}
    client.get("/pain/hip/panel?side=left", headers=HTMX)
    view_counts.flush(app)
    assert views(app) == {"hip": 4}


def test_counts_survive_a_database_that_is_down_for_a_while(tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/views.sqlite3"})
    client = app.test_client()
    assert client.get("/pain/hip/panel", headers=HTMX).status_code == 200  # the patient never notices
    counter = app.extensions["bodymap.view_counter"]
    assert sum(counter.pending.values()) == 1
    counter.pending.clear()  # nothing left for the exit-time flush to try


def test_counting_can_be_turned_off(tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path}/off.sqlite3", "VIEW_COUNTING": False})
    migrate.upgrade(app)
    app.test_client().get("/pain/hip/panel", headers=HTMX)
    assert views(app) == {}
