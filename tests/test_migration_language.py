"""Migration 0006 records the language of each callback request. Every request stored before it came through the
English form, so each becomes "en"; taken back to 0005, the column goes and nothing else does. On SQLite (whose
batch mode rebuilds the table, with a request's areas and its waiting email pointing at it) and on PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import inspect, select, text

from bodymap.data import migrate
from tests.helpers import add_rows, callback_request
from tests.test_migration_areas import columns, empty_database, rows  # noqa: F401  (empty_database is a fixture)

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

CREATED = datetime.datetime(2026, 11, 2, 9, 30)
REQUESTS = [(1, "new"), (2, "booked"), (3, "closed")]
AREAS = [(1, 0, "knee", "left", 6), (1, 1, "neck", None, 3), (2, 0, "hip", "right", None)]


@pytest.fixture
def app_at_0005(make_app, empty_database):  # noqa: F811
    """An app whose database is at revision 0005 and holds requests, their areas and a waiting email."""
    app = make_app(DATABASE_URL=empty_database, migrated=False)
    migrate.upgrade(app, "0005")
    with app.extensions["bodymap.engine"].begin() as connection:
        for id, status in REQUESTS:
            connection.execute(
                text(
                    "INSERT INTO callback_requests (id, submission_key, created_at, name, phone, preferred_time,"
                    " note, status) VALUES (:id, :key, :created, 'Patient', '+15035550142', 'any', '', :status)"
                ),
                {"id": id, "key": f"00000000-0000-4000-8000-{id:012d}", "created": CREATED, "status": status},
            )
        for callback_id, position, region, side, pain in AREAS:
            connection.execute(
                text(
                    "INSERT INTO callback_areas (callback_id, position, region, side, pain, feelings)"
                    " VALUES (:callback_id, :position, :region, :side, :pain, '')"
                ),
                {"callback_id": callback_id, "position": position, "region": region, "side": side, "pain": pain},
            )
        connection.execute(
            text(
                "INSERT INTO notifications (kind, key, callback_id, created_at, due_at, status, attempts, payload)"
                " VALUES ('request', 'request:1', 1, :at, :at, 'waiting', 0, '{}')"
            ),
            {"at": CREATED},
        )
    yield app
    app.extensions["bodymap.engine"].dispose()


AREA_ROWS = "SELECT callback_id, position, region, side, pain FROM callback_areas ORDER BY callback_id, position"


def test_upgrading_marks_every_earlier_request_english_and_keeps_its_areas_and_emails(app_at_0005):
    assert "language" not in columns(app_at_0005, "callback_requests")
    migrate.upgrade(app_at_0005, "head")

    assert rows(app_at_0005, "SELECT id, status, language FROM callback_requests ORDER BY id") == [
        (id, status, "en") for id, status in REQUESTS
    ]
    found = inspect(app_at_0005.extensions["bodymap.engine"]).get_columns("callback_requests")
    [language] = [column for column in found if column["name"] == "language"]
    assert language["nullable"] is False
    assert rows(app_at_0005, AREA_ROWS) == AREAS, "the table was rebuilt without losing a request's areas"
    assert rows(app_at_0005, "SELECT callback_id FROM notifications") == [(1,)], "the desk's email still waits"


def test_after_the_upgrade_requests_read_and_store_their_language_through_the_models(app_at_0005):
    from bodymap.data.models import CallbackRequest

    migrate.upgrade(app_at_0005, "head")
    add_rows(app_at_0005, callback_request(id=10, name="Nueva", language="es"), callback_request(id=11, name="New"))
    with app_at_0005.extensions["bodymap.sessions"]() as session:
        found = {r.name: r.language for r in session.scalars(select(CallbackRequest).where(CallbackRequest.id > 3))}
        assert found == {"Nueva": "es", "New": "en"}  # English unless the request says otherwise
        old = session.get(CallbackRequest, 1)
        assert old.language == "en" and [a.region for a in old.areas] == ["knee", "neck"]


def test_downgrading_to_0005_drops_the_language_and_keeps_everything_else(app_at_0005):
    migrate.upgrade(app_at_0005, "head")
    with app_at_0005.extensions["bodymap.engine"].begin() as connection:
        connection.execute(text("UPDATE callback_requests SET language = 'es' WHERE id = 2"))
    migrate.downgrade(app_at_0005, "0005")

    assert "language" not in columns(app_at_0005, "callback_requests")
    assert rows(app_at_0005, "SELECT id, status FROM callback_requests ORDER BY id") == REQUESTS
    assert rows(app_at_0005, AREA_ROWS) == AREAS
    assert rows(app_at_0005, "SELECT callback_id FROM notifications") == [(1,)]
    migrate.upgrade(app_at_0005, "head")  # and up again: the same request is English once more
    assert rows(app_at_0005, "SELECT language FROM callback_requests WHERE id = 2") == [("en",)]
