"""Migration 0014 (the desk's indexes) goes up over a database with requests and areas in it, leaves every row as it
was, and comes back down to 0013 with the indexes it had; on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import inspect, text

from bodymap.data import migrate
from tests.test_migration_areas import empty_database, rows  # noqa: F401  (empty_database is a fixture)

pytestmark = pytest.mark.one_clinic

CREATED = datetime.datetime(2026, 11, 2, 9, 30)
NEW = {"ix_callback_requests_created_at_id", "ix_callback_requests_status_created_at_id"}
OLD = {"ix_callback_requests_created_at", "ix_callback_requests_status"}


@pytest.fixture
def app_at_0013(make_app, empty_database):  # noqa: F811
    app = make_app(DATABASE_URL=empty_database, migrated=False)
    migrate.upgrade(app, "0013")
    with app.extensions["bodymap.engine"].begin() as connection:
        connection.execute(
            text(
                "INSERT INTO callback_requests (id, submission_key, created_at, name, phone, preferred_time, note,"
                " status, language) VALUES (1, '00000000-0000-4000-8000-000000000001', :at, 'Patient',"
                " '+15035550142', 'any', '', 'new', 'en')"
            ),
            {"at": CREATED},
        )
        connection.execute(
            text(
                "INSERT INTO callback_areas (id, callback_id, position, region, side, feelings)"
                " VALUES (1, 1, 0, 'r', 'left', '')"
            )
        )
    yield app
    app.extensions["bodymap.engine"].dispose()


def indexes(app, table: str) -> set[str]:
    return {index["name"] for index in inspect(app.extensions["bodymap.engine"]).get_indexes(table)}


def test_the_desk_indexes_go_up_and_down_keeping_every_row(app_at_0013):
    assert migrate.upgrade(app_at_0013, "0014") == ("0013", "0014")
    assert indexes(app_at_0013, "callback_requests") >= NEW
    assert OLD.isdisjoint(indexes(app_at_0013, "callback_requests"))
    assert "ix_callback_areas_region_side" in indexes(app_at_0013, "callback_areas")
    assert rows(app_at_0013, "SELECT id, status FROM callback_requests") == [(1, "new")]
    assert rows(app_at_0013, "SELECT callback_id, region, side FROM callback_areas") == [(1, "r", "left")]

    assert migrate.downgrade(app_at_0013, "0013") == ("0014", "0013")
    assert indexes(app_at_0013, "callback_requests") >= OLD
    assert NEW.isdisjoint(indexes(app_at_0013, "callback_requests"))
    assert "ix_callback_areas_region_side" not in indexes(app_at_0013, "callback_areas")
    assert rows(app_at_0013, "SELECT id, status FROM callback_requests") == [(1, "new")]
    assert migrate.upgrade(app_at_0013) == ("0013", "0014"), "and up again"
