"""The callback queue: newest first, filters, one-click status, paging, and nothing a patient typed runs."""

from __future__ import annotations

import datetime

from bodymap.data.models import utcnow
from tests.helpers import HTMX, add_rows, callback_request, csrf_token_from, soup, stored


def add_requests(app, count, **fields):
    """`count` requests, a minute apart, newest first: Patient 0, Patient 1, ..."""
    now = utcnow()
    usual = {"preferred_time": "evening", "region": "knee", "side": "left", "pain": 5, "status": "new"}
    add_rows(
        app,
        *(
            callback_request(
                **{"name": f"Patient {n}", "created_at": now - datetime.timedelta(minutes=n), **usual, **fields}
            )
            for n in range(count)
        ),
    )


def rows(page):
    return page.select("table.queue tbody tr")


def test_the_queue_shows_newest_first_with_everything_needed_to_call_back(staff_client, db_app):
    add_requests(
        db_app,
        1,
        name="Older",
        status="contacted",  # a new one might be overdue by now, and overdue requests lead (test_notify_queue.py)
        created_at=utcnow() - datetime.timedelta(hours=3),
        note="Stairs hurt",
        pain=7,
        preferred_time="morning",
        region="hand-wrist",
        side="right",
    )
    add_requests(db_app, 1, name="Newer", pain=None, region=None, side=None)
    page = soup(staff_client.get("/staff/callbacks"))
    first, second = rows(page)
    assert first.select_one(".patient-name").get_text() == "Newer"
    cells = [td.get_text(" ", strip=True) for td in second.select("td")]
    assert cells[:7] == ["3 h ago", "Older", "(503) 555-0142", "Morning", "Right hand and wrist", "7", "Stairs hurt"]
    assert second.select_one('a[href="tel:+15035550142"]') is not None
    assert first.select("td")[4].get_text() == "Not said" and first.select("td")[5].get_text() == "–"


def test_the_header_counts_new_requests(staff_client, db_app):
    add_requests(db_app, 3)
    add_requests(db_app, 2, status="booked")
    page = soup(staff_client.get("/staff/guide"))
    assert page.select_one("#new-count").get_text() == "3"


def test_filters_by_status_and_region(staff_client, db_app):
    add_requests(db_app, 2, status="new", region="knee")
    add_requests(db_app, 1, status="booked", region="knee")
    add_requests(db_app, 1, status="new", region="neck", side=None)
    assert len(rows(soup(staff_client.get("/staff/callbacks")))) == 4
    assert len(rows(soup(staff_client.get("/staff/callbacks?status=new")))) == 3
    assert len(rows(soup(staff_client.get("/staff/callbacks?status=new&region=knee")))) == 2
    assert len(rows(soup(staff_client.get("/staff/callbacks?status=booked&region=neck")))) == 0
    response = staff_client.get("/staff/callbacks?status=lost")
    assert response.status_code == 400
    assert "That filter is not one we know" in soup(response).get_text()


def test_a_status_changes_in_one_click_without_javascript(staff_client, db_app):
    add_requests(db_app, 1)
    page = soup(staff_client.get("/staff/callbacks?status=new"))
    form = rows(page)[0].select_one("form.status-form")
    buttons = {b["value"]: b for b in form.select("button")}
    assert set(buttons) == {"contacted", "booked", "closed"}
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"status": "contacted"}
    response = staff_client.post(form["action"], data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/callbacks?status=new"
    assert stored(db_app)[0].status == "contacted"


def test_a_status_changes_in_place_with_htmx(staff_client, db_app):
    add_requests(db_app, 1)
    page = soup(staff_client.get("/staff/callbacks"))
    row = rows(page)[0]
    form = row.select_one("form.status-form")
    assert form["hx-target"] == f"#{row['id']}" and form["hx-swap"] == "outerHTML"
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"status": "booked"}
    response = staff_client.post(form["action"], data=data, headers=HTMX)
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.select_one("tr")["data-status"] == "booked"
    assert fragment.select_one(".status").get_text() == "Booked"
    bad = staff_client.post(form["action"], data={**data, "status": "lost"}, headers=HTMX)
    assert bad.status_code == 400


def test_pages_of_fifty(staff_client, db_app):
    add_requests(db_app, 120, status="contacted")  # never overdue, so the order is by age alone
    first = soup(staff_client.get("/staff/callbacks"))
    assert len(rows(first)) == 50
    assert rows(first)[0].select_one(".patient-name").get_text() == "Patient 0"
    older = first.select_one(".pager a").get("href")
    assert older == "/staff/callbacks?page=2"
    third = soup(staff_client.get("/staff/callbacks?page=3"))
    assert len(rows(third)) == 20
    assert rows(third)[-1].select_one(".patient-name").get_text() == "Patient 119"
    assert [a.get_text() for a in third.select(".pager a")] == ["Newer"]


def test_new_requests_appear_by_polling_on_the_first_page(staff_client, db_app):
    page = soup(staff_client.get("/staff/callbacks"))
    table = page.select_one("#queue-table")
    assert table["hx-get"] == "/staff/callbacks/rows" and table["hx-trigger"] == "every 20s"
    add_requests(db_app, 2)
    polled = soup(staff_client.get(table["hx-get"], headers=HTMX))
    assert len(rows(polled)) == 2
    assert polled.select_one('hx-partial[hx-target="#new-count"]').get_text() == "2"
    assert soup(staff_client.get("/staff/callbacks?page=2")).select_one("#queue-table").get("hx-get") is None


def test_what_patients_typed_is_escaped_on_staff_pages(staff_client, db_app):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    add_requests(db_app, 1, name=payload, note=payload)
    page = soup(staff_client.get("/staff/callbacks"))
    row = rows(page)[0]
    assert row.select("script, img") == []
    assert row.select_one(".patient-name").get_text() == payload
    assert row.select_one(".patient-note").get_text() == payload


def test_status_change_needs_a_token(staff_client, db_app):
    add_requests(db_app, 1)
    request_id = stored(db_app)[0].id
    response = staff_client.post(f"/staff/callbacks/{request_id}/status", data={"status": "closed"})
    assert response.status_code == 400
    assert stored(db_app)[0].status == "new"
    token = csrf_token_from(staff_client.get("/staff/callbacks"))
    missing = staff_client.post("/staff/callbacks/999999/status", data={"csrf_token": token, "status": "closed"})
    assert missing.status_code == 404
