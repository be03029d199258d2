"""Calls belong to requests: a call logged from a request's guide links to it and moves its status by the outcome,
never backwards; the queue shows each request's last call and who made it, read in one query; a call with no request
stays possible, and a request's deletion leaves its calls, unlinked."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import delete, event, select

from bodymap.data.models import CALL_OUTCOMES, CallbackRequest, CallLog, utcnow
from bodymap.staff.call_log import OUTCOME_STATUS, status_after
from tests.helpers import HTMX, STAFF_EMAIL, add_rows, add_staff, callback_request, csrf_token_from, sign_in, soup


def new_request(app, status: str = "new", name: str = "Patient") -> int:
    add_rows(app, callback_request(region="knee", side="left", status=status, name=name))
    with app.extensions["bodymap.sessions"]() as session:
        return session.scalar(select(CallbackRequest.id).order_by(CallbackRequest.id.desc()))


def log_call(client, request_id: int, outcome: str, htmx: bool = False):
    guide = client.get(f"/staff/callbacks/{request_id}/guide")
    form = soup(guide).select_one("form#call-log")
    fields = {
        "csrf_token": csrf_token_from(guide),
        "outcome": outcome,
        "next": form.select_one('[name="next"]')["value"],
    }
    return client.post(form["action"], data=fields, headers=HTMX if htmx else {})


def status_of(app, request_id: int) -> str:
    with app.extensions["bodymap.sessions"]() as session:
        return session.get(CallbackRequest, request_id).status


def test_every_outcome_says_what_it_does_to_the_request():
    assert set(OUTCOME_STATUS) == set(CALL_OUTCOMES)
    assert OUTCOME_STATUS == {
        "booked": "booked", "left_message": "contacted", "no_answer": None, "callback": "contacted",
        "physician": "closed", "emergency": "closed", "information": "closed", "closed": "closed",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("before", "outcome", "after"),
    [
        ("new", "booked", "booked"),
        ("new", "left_message", "contacted"),
        ("new", "no_answer", "new"),
        ("new", "closed", "closed"),
        ("contacted", "no_answer", "contacted"),
        ("booked", "left_message", "booked"),  # a reminder call does not take a booking back
        ("booked", "closed", "closed"),
        ("closed", "booked", "booked"),  # the patient changed their mind
        ("closed", "callback", "closed"),
    ],
)
def test_a_call_moves_its_request_forward_never_back(before, outcome, after):
    assert status_after(before, outcome) == after


def test_a_call_from_a_requests_guide_belongs_to_it_and_sets_its_status(staff_client, db_app):
    request_id = new_request(db_app)
    guide = soup(staff_client.get(f"/staff/callbacks/{request_id}/guide"))
    assert guide.select_one("form#call-log")["action"] == f"/staff/callbacks/{request_id}/calls"
    assert " ".join(guide.select_one("#request-state").get_text().split()) == "Status: New. No call logged yet."
    response = log_call(staff_client, request_id, "left_message", htmx=True)
    assert response.status_code == 201
    fragment = soup(response)
    assert fragment.select_one('[role="status"]').get_text() == (
        "Call logged: left a message. The request is now contacted."
    )
    partial = fragment.select_one('hx-partial[hx-target="#request-state"]')
    assert partial.select_one(".status").get_text() == "Contacted"
    assert "Left a message, just now, by desk@clinic.example" in partial.get_text(" ")
    assert status_of(db_app, request_id) == "contacted"
    with db_app.extensions["bodymap.sessions"]() as session:
        [call] = session.scalars(select(CallLog))
        assert (call.callback_id, call.outcome) == (request_id, "left_message")
    assert log_call(staff_client, request_id, "no_answer").status_code == 303
    assert status_of(db_app, request_id) == "contacted"


def test_a_call_with_no_request_stays_possible(staff_client, db_app):
    page = staff_client.get("/staff/guide/knee?side=left")
    form = soup(page).select_one("form#call-log")
    assert form["action"] == "/staff/calls"
    data = {"csrf_token": csrf_token_from(page), "outcome": "information", "next": "/staff/guide/knee?side=left"}
    fields = {**data, "areas-0-region": "knee", "areas-0-side": "left"}
    assert staff_client.post("/staff/calls", data=fields, headers=HTMX).status_code == 201
    with db_app.extensions["bodymap.sessions"]() as session:
        [call] = session.scalars(select(CallLog))
        assert call.callback_id is None


def test_a_call_about_a_request_that_is_not_there_gets_404(staff_client, db_app):
    token = csrf_token_from(staff_client.get("/staff/guide"))
    for request_id in ("999999999", "9999999999", "%D9%A3"):
        response = staff_client.post(
            f"/staff/callbacks/{request_id}/calls", data={"csrf_token": token, "outcome": "booked"}
        )
        assert response.status_code == 404


def test_the_queue_shows_each_requests_last_call_and_who_made_it(db_client, db_app):
    add_staff(db_app, display_name="Sam at the desk")
    desk = db_app.test_client()
    assert sign_in(desk).status_code == 303
    called, quiet = new_request(db_app, name="Called"), new_request(db_app, name="Quiet")
    log_call(desk, called, "no_answer")
    log_call(desk, called, "callback")
    rows = {
        row.select_one(".patient-name").get_text(): row for row in soup(desk.get("/staff/callbacks")).select("tbody tr")
    }
    assert rows["Called"].select_one(".last-call").get_text(" ", strip=True) == (
        "Last call: Callback promised, just now , by Sam at the desk"
    )
    assert rows["Quiet"].select_one(".last-call") is None
    assert quiet


@pytest.mark.one_clinic  # how many statements a page takes holds whatever the clinic's file says
def test_the_queue_reads_the_last_calls_of_a_page_in_one_query(db_client, db_app):
    add_staff(db_app)
    desk = db_app.test_client()
    assert sign_in(desk).status_code == 303
    engine = db_app.extensions["bodymap.engine"]

    def statements_for_page() -> int:
        seen = []
        listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert desk.get("/staff/callbacks").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert sum("FROM call_logs" in statement for statement in seen) == 1
        return len(seen)

    ids = [new_request(db_app, status="contacted") for _ in range(3)]
    for request_id in ids:
        log_call(desk, request_id, "callback")
    few = statements_for_page()
    ids += [new_request(db_app, status="contacted") for _ in range(20)]
    for request_id in ids[3:]:
        log_call(desk, request_id, "callback")
    assert statements_for_page() == few, "as many statements for 23 rows with calls as for 3"


def test_a_deleted_request_leaves_its_calls_unlinked(db_client, db_app):
    add_staff(db_app)
    desk = db_app.test_client()
    assert sign_in(desk).status_code == 303
    request_id = new_request(db_app)
    log_call(desk, request_id, "booked")
    with db_app.extensions["bodymap.sessions"]() as session, session.begin():
        session.execute(delete(CallbackRequest).where(CallbackRequest.id == request_id))
    with db_app.extensions["bodymap.sessions"]() as session:
        [call] = session.scalars(select(CallLog))
        assert call.callback_id is None and call.outcome == "booked"
    assert STAFF_EMAIL


def test_the_purge_keeps_a_younger_call_of_an_old_request(db_client, db_app):
    from tests.helpers import flask_command

    add_rows(db_app, callback_request(region="knee", created_at=utcnow() - datetime.timedelta(days=100)))
    with db_app.extensions["bodymap.sessions"]() as session:
        request_id = session.scalar(select(CallbackRequest.id))
    add_rows(
        db_app, CallLog(outcome="booked", callback_id=request_id, created_at=utcnow() - datetime.timedelta(days=5))
    )
    assert flask_command(db_app, "callbacks", "purge").exit_code == 0
    with db_app.extensions["bodymap.sessions"]() as session:
        assert session.scalars(select(CallbackRequest)).all() == []
        assert [call.callback_id for call in session.scalars(select(CallLog))] == [None]
