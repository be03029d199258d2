"""Migrations 0011 to 0013 (the audit trail, accounts in the browser, calls that belong to requests and consent) go up
over a database with accounts, requests and calls in it, leave every row as it was (no consent on record, no call
linked, every account active), and come back down to 0010 with the same rows; on SQLite and on PostgreSQL, where the
audit trail's trigger goes with its table."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import text

from bodymap.data import migrate
from tests.test_migration_areas import columns, empty_database, rows  # noqa: F401  (empty_database is a fixture)

pytestmark = pytest.mark.one_clinic

CREATED = datetime.datetime(2026, 11, 2, 9, 30)


@pytest.fixture
def app_at_0010(make_app, empty_database):  # noqa: F811
    app = make_app(DATABASE_URL=empty_database, migrated=False)
    migrate.upgrade(app, "0010")
    with app.extensions["bodymap.engine"].begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff_members (id, email, password_hash, session_version, created_at, role)"
                " VALUES (1, 'desk@clinic.example', 'x', 1, :at, 'desk')"
            ),
            {"at": CREATED},
        )
        connection.execute(
            text(
                "INSERT INTO callback_requests (id, submission_key, created_at, name, phone, preferred_time, note,"
                " status, language) VALUES (1, '00000000-0000-4000-8000-000000000001', :at, 'Patient',"
                " '+15035550142', 'any', '', 'new', 'en')"
            ),
            {"at": CREATED},
        )
        connection.execute(
            text("INSERT INTO call_logs (id, created_at, outcome, staff_id) VALUES (1, :at, 'booked', 1)"),
            {"at": CREATED},
        )
        connection.execute(
            text("INSERT INTO staff_sessions (id, staff_id, created_at, last_seen_at) VALUES ('s1', 1, :at, :at)"),
            {"at": CREATED},
        )
    yield app
    app.extensions["bodymap.engine"].dispose()


def test_up_to_the_head_and_back_keeps_every_row(app_at_0010):
    assert migrate.upgrade(app_at_0010) == ("0010", migrate.head(app_at_0010))
    assert rows(app_at_0010, "SELECT id, callback_id, outcome FROM call_logs") == [(1, None, "booked")]
    assert rows(app_at_0010, "SELECT consent_at, consent_digest FROM callback_requests") == [(None, None)]
    assert rows(app_at_0010, "SELECT email, disabled_at, last_sign_in_at FROM staff_members") == [
        ("desk@clinic.example", None, None)
    ]
    assert rows(app_at_0010, "SELECT id, device, address FROM staff_sessions") == [("s1", "", "")]
    assert rows(app_at_0010, "SELECT count(*) FROM audit_events") == [(0,)]
    assert migrate.downgrade(app_at_0010, "0010") == (migrate.head(app_at_0010), "0010")
    assert "callback_id" not in columns(app_at_0010, "call_logs")
    assert {"consent_at", "consent_language", "consent_digest"}.isdisjoint(columns(app_at_0010, "callback_requests"))
    assert rows(app_at_0010, "SELECT id, outcome, staff_id FROM call_logs") == [(1, "booked", 1)]
    assert rows(app_at_0010, "SELECT id FROM staff_sessions") == [("s1",)]
    assert migrate.upgrade(app_at_0010) == ("0010", migrate.head(app_at_0010)), "and up again"
