"""`flask --app bodymap seed`: made-up rows for benchmarks and demos, written in batches, on SQLite and PostgreSQL;
never into a database that holds requests the seed did not make, unless forced."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from bodymap.data import seed
from bodymap.data.models import AuditEvent, CallbackArea, CallbackRequest, CallLog, RegionView, StaffMember
from tests.conftest import empty_tables
from tests.helpers import add_callback, flask_command, stored

pytestmark = pytest.mark.one_clinic


@pytest.fixture
def seeded_app(db_app):
    yield db_app
    empty_tables(db_app)


def scalar(app, query):
    with app.extensions["bodymap.sessions"]() as session:
        return session.scalar(query)


def test_seed_writes_made_up_requests_audit_rows_and_view_counts(seeded_app, content):
    result = flask_command(seeded_app, "seed", "--requests", "300", "--audit-events", "2000", "--view-days", "10")
    assert result.exit_code == 0, result.output
    assert re.match(r"Seeded 300 callback requests \(\d+ areas\), \d+ logged calls, 2000 audit rows", result.output)

    requests = stored(seeded_app)
    assert len(requests) == 300
    assert all(r.submission_key.startswith(seed.KEY_PREFIX) for r in requests)
    assert all(re.fullmatch(r"\+1\d{3}5550(1\d\d)", r.phone) for r in requests), "555-0100 to 555-0199 only"
    names = {tuple(r.name.split(" ", 1)) for r in requests}
    assert all(first in seed.FIRST_NAMES and last in seed.LAST_NAMES for first, last in names)
    assert {r.language for r in requests} == {"en", "es"}
    assert {r.status for r in requests} >= {"new", "booked", "closed"}
    assert len({r.created_at.date() for r in requests}) > 30, "spread over the days a request is kept"

    slugs = {region.slug: region.sides for region in content.regions}
    counts = Counter()
    for request in requests:
        counts[len(request.areas)] += 1
        assert len({(a.region, a.side) for a in request.areas}) == len(request.areas)
        for area in request.areas:
            assert area.region in slugs and (area.side is None or area.side in slugs[area.region])
    assert set(counts) <= {1, 2, 3, 4} and len(counts) >= 3

    answered = scalar(seeded_app, select(func.count()).where(CallbackRequest.status != "new"))
    linked = scalar(seeded_app, select(func.count(CallLog.id)).where(CallLog.callback_id.is_not(None)))
    assert linked == answered, "every request called back has its call"
    assert scalar(seeded_app, select(func.count(AuditEvent.id))) == 2000
    with seeded_app.extensions["bodymap.sessions"]() as session:
        actors = set(session.scalars(select(AuditEvent.actor).distinct()))
        staff = set(session.scalars(select(StaffMember.email).where(StaffMember.password_hash == seed.NO_PASSWORD)))
    assert actors <= staff and len(staff) == seed.DESK_STAFF
    areas = sum(len(sides) + 1 if sides else 1 for sides in slugs.values())
    assert scalar(seeded_app, select(func.count()).select_from(RegionView)) == 10 * areas


def test_seed_writes_in_batches(seeded_app, monkeypatch):
    sizes = []
    batches = seed._batches

    def counted(rows):
        for batch in batches(rows):
            sizes.append(len(batch))
            yield batch

    monkeypatch.setattr(seed, "BATCH", 700)
    monkeypatch.setattr(seed, "_batches", counted)
    result = flask_command(seeded_app, "seed", "--audit-events", "2000")
    assert result.exit_code == 0, result.output
    assert sizes == [700, 700, 600]
    assert scalar(seeded_app, select(func.count(AuditEvent.id))) == 2000


def test_seed_adds_to_its_own_rows(seeded_app):
    assert flask_command(seeded_app, "seed", "--requests", "20", "--view-days", "3").exit_code == 0
    again = flask_command(seeded_app, "seed", "--requests", "20", "--view-days", "5")
    assert again.exit_code == 0, again.output
    assert len(stored(seeded_app)) == 40
    days = select(func.count(RegionView.day.distinct()))
    assert scalar(seeded_app, days) == 5, "days already counted are left as they are"


def test_seed_refuses_a_database_with_requests_it_did_not_make(seeded_app):
    add_callback(seeded_app)
    refused = flask_command(seeded_app, "seed", "--requests", "10", "--audit-events", "10")
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert len(stored(seeded_app)) == 1
    assert scalar(seeded_app, select(func.count(AuditEvent.id))) == 0
    assert scalar(seeded_app, select(func.count(CallbackArea.id))) == len(stored(seeded_app)[0].areas)

    forced = flask_command(seeded_app, "seed", "--requests", "10", "--force")
    assert forced.exit_code == 0, forced.output
    assert len(stored(seeded_app)) == 11
