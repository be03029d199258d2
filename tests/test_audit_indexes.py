"""The audit page's queries walk an index on PostgreSQL, whatever the filters: newest first, each filter, each page
after the first (from a key), and the CSV's batches. Checked with EXPLAIN over 50,000 rows (issue 27 will measure a
million)."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from bodymap.audit import reading
from bodymap.data.models import AuditEvent
from tests.conftest import empty_tables

pytestmark = pytest.mark.one_clinic

ROWS = 50_000


@pytest.fixture
def many_rows(db_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the plans checked are PostgreSQL's")
    with db_app.extensions["bodymap.engine"].begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (at, actor, action, target_kind, target_id, address)"
                " SELECT now() - make_interval(secs => n * 20), 'member-' || (n % 40) || '@clinic.example',"
                " (ARRAY['signed_in','request_viewed','status_changed','call_logged','queue_viewed'])[n % 5 + 1],"
                " CASE WHEN n % 5 IN (1, 2, 3) THEN 'request' END, CASE WHEN n % 5 IN (1, 2, 3) THEN n % 3000 END,"
                " '203.0.113.0' FROM generate_series(1, :rows) AS n"
            ),
            {"rows": ROWS},
        )
        connection.execute(text("ANALYZE audit_events"))
    yield db_app
    empty_tables(db_app)


FILTERS = {
    "none": reading.Filters(),
    "person": reading.Filters(person="member-7@clinic.example"),
    "request": reading.Filters(request=1234),
    "action": reading.Filters(action="status_changed"),
    "dates": reading.Filters(since=datetime.datetime(2026, 1, 1), until=datetime.datetime(2026, 2, 1)),
    "person and dates": reading.Filters(person="member-7@clinic.example", since=datetime.datetime(2026, 1, 1)),
    "action and request": reading.Filters(action="call_logged", request=1234),
}


def plan(app, query) -> str:
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    with app.extensions["bodymap.engine"].connect() as connection:
        return "\n".join(row[0] for row in connection.execute(text("EXPLAIN " + sql)))


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_page_of_the_audit_trail_walks_an_index(many_rows, name):
    from sqlalchemy import select, tuple_

    filters = FILTERS[name]
    first = reading._newest_first(filters.applied(select(*reading.COLUMNS))).limit(reading.PAGE_SIZE + 1)
    key = (datetime.datetime(2026, 6, 1), 10_000)
    older = reading._newest_first(
        filters.applied(select(*reading.COLUMNS)).where(tuple_(AuditEvent.at, AuditEvent.id) < key)
    ).limit(reading.PAGE_SIZE + 1)
    for query in (first, older):
        found = plan(many_rows, query)
        assert "Seq Scan on audit_events" not in found, found
        assert "Index" in found, found
        assert "Sort" not in found, found  # the index gives the order: no rows read only to be sorted
