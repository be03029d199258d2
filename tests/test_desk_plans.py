"""The desk's pages stay flat as their tables grow: on PostgreSQL, over a seeded database, every query the queue (and
its filters and later pages), a request's call guide, the audit page, the accounts page and insights run is EXPLAINed,
and none reads a whole table that grows (callback requests, calls, the audit trail, view counts) row by row.

The queries are the ones the pages really send (caught as they go out), so a query added to a page later is checked
too. Three reads are left to the planner on purpose, because they are bounded by RETENTION_DAYS rather than by the
years a clinic runs: the queue ordered by pain score, which ranks every kept request; the queue filtered by a region
(its areas come from their index, and the planner then prefers reading the kept requests to probing for each); and
the areas of the period's requests and calls that insights joins.
(tests/test_audit_indexes.py checks the audit page's own queries by filter.)
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from bodymap import audit, content
from bodymap.areas.area import DURATIONS, FEELINGS
from bodymap.data import seed
from bodymap.data.models import CallbackRequest
from tests.conftest import empty_tables
from tests.helpers import add_staff, sign_in

pytestmark = pytest.mark.one_clinic

GROWING = ("callback_requests", "call_logs", "audit_events", "region_views")


@pytest.fixture(scope="module")
def seeded(db_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the plans checked are PostgreSQL's")
    regions = tuple((region.slug, tuple(region.sides)) for region in content.get(db_app).regions)
    vocabulary = seed.Vocabulary(regions, tuple(FEELINGS), tuple(DURATIONS), tuple(audit.ACTIONS))
    engine = db_app.extensions["bodymap.engine"]
    seed.seed(engine, vocabulary, requests=3000, audit_events=30_000, view_days=400, days=365)
    add_staff(db_app, "plans-admin@clinic.example", role="admin")
    yield db_app
    empty_tables(db_app)


def slug(app) -> str:
    return content.get(app).regions[0].slug


def pages(app) -> list[str]:
    with app.extensions["bodymap.sessions"]() as session:
        newest = session.scalar(select(CallbackRequest.id).order_by(CallbackRequest.id.desc()).limit(1))
    return [
        "/staff/callbacks",
        "/staff/callbacks?page=3",
        "/staff/callbacks?status=new",
        "/staff/callbacks?status=booked",
        "/staff/callbacks?language=es",
        "/staff/callbacks/rows",
        f"/staff/callbacks/{newest}/guide",
        "/staff/audit",
        "/staff/audit?action=status_changed",
        "/staff/audit?person=desk-3@seeded.example",
        "/staff/audit?request=500",
        "/staff/accounts",
        "/staff/insights?days=7",
        "/staff/insights?days=30",
    ]


def sent(app, client, page: str) -> list[tuple[str, object]]:
    """Every SELECT the page sends, with its parameters."""
    caught: list[tuple[str, object]] = []

    def catch(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and statement.strip() != "SELECT 1":
            caught.append((statement, parameters))

    engine = app.extensions["bodymap.engine"]
    event.listen(engine, "before_cursor_execute", catch)
    try:
        assert client.get(page).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    return caught


def explained(app, statement: str, parameters) -> str:
    with app.extensions["bodymap.engine"].raw_connection() as connection, connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_no_desk_page_reads_a_growing_table_from_end_to_end(seeded):
    client = seeded.test_client()
    assert sign_in(client, "plans-admin@clinic.example").status_code == 303
    scans = {}
    for page in pages(seeded):
        queries = sent(seeded, client, page)
        assert queries, page
        for statement, parameters in queries:
            plan = explained(seeded, statement, parameters)
            found = re.findall(r"Seq Scan on (\w+)", plan)
            if set(found) & set(GROWING):
                scans[page] = f"{statement}\n{plan}"
    assert not scans, "\n\n".join(f"{page}:\n{text}" for page, text in scans.items())
