"""Storage: the schema comes from migrations; nothing is lost, nothing is doubled, old requests go."""

from __future__ import annotations

import datetime
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from bodymap import content
from bodymap.data.engine import database_url
from bodymap.data.models import Base, CallbackArea, utcnow
from bodymap.settings import ConfigError
from tests.helpers import (
    GOOD_CALLBACK,
    add_callback,
    add_rows,
    flask_command,
    flask_shell,
    hidden_fields,
    send_callback,
    soup,
    stored,
)

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content


def test_the_schema_matches_the_models(db_app):
    with db_app.extensions["bodymap.engine"].connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


@pytest.mark.slow
def test_db_upgrade_creates_the_schema_from_the_command_line(tmp_path):
    result = flask_shell(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    engine = create_engine(f"sqlite:///{tmp_path}/bodymap.sqlite3")
    assert "callback_requests" in inspect(engine).get_table_names()
    engine.dispose()
    again = flask_shell(tmp_path, "db", "upgrade")
    assert again.returncode == 0  # upgrading an up-to-date schema changes nothing


def test_sqlite_runs_with_wal_a_busy_timeout_and_foreign_keys(app):
    with app.extensions["bodymap.engine"].connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1, "NORMAL: no disk flush at each commit"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 3000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_postgres_urls_are_read_with_psycopg():
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_double_click_or_a_resubmit_stores_one_request_and_confirms_it_again(db_client, db_app, htmx):
    form = db_client.get("/callback")
    first = send_callback(db_client, htmx=htmx, form=form)
    second = send_callback(db_client, htmx=htmx, form=form)
    assert first.status_code == second.status_code == (201 if htmx else 303)
    if htmx:
        assert soup(first).select_one('[role="status"]') == soup(second).select_one('[role="status"]')
    assert len(stored(db_app)) == 1


def test_a_retry_after_a_timeout_finds_the_request_already_saved(db_client, db_app):
    fields = hidden_fields(db_client.get("/callback"))
    data = {**fields, **GOOD_CALLBACK}
    db_client.post("/callback", data=data)
    retry = db_client.post("/callback", data={**data, "note": "Sent again after the page hung."})
    assert retry.status_code == 303
    [saved] = stored(db_app)
    assert saved.note == GOOD_CALLBACK["note"]


def test_each_new_form_gets_its_own_key(client):
    keys = {hidden_fields(client.get("/callback"))["submission_key"] for _ in range(3)}
    assert len(keys) == 3


def test_markup_is_stored_as_text_and_shown_escaped(db_client, db_app):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    send_callback(db_client, name=payload, note=payload)
    [saved] = stored(db_app)
    assert saved.name == payload and saved.note == payload
    page = soup(db_client.get("/callback/sent"))
    assert page.select_one(".confirmation script") is None and page.select_one(".confirmation img") is None
    assert payload in page.select_one(".confirmation h2").get_text()


def add_request(app, age_days: float, key: str) -> None:
    old = utcnow() - datetime.timedelta(days=age_days)
    add_callback(app, submission_key=key, name="Old", created_at=old, areas=[{"region": "knee", "pain": 3}])


def stored_areas(app) -> list:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(CallbackArea).order_by(CallbackArea.id)))


def test_every_area_is_stored_in_the_order_it_was_listed(db_client, db_app):
    areas = {
        "areas-0-region": "hip",
        "areas-0-side": "right",
        "areas-0-pain": "3",
        "areas-0-feelings": ["numb", "aching"],
        "areas-0-duration": "6-12-weeks",
        "areas-1-region": "neck",
        "areas-1-side": "",
        "areas-1-pain": "9",
        "areas-1-feelings": ["burning"],
        "areas-1-duration": "under-6-weeks",
        "areas-2-region": "knee",
        "areas-2-side": "left",
        "areas-2-pain": "",
        "areas-2-duration": "",
    }
    assert send_callback(db_client, **areas).status_code == 303
    [saved] = stored(db_app)
    assert [(a.position, a.region, a.side, a.pain, a.feelings, a.duration) for a in saved.areas] == [
        (0, "hip", "right", 3, "aching,numb", "6-12-weeks"),  # feelings in the form's order
        (1, "neck", None, 9, "burning", "under-6-weeks"),
        (2, "knee", "left", None, "", None),
    ]
    assert {a.callback_id for a in stored_areas(db_app)} == {saved.id}


def test_a_resubmitted_form_stores_its_areas_once(db_client, db_app):
    form = db_client.get("/callback")
    two = {"areas-1-region": "neck", "areas-1-side": "", "areas-1-pain": "2"}
    send_callback(db_client, form=form, **two)
    send_callback(db_client, form=form, **two)
    assert len(stored(db_app)) == 1
    assert [(a.region, a.side) for a in stored_areas(db_app)] == [("knee", "left"), ("neck", None)]


