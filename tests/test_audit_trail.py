"""The audit trail: a desk member's status change and call reach the admin's page and CSV with who, what and when;
only admins read it; it is append-only (a PostgreSQL trigger) and purged past AUDIT_RETENTION_DAYS; it holds no
patient text, only the client's network; reading a request or the queue, sign-ins and exports are in it too."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.exc import DBAPIError

from bodymap.audit import reading
from bodymap.data.models import AuditEvent, CallbackRequest, StaffMember, utcnow
from bodymap.settings import ConfigError
from tests.helpers import (
    HTMX,
    STAFF_EMAIL,
    add_rows,
    add_staff,
    callback_request,
    csrf_token_from,
    flask_command,
    send_callback,
    sign_in,
    soup,
)

pytestmark = pytest.mark.one_clinic  # who did what holds whatever the clinic's file says

ADMIN = "admin@clinic.example"


def audit_rows(app) -> list[AuditEvent]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def signed_in(app, email: str, role: str, **environ):
    add_staff(app, email=email, role=role)
    client = app.test_client()
    if environ:
        client.environ_base.update(environ)
    assert sign_in(client, email=email).status_code == 303
    return client


def one_request(app, **fields) -> int:
    add_rows(app, callback_request(region="knee", side="left", pain=5, **fields))
    with app.extensions["bodymap.sessions"]() as session:
        return session.scalar(select(func.max(CallbackRequest.id)))


def log_call(client, request_id: int, outcome: str, htmx: bool = False):
    guide = client.get(f"/staff/callbacks/{request_id}/guide")
    form = {"csrf_token": csrf_token_from(guide), "outcome": outcome, "next": f"/staff/callbacks/{request_id}/guide"}
    form |= {"areas-0-region": "knee", "areas-0-side": "left"}
    return client.post(f"/staff/callbacks/{request_id}/calls", data=form, headers=HTMX if htmx else {})


def change_status(client, request_id: int, status: str):
    token = csrf_token_from(client.get("/staff/callbacks"))
    return client.post(f"/staff/callbacks/{request_id}/status", data={"csrf_token": token, "status": status})


def test_a_desk_status_change_and_call_show_on_the_admins_audit_page_and_csv(db_client, db_app):
    desk = signed_in(db_app, STAFF_EMAIL, "desk")
    request_id = one_request(db_app)
    before = utcnow().replace(microsecond=0)
    assert change_status(desk, request_id, "contacted").status_code == 303
    assert log_call(desk, request_id, "booked").status_code == 303
    admin = signed_in(db_app, ADMIN, "admin")

    page = soup(admin.get(f"/staff/audit?person={STAFF_EMAIL}&request={request_id}"))
    shown = {row["data-action"]: row for row in page.select("table.audit-table tbody tr")}
    assert set(shown) == {"status_changed", "call_logged", "request_viewed"}
    status, call = shown["status_changed"], shown["call_logged"]
    for row in (status, call):
        assert row.select_one(".audit-who").get_text() == STAFF_EMAIL
        when = datetime.datetime.fromisoformat(row.select_one("time")["datetime"].removesuffix("Z"))
        assert before <= when <= utcnow()
        assert row.select_one("a[href]").get_text() == f"Request {request_id}"
    changed = status.select_one('.audit-change[data-field="status"]')
    assert (changed.select_one(".old").get_text(), changed.select_one(".new").get_text()) == ("new", "contacted")
    after_call = call.select_one('.audit-change[data-field="status"]')
    assert (after_call.select_one(".old").get_text(), after_call.select_one(".new").get_text()) == (
        "contacted",
        "booked",
    )
    assert call.select_one('.audit-change[data-field="outcome"] .new').get_text() == "booked"

    response = admin.get(f"/staff/audit.csv?person={STAFF_EMAIL}&request={request_id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_action = {line["action"]: line for line in lines}
    assert by_action["status_changed"]["who"] == by_action["call_logged"]["who"] == STAFF_EMAIL
    assert by_action["status_changed"]["old value"] == '{"status":"new"}'
    assert by_action["status_changed"]["new value"] == '{"status":"contacted"}'
    assert '"status":"booked"' in by_action["call_logged"]["new value"]
    for line in (by_action["status_changed"], by_action["call_logged"]):
        when = datetime.datetime.strptime(line["time (UTC)"], "%Y-%m-%dT%H:%M:%SZ")
        assert before <= when <= utcnow()
    exported = audit_rows(db_app)[-1]
    assert (exported.action, exported.actor) == ("csv_exported", ADMIN), "the export is itself in the trail"
    assert f'"request":{request_id}' in exported.new_value


@pytest.mark.parametrize("url", ["/staff/audit", "/staff/audit.csv", "/staff/accounts"])
def test_a_desk_account_gets_403_on_the_audit_and_the_accounts(db_client, db_app, url):
    desk = signed_in(db_app, STAFF_EMAIL, "desk")
    response = desk.get(url)
    assert response.status_code == 403
    assert soup(response).h1.get_text() == "This page is not for your account"
    assert all(row.action != "csv_exported" for row in audit_rows(db_app))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("url", ["/staff/audit", "/staff/audit.csv"])
def test_writing_to_the_audit_routes_changes_nothing(db_client, db_app, method, url):
    admin = signed_in(db_app, ADMIN, "admin")
    token = csrf_token_from(admin.get("/staff/accounts"))
    rows_before = [(row.id, row.action) for row in audit_rows(db_app)]
    response = admin.open(url, method=method, data={"csrf_token": token, "action": "x"}, headers={"X-CSRFToken": token})
    assert response.status_code == 405
    assert [(row.id, row.action) for row in audit_rows(db_app)] == rows_before


def test_on_postgresql_the_trigger_refuses_update_delete_and_truncate(db_client, db_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the trigger is PostgreSQL's")
    signed_in(db_app, STAFF_EMAIL, "desk")
    [row] = audit_rows(db_app)
    engine = db_app.extensions["bodymap.engine"]
    statements = [
        update(AuditEvent).values(action="signed_out"),
        update(AuditEvent).values(at=utcnow() - datetime.timedelta(days=9000)),
        text("DELETE FROM audit_events"),
        text("TRUNCATE audit_events"),
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="audit_events is append-only"), engine.begin() as connection:
            connection.execute(statement)
    assert [(r.id, r.action, r.at) for r in audit_rows(db_app)] == [(row.id, row.action, row.at)]
    # The purge's setting lets through only rows older than it says: a row of today stays.
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("SELECT set_config('bodymap.audit_purge_before', '2000-01-01', true)"))
        connection.execute(text("DELETE FROM audit_events"))
    # Removing the account: the database's own SET NULL goes through, and the email copied still says who.
    assert flask_command(db_app, "staff", "remove", STAFF_EMAIL).exit_code == 0
    kept = [r for r in audit_rows(db_app) if r.action == "signed_in"]
    assert [(r.staff_id, r.actor) for r in kept] == [(None, STAFF_EMAIL)]


def test_the_purge_removes_audit_rows_past_their_keeping_and_nothing_newer(db_client, db_app, monkeypatch):
    now = utcnow()
    ages = {"old": 2191, "older": 3000, "young": 2189, "today": 0}
    add_rows(
        db_app,
        *(
            AuditEvent(at=now - datetime.timedelta(days=days), actor=name, action="signed_in")
            for name, days in ages.items()
        ),
    )
    monkeypatch.setattr("bodymap.data.retention.BATCH", 1)  # batch by batch, each in its own transaction
    result = flask_command(db_app, "callbacks", "purge")
    assert result.exit_code == 0, result.output
    assert "2 audit rows" in result.output and "the audit trail keeps 2190 days" in result.output
    assert sorted(row.actor for row in audit_rows(db_app)) == ["today", "young"]
    monkeypatch.setitem(db_app.config, "AUDIT_RETENTION_DAYS", 1)
    assert "1 audit row " in flask_command(db_app, "callbacks", "purge", "--days", "400").output
    assert [row.actor for row in audit_rows(db_app)] == ["today"]


def test_a_bad_audit_retention_setting_stops_the_app(make_app, monkeypatch):
    for value, message in [("forever", "at least 1"), ("0", "at least 1"), ("99999999", "at most 36500")]:
        monkeypatch.setenv("AUDIT_RETENTION_DAYS", value)
        with pytest.raises(ConfigError, match=f"AUDIT_RETENTION_DAYS must be a whole number of {message}"):
            make_app()


def test_audit_rows_hold_no_patient_text_and_only_the_clients_network(db_client, db_app):
    send_callback(db_client, name="Zelda Quartermaine", phone="(503) 555-0187", note="Hurts on Tuesdays")
    with db_app.extensions["bodymap.sessions"]() as session:
        request_id = session.scalar(select(CallbackRequest.id))
    desk = signed_in(db_app, STAFF_EMAIL, "desk", REMOTE_ADDR="203.0.113.77")
    change_status(desk, request_id, "contacted")
    log_call(desk, request_id, "left_message", htmx=True)
    ipv6 = signed_in(db_app, "other@clinic.example", "desk", REMOTE_ADDR="2001:db8:1:2::9")
    ipv6.get(f"/staff/callbacks/{request_id}/guide")
    rows = audit_rows(db_app)
    assert {"signed_in", "queue_viewed", "request_viewed", "status_changed", "call_logged"} <= {r.action for r in rows}
    for row in rows:
        stored = " ".join(str(value) for value in vars(row).values())
        for secret in ("Zelda", "Quartermaine", "555-0187", "5550187", "Tuesdays"):
            assert secret not in stored, (row.action, secret)
        assert row.address in ("203.0.113.0", "2001:db8:1::"), row.address
        assert row.request_id and len(row.request_id) == 32
    assert {r.address for r in rows if r.actor == "other@clinic.example"} == {"2001:db8:1::"}


def test_sign_ins_sign_outs_and_failures_are_audited_without_a_typed_email(db_client, db_app):
    add_staff(db_app)
    assert sign_in(db_client, password="not the password at all").status_code == 401
    assert sign_in(db_client, email="stranger@elsewhere.example", password="guess guess guess").status_code == 401
    assert sign_in(db_client).status_code == 303
    db_client.post("/staff/logout", data={"csrf_token": csrf_token_from(db_client.get("/staff/callbacks"))})
    rows = [(r.action, r.actor, r.staff_id is not None) for r in audit_rows(db_app)]
    assert rows == [
        ("sign_in_failed", STAFF_EMAIL, True),
        ("sign_in_failed", "unknown account", False),
        ("signed_in", STAFF_EMAIL, True),
        ("queue_viewed", STAFF_EMAIL, True),
        ("signed_out", STAFF_EMAIL, True),
    ]
    assert all("stranger" not in str(vars(row)) for row in audit_rows(db_app))


def test_the_queue_is_audited_when_opened_but_not_when_it_refreshes_itself(db_client, db_app):
    desk = signed_in(db_app, STAFF_EMAIL, "desk")
    one_request(db_app)
    desk.get("/staff/callbacks?status=new&sort=score")
    desk.get("/staff/callbacks/rows", headers=HTMX)
    viewed = [r for r in audit_rows(db_app) if r.action == "queue_viewed"]
    assert [r.new_value for r in viewed][-1] == '{"shown":1,"sort":"score","status":"new"}'
    assert len(viewed) == 1


def test_a_clinicians_sign_off_and_an_insights_export_are_audited(db_client, db_app, content):
    from bodymap.content import patient_text

    add_staff(
        db_app, email="dana@clinic.example", role="clinician", display_name="Dana Ruiz, PT", review_languages="en"
    )
    clinician = db_app.test_client()
    assert sign_in(clinician, email="dana@clinic.example").status_code == 303
    region = content.regions[0]
    page = clinician.get(f"/staff/content/{region.slug}/en")
    form = {"csrf_token": csrf_token_from(page), "digest": patient_text.digest(region)}
    assert clinician.post(f"/staff/content/{region.slug}/en/sign-off", data=form).status_code == 303
    desk = signed_in(db_app, STAFF_EMAIL, "desk")
    assert desk.get("/staff/insights.csv?days=7").status_code == 200
    found = {r.action: r for r in audit_rows(db_app)}
    assert found["content_signed_off"].new_value == f'{{"language":"en","region":"{region.slug}"}}'
    assert found["content_signed_off"].target_kind == "sign-off"
    assert found["csv_exported"].new_value == '{"days":7,"export":"insights"}'


def test_account_changes_on_the_command_line_are_audited_as_the_command_line(db_client, db_app, quick_hashes):
    passphrase = "copper meadow silent drum\n"
    assert flask_command(db_app, "staff", "add", ADMIN, "--role", "admin", input=passphrase).exit_code == 0
    assert flask_command(db_app, "staff", "add", STAFF_EMAIL, input=passphrase).exit_code == 0
    commands = [["role", STAFF_EMAIL, "admin"], ["disable", STAFF_EMAIL], ["enable", STAFF_EMAIL],
                ["password", STAFF_EMAIL], ["signout-everywhere", STAFF_EMAIL], ["remove", STAFF_EMAIL]]  # fmt: skip
    for command in commands:
        result = flask_command(db_app, "staff", *command, input=passphrase)
        assert result.exit_code == 0, result.output
    rows = audit_rows(db_app)
    assert [r.action for r in rows] == [
        "account_added", "account_added", "role_changed", "account_disabled", "account_enabled", "password_set",
        "signed_out_everywhere", "account_removed",
    ]  # fmt: skip
    assert {(r.actor, r.staff_id, r.address) for r in rows} == {("command line", None, None)}
    assert rows[2].old_value == '{"role":"desk"}' and rows[2].new_value == '{"role":"admin"}'
    assert rows[-1].old_value == '{"email":"desk@clinic.example","role":"admin"}'
    refused = flask_command(db_app, "staff", "remove", ADMIN)
    assert refused.exit_code != 0 and "the last active admin" in refused.output


def add_trail(app, count: int, start: datetime.datetime, **fields) -> None:
    """`count` rows a minute apart, the newest at `start`: actor member-<n> unless `fields` say."""
    add_rows(
        app,
        *(
            AuditEvent(
                at=start - datetime.timedelta(minutes=n), **{"actor": f"member-{n}", "action": "signed_in"} | fields
            )  # fmt: skip
            for n in range(count)
        ),
    )


def shown_actors(response) -> list[str]:
    return [cell.get_text() for cell in soup(response).select("table.audit-table .audit-who")]


def test_pages_go_newest_first_fifty_a_page_and_continue_from_a_key(db_client, db_app):
    admin = signed_in(db_app, ADMIN, "admin")
    add_trail(db_app, 120, utcnow() - datetime.timedelta(hours=1))
    first = admin.get("/staff/audit?action=signed_in&person=")
    assert shown_actors(first)[:2] == [ADMIN, "member-0"] and len(shown_actors(first)) == 50
    older = soup(first).select_one('nav.pager a:-soup-contains("Older")')["href"]
    assert "before=" in older and "page" not in older and "offset" not in older
    second = admin.get(older)
    assert shown_actors(second) == [f"member-{n}" for n in range(49, 99)]
    third = admin.get(soup(second).select_one('nav.pager a:-soup-contains("Older")')["href"])
    assert shown_actors(third) == [f"member-{n}" for n in range(99, 120)]
    assert soup(third).select_one('nav.pager a:-soup-contains("Older")') is None
    back = admin.get(soup(third).select_one('nav.pager a:-soup-contains("Newer")')["href"])
    assert shown_actors(back) == shown_actors(second)


@pytest.mark.parametrize(
    "query",
    [
        "before=999999999",  # no such row
        "before=%D9%A3",  # an Arabic-Indic three
        "after=-1",
        "request=%C2%B9%C2%B2",  # superscript digits
        "request=1e9",
        "since=2026-02-30",
        "since=0001-01-01",
        "until=9999-12-31",
        "since=2026-12-08&until=2026-12-01",
        "action=drop_table",
    ],
)
def test_odd_filters_and_page_keys_get_a_400_that_keeps_what_was_typed(db_client, db_app, query):
    admin = signed_in(db_app, ADMIN, "admin")
    response = admin.get("/staff/audit?" + query)
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one('[role="alert"]') is not None
    assert page.select_one("form.audit-filters") is not None
    if query.startswith("request="):
        assert page.select_one("#request")["value"] == response.request.args["request"]
    page_key = query.startswith(("before=", "after="))  # the CSV holds every row: it takes no page key
    assert admin.get("/staff/audit.csv?" + query).status_code == (200 if page_key else 400)


def test_filters_by_person_request_action_and_days_in_the_clinics_time(db_client, db_app):
    admin = signed_in(db_app, ADMIN, "admin")
    noon = datetime.datetime(2026, 3, 10, 12, 0)
    add_trail(db_app, 3, noon, actor="dana@clinic.example", action="request_viewed", target_kind="request",
              target_id=17)  # fmt: skip
    add_trail(db_app, 2, noon - datetime.timedelta(days=5), actor="sam@clinic.example", action="status_changed",
              target_kind="request", target_id=18)  # fmt: skip
    assert shown_actors(admin.get("/staff/audit?person=DANA@clinic.example")) == ["dana@clinic.example"] * 3
    assert len(shown_actors(admin.get("/staff/audit?request=18"))) == 2
    assert len(shown_actors(admin.get("/staff/audit?action=status_changed&request=17"))) == 0
    assert len(shown_actors(admin.get("/staff/audit?since=2026-03-01&until=2026-03-05"))) == 2
    assert len(shown_actors(admin.get("/staff/audit?since=2026-03-10&until=2026-03-10"))) == 3


def test_the_csv_streams_every_filtered_row_in_batches_and_neutralises_formulas(db_client, db_app, monkeypatch):
    admin = signed_in(db_app, ADMIN, "admin")
    add_trail(db_app, 23, utcnow() - datetime.timedelta(hours=1))
    dangerous = ['=HYPERLINK("http://x.example")@x.example', "+1@x.example", "-2@x.example", "@x.example"]
    for n, actor in enumerate(dangerous):
        add_trail(db_app, 1, utcnow() - datetime.timedelta(minutes=n + 1), actor=actor, action="sign_in_failed")
    monkeypatch.setattr(reading, "BATCH", 5)
    queries = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().startswith("SELECT") and "FROM audit_events" in statement:
            queries.append(statement)

    engine = db_app.extensions["bodymap.engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = admin.get("/staff/audit.csv?action=signed_in")
        chunks = iter(response.response)
        first = [next(chunks) for _ in range(3)]  # the header and two rows
        assert len(queries) == 1, "the file goes out as it is read, not gathered first: one batch read so far"
        lines = list(csv.reader(io.StringIO(b"".join([*first, *chunks]).decode())))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [line[1] for line in lines[1:]] == [ADMIN] + [f"member-{n}" for n in range(23)]
    assert len(queries) == 5, "24 rows read 5 at a time, each batch from where the last ended"
    assert all("(audit_events.at, audit_events.id) <" in query for query in queries[1:]), "each from the last key"
    failed = admin.get("/staff/audit.csv?action=sign_in_failed").get_data(as_text=True)
    cells = [line[1] for line in csv.reader(io.StringIO(failed))][1:]
    assert sorted(cells) == sorted("'" + actor for actor in dangerous)


def test_the_audit_rows_say_who_even_after_the_account_is_removed(db_client, db_app):
    signed_in(db_app, STAFF_EMAIL, "desk")
    admin = signed_in(db_app, ADMIN, "admin")
    with db_app.extensions["bodymap.sessions"]() as session:
        desk_id = session.scalar(select(StaffMember.id).where(StaffMember.email == STAFF_EMAIL))
    token = csrf_token_from(admin.get("/staff/accounts"))
    assert admin.post(f"/staff/accounts/{desk_id}/remove", data={"csrf_token": token}).status_code == 303
    page = soup(admin.get(f"/staff/audit?person={STAFF_EMAIL}"))
    assert [td.get_text() for td in page.select(".audit-who")] == [STAFF_EMAIL]  # its sign-in
    removal = soup(admin.get("/staff/audit?action=account_removed")).select_one("tbody tr")
    assert f"Account {desk_id} (removed)" in removal.get_text(" ")
    assert STAFF_EMAIL in removal.select_one('.audit-change[data-field="email"]').get_text()
