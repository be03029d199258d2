"""Migration 0005 carries today's rows over: a request's region, side and score become its one area, a logged
call's region and side its one area, and the view counts so far stay as views opened without a side. Taken back
to 0004, each request and call gets its first area back. On SQLite and on PostgreSQL, with the rows a clinic
running 0004 holds (a notification pointing at a request included: nothing may be lost through it)."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import create_engine, inspect, text

from bodymap.data import migrate
from bodymap.data.engine import database_url as sqlalchemy_url
from tests.conftest import POSTGRES_SCHEMA, POSTGRES_SERVER, scratch_folder, unavailable

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

CREATED = datetime.datetime(2026, 11, 2, 9, 30)
DAY = datetime.date(2026, 11, 2)
# Today's rows, as 0004 stores them: (id, region, side, pain).
REQUESTS = [(1, "knee", "left", 6), (2, "neck", None, None), (3, None, None, None), (4, "hip", "right", 0)]
CALLS = [(1, "low-back", None), (2, "shoulder", "left"), (3, None, None)]
VIEWS = [(DAY, "knee", 12), (DAY, "neck", 3), (DAY + datetime.timedelta(days=1), "knee", 5)]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request):
    """A database of its own, with nothing in it: a SQLite file, or a PostgreSQL schema of this test alone (the
    suite's shared schema stays at the head while this one goes up and down)."""
    if request.param == "sqlite":
        yield f"sqlite:///{scratch_folder()}/before.sqlite3"
        return
    schema = f"{POSTGRES_SCHEMA}_areas"
    engine = create_engine(sqlalchemy_url(POSTGRES_SERVER), connect_args={"connect_timeout": 3})
    try:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as error:  # noqa: BLE001 - any failure means there is no server to test against
        engine.dispose()
        unavailable(f"PostgreSQL at {POSTGRES_SERVER} is not available: {type(error).__name__}")
    yield f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def app_at_0004(make_app, empty_database):
    """An app whose database is at revision 0004 and holds today's rows."""
    app = make_app(DATABASE_URL=empty_database, migrated=False)
    migrate.upgrade(app, "0004")
    with app.extensions["bodymap.engine"].begin() as connection:
        for id, region, side, pain in REQUESTS:
            connection.execute(
                text(
                    "INSERT INTO callback_requests (id, submission_key, created_at, name, phone, preferred_time,"
                    " region, side, pain, note, status) VALUES (:id, :key, :created, 'Patient', '+15035550142',"
                    " 'any', :region, :side, :pain, '', 'new')"
                ),
                {"id": id, "key": f"00000000-0000-4000-8000-{id:012d}", "created": CREATED, "region": region}
                | {"side": side, "pain": pain},
            )
        connection.execute(
            text(
                "INSERT INTO notifications (kind, key, callback_id, created_at, due_at, status, attempts, payload)"
                " VALUES ('request', 'request:1', 1, :at, :at, 'waiting', 0, '{}')"
            ),
            {"at": CREATED},
        )
        for id, region, side in CALLS:
            connection.execute(
                text(
                    "INSERT INTO call_logs (id, created_at, region, side, outcome)"
                    " VALUES (:id, :created, :region, :side, 'booked')"
                ),
                {"id": id, "created": CREATED, "region": region, "side": side},
            )
        for day, region, views in VIEWS:
            connection.execute(
                text("INSERT INTO region_views (day, region, views) VALUES (:day, :region, :views)"),
                {"day": day, "region": region, "views": views},
            )
    yield app
    app.extensions["bodymap.engine"].dispose()


def rows(app, query: str) -> list[tuple]:
    with app.extensions["bodymap.engine"].connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def columns(app, table: str) -> set[str]:
    return {column["name"] for column in inspect(app.extensions["bodymap.engine"]).get_columns(table)}


def test_upgrading_gives_each_request_and_call_its_one_area_and_keeps_every_view(app_at_0004):
    migrate.upgrade(app_at_0004, "head")

    assert rows(app_at_0004, "SELECT id FROM callback_requests ORDER BY id") == [(1,), (2,), (3,), (4,)]
    assert {"region", "side", "pain"}.isdisjoint(columns(app_at_0004, "callback_requests"))
    areas = rows(
        app_at_0004,
        "SELECT callback_id, position, region, side, pain, feelings, duration FROM callback_areas ORDER BY callback_id",
    )
    assert areas == [
        (1, 0, "knee", "left", 6, "", None),
        (2, 0, "neck", None, None, "", None),
        (4, 0, "hip", "right", 0, "", None),  # a score of 0 is a score
    ], "one area each, and none for the request that named no region"
    assert rows(app_at_0004, "SELECT callback_id FROM notifications") == [(1,)], "the desk's email still waits"

    assert {"region", "side"}.isdisjoint(columns(app_at_0004, "call_logs"))
    assert rows(app_at_0004, "SELECT id FROM call_logs ORDER BY id") == [(1,), (2,), (3,)]
    assert rows(app_at_0004, "SELECT call_id, position, region, side FROM call_log_areas ORDER BY call_id") == [
        (1, 0, "low-back", None),
        (2, 0, "shoulder", "left"),
    ]

    views = rows(app_at_0004, "SELECT day, region, side, views FROM region_views ORDER BY day, region")
    assert [(as_date(day), region, side, count) for day, region, side, count in views] == [
        (day, region, "", count) for day, region, count in sorted(VIEWS)
    ]


def test_the_upgraded_rows_read_through_the_models(app_at_0004):
    from sqlalchemy import select

    from bodymap.data.models import CallbackRequest, CallLog

    migrate.upgrade(app_at_0004, "head")
    with app_at_0004.extensions["bodymap.sessions"]() as session:
        requests = {r.id: r for r in session.scalars(select(CallbackRequest))}
        assert [(a.region, a.side, a.pain) for a in requests[1].areas] == [("knee", "left", 6)]
        assert requests[3].areas == []
        calls = {c.id: c for c in session.scalars(select(CallLog))}
        assert [(a.region, a.side) for a in calls[2].areas] == [("shoulder", "left")]


def test_downgrading_to_0004_gives_each_request_and_call_its_first_area_back(app_at_0004):
    migrate.upgrade(app_at_0004, "head")
    with app_at_0004.extensions["bodymap.engine"].begin() as connection:  # a second area, listed after the first
        connection.execute(
            text(
                "INSERT INTO callback_areas (callback_id, position, region, side, pain, feelings)"
                " VALUES (1, 1, 'ankle', 'right', 9, 'sharp')"
            )
        )
        connection.execute(
            text("INSERT INTO region_views (day, region, side, views) VALUES (:day, 'knee', 'left', 4)"), {"day": DAY}
        )
    migrate.downgrade(app_at_0004, "0004")

    assert "callback_areas" not in inspect(app_at_0004.extensions["bodymap.engine"]).get_table_names()
    assert rows(app_at_0004, "SELECT id, region, side, pain FROM callback_requests ORDER BY id") == [
        (id, region, side, pain) for id, region, side, pain in REQUESTS
    ]
    assert rows(app_at_0004, "SELECT id, region, side FROM call_logs ORDER BY id") == CALLS
    assert rows(app_at_0004, "SELECT callback_id FROM notifications") == [(1,)]
    views = rows(app_at_0004, "SELECT day, region, views FROM region_views ORDER BY day, region")
    assert [(as_date(day), region, count) for day, region, count in views] == [
        (DAY, "knee", 12 + 4),  # a side's views count for the region again
        (DAY, "neck", 3),
        (DAY + datetime.timedelta(days=1), "knee", 5),
    ]


def as_date(value) -> datetime.date:
    """SQLite hands back dates as text."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