def test_purge_deletes_requests_older_than_the_retention_period(db_client, db_app):
    add_request(db_app, 91, "00000000-0000-4000-8000-000000000001")
    add_request(db_app, 89, "00000000-0000-4000-8000-000000000002")
    result = flask_command(db_app, "purge")
    assert result.exit_code == 0, result.output
    assert "Deleted 1 callback request, 0 logged calls, 0 desk emails about no request, 0 ended staff sign-ins" in (
        result.output
    )
    assert "(older than 90 days, or ended)" in result.output
    batches = re.search(r"In 1 batch of up to 1000 rows; the longest held its transaction ([\d.]+) ms\.", result.output)
    assert batches and float(batches.group(1)) > 0, result.output
    assert [s.submission_key for s in stored(db_app)] == ["00000000-0000-4000-8000-000000000002"]
    assert [a.callback_id for a in stored_areas(db_app)] == [stored(db_app)[0].id], "the old request's areas went too"


def test_purge_honours_retention_days(db_client, db_app, monkeypatch):
    add_request(db_app, 10, "00000000-0000-4000-8000-000000000003")
    add_request(db_app, 2, "00000000-0000-4000-8000-000000000004")
    monkeypatch.setitem(db_app.config, "RETENTION_DAYS", 7)
    result = flask_command(db_app, "purge")
    assert "Deleted 1 callback request," in result.output and "(older than 7 days, or ended)" in result.output
    assert len(stored(db_app)) == 1
    result = flask_command(db_app, "purge", "--days", "1")
    assert "Deleted 1 callback request," in result.output and "(older than 1 day, or ended)" in result.output
    assert stored(db_app) == []


def test_purge_also_deletes_old_call_logs_old_summaries_and_ended_sign_ins_in_batches(db_client, db_app, monkeypatch):
    from bodymap.data import retention
    from bodymap.data.models import CallLog, CallLogArea, Notification, StaffMember, StaffSession

    monkeypatch.setattr(retention, "BATCH", 2)  # several batches, each its own transaction
    now, day = utcnow(), datetime.timedelta(days=1)
    member = StaffMember(email="purge@clinic.example", password_hash="x")
    add_rows(db_app, member)
    rows = []
    for age in (100, 95, 91, 89, 1):
        call = CallLog(outcome="booked", created_at=now - age * day)
        call.areas = [CallLogArea(position=0, region="knee", side="left")]
        rows.append(call)
        rows.append(Notification(kind="summary", key=f"summary:{age}", created_at=now - age * day, status="sent"))
    rows.append(Notification(kind="summary", key="summary:waiting", created_at=now - 100 * day, status="waiting"))
    for number, (created, seen) in enumerate([(now, now), (now - 13 * day / 24, now), (now - day, now - day)]):
        rows.append(StaffSession(id=f"s{number}", staff_id=member.id, created_at=created, last_seen_at=seen))
    add_rows(db_app, *rows)
    result = flask_command(db_app, "callbacks", "purge")
    assert result.exit_code == 0, result.output
    assert "0 callback requests, 3 logged calls, 3 desk emails about no request, 2 ended staff sign-ins" in (
        result.output
    )
    with db_app.extensions["bodymap.sessions"]() as session:
        assert len(session.scalars(select(CallLog)).all()) == 2
        assert len(session.scalars(select(CallLogArea)).all()) == 2, "a call's areas go with it"
        kept = sorted(n.key for n in session.scalars(select(Notification)))
        assert kept == ["summary:1", "summary:89", "summary:waiting"], "an email not yet sent is never dropped"
        assert [s.id for s in session.scalars(select(StaffSession))] == ["s0"]


def test_a_bad_retention_setting_stops_the_app_with_a_clear_message(make_app, monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "ninety")
    with pytest.raises(ConfigError, match="RETENTION_DAYS must be a whole number of at least 1, not 'ninety'"):
        make_app()


@pytest.mark.parametrize("url", ["nonsense", "postgresql+nodriver://u@h/d", "mysql://u@h/d"])
def test_a_database_url_that_cannot_work_stops_the_app_with_a_clear_message(make_app, url):
    with pytest.raises(ConfigError, match="DATABASE_URL is not a database address this app can use"):
        make_app(DATABASE_URL=url, migrated=False)


def send_in(client, lang: str):
    """Open the callback form at its address in `lang` and send it there, as a patient reading that language."""
    url = "/callback" if lang == "en" else f"/{lang}/callback"
    response = client.post(url, data={**hidden_fields(client.get(url)), **GOOD_CALLBACK})
    assert response.status_code == 303, response.status_code
    return response


def test_each_request_stores_the_language_of_the_form_it_was_sent_from(db_client, db_app):
    if "es" not in content.languages(db_app):
        pytest.skip("this clinic's content has no Spanish, so it has no Spanish form")
    send_in(db_client, "en")
    send_in(db_app.test_client(), "es")
    send_in(db_client, "en")
    assert [saved.language for saved in stored(db_app)] == ["en", "es", "en"]
