"""`callbacks purge` deletes in bounded steps: over a seeded database, every DELETE removes at most BATCH rows and
each batch commits on its own, so no transaction holds its locks for longer than one batch takes (`make bench`'s
numbers and the README say how long that is over a million rows)."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import event, func, select

from bodymap import audit, content
from bodymap.areas.area import DURATIONS, FEELINGS, MAX_AREAS
from bodymap.data import retention, seed
from bodymap.data.models import AuditEvent, CallbackRequest
from tests.conftest import empty_tables

pytestmark = pytest.mark.one_clinic


@pytest.fixture
def seeded_app(db_app):
    regions = tuple((region.slug, tuple(region.sides)) for region in content.get(db_app).regions)
    vocabulary = seed.Vocabulary(regions, tuple(FEELINGS), tuple(DURATIONS), tuple(audit.ACTIONS))
    seed.seed(db_app.extensions["bodymap.engine"], vocabulary, requests=1200, audit_events=2500, days=90)
    yield db_app
    empty_tables(db_app)


def count(app, query) -> int:
    with app.extensions["bodymap.sessions"]() as session:
        return session.scalar(query)


def test_purge_deletes_a_batch_at_a_time_each_in_its_own_transaction(seeded_app, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 500)
    engine = seeded_app.extensions["bodymap.engine"]
    old_requests = count(seeded_app, select(func.count()).where(CallbackRequest.created_at < _ago(1)))
    old_audit = count(seeded_app, select(func.count()).where(AuditEvent.at < _ago(100)))
    deleted: list[tuple[str, int]] = []
    commits: list[int] = []

    def after(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            deleted.append((statement.split()[2], cursor.rowcount))

    def committed(conn) -> None:
        commits.append(len(deleted))

    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "commit", committed)
    try:
        purged = retention.purge(
            seeded_app, 1, datetime.timedelta(minutes=30), datetime.timedelta(hours=12), audit_days=100
        )
    finally:
        event.remove(engine, "after_cursor_execute", after)
        event.remove(engine, "commit", committed)

    assert purged.callback_requests == old_requests > 1000
    assert purged.audit_events == old_audit > 2000
    parents = [rows for table, rows in deleted if table not in ("callback_areas", "call_log_areas")]
    assert max(parents) == 500, deleted
    children = [rows for table, rows in deleted if table in ("callback_areas", "call_log_areas")]
    assert max(children) <= MAX_AREAS * 500, "a batch's areas are its rows' own"
    requests = [rows for table, rows in deleted if table == "callback_requests"]
    audit_rows = [rows for table, rows in deleted if table == "audit_events"]
    assert len(requests) >= 3 and sum(requests) == old_requests
    assert len(audit_rows) >= 5 and sum(audit_rows) == old_audit
    # Every batch ends with its commit: the statements between two commits are one batch's (areas, emails, requests).
    spans = [later - earlier for earlier, later in zip([0, *commits], commits, strict=False)]
    assert max(spans) <= 3, spans
    assert purged.batches >= len(requests) + len(audit_rows) and purged.longest_batch_ms > 0, "it says how long"


def _ago(days: int) -> datetime.datetime:
    from bodymap.data.models import utcnow

    return utcnow() - datetime.timedelta(days=days)
