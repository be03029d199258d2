"""In the queue: overdue requests marked in words and sorted first, the tab's title counting new requests,
and the opt-in for the browser's own notifications (a script file, so the CSP stays strict)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from bodymap.data.models import utcnow
from bodymap.notify.schedule import Schedule
from bodymap.staff.queue import call_by, overdue_first
from tests.helpers import HTMX, add_callback, soup

UTC_CLINIC = Schedule.of(SimpleNamespace(timezone="UTC", hours=()))
MONDAY = datetime.datetime(2026, 11, 30)


def row(number: int, preferred_time: str, created: str, status: str = "new"):
    return SimpleNamespace(
        id=number,
        preferred_time=preferred_time,
        status=status,
        created_at=MONDAY + datetime.timedelta(hours=int(created[:2]), minutes=int(created[3:])),
    )


def test_overdue_requests_come_first_the_window_ending_first_at_the_top():
    rows = [
        row(1, "evening", "10:00"),  # ends 20:00
        row(2, "morning", "09:00"),  # ended 12:00
        row(3, "afternoon", "09:30"),  # ends 17:00: within 30 minutes at 16:40
        row(4, "morning", "08:00", status="contacted"),  # handled: never overdue
        row(5, "any", "16:00"),  # ends 20:00
    ]
    overdue, rest = overdue_first(rows, UTC_CLINIC, MONDAY + datetime.timedelta(hours=16, minutes=40))
    assert [r.id for r in overdue] == [2, 3]
    assert [r.id for r in rest] == [1, 4, 5]
    overdue, rest = overdue_first(rows, UTC_CLINIC, MONDAY + datetime.timedelta(hours=16, minutes=29))
    assert [r.id for r in overdue] == [2]


def test_each_new_request_says_when_to_call_by_in_words():
    now = MONDAY + datetime.timedelta(hours=16, minutes=40)
    due = call_by(
        [row(1, "evening", "10:00"), row(2, "morning", "09:00"), row(3, "afternoon", "09:30")], UTC_CLINIC, now
    )
    assert {number: (d.overdue, d.text) for number, d in due.items()} == {
        1: (False, "Call by 8 PM today"),
        2: (True, "window ended 12 PM today"),
        3: (True, "window ends 5 PM today"),
    }
    tomorrow = call_by([row(4, "morning", "13:00")], UTC_CLINIC, now)
    assert tomorrow[4].text == "Call by 12 PM tomorrow"
    assert call_by([row(5, "any", "10:00", status="booked")], UTC_CLINIC, now) == {}


def test_the_queue_puts_an_overdue_request_first_and_says_so(staff_client, db_app):
    now = utcnow()
    add_callback(db_app, name="Long ago", preferred_time="morning", created_at=now - datetime.timedelta(days=3))
    add_callback(db_app, name="Just now", preferred_time="any", created_at=now, status="contacted")
    page = soup(staff_client.get("/staff/callbacks"))
    first, second = page.select("table.queue tbody tr")
    assert first.select_one(".patient-name").get_text() == "Long ago"
    assert "overdue" in first["class"]
    call = first.select_one('td[data-label="Call"]').get_text(" ", strip=True)
    assert call.startswith("Morning Overdue window ended 12 PM")
    assert second.select_one(".overdue-flag") is None and second.get("class") is None
    assert page.select_one("table.queue caption").get_text() == "2 requests: 1 overdue first, then newest"


def test_only_the_longest_waiting_overdue_requests_lead_and_the_rest_keep_their_place(staff_client, db_app):
    """However many requests a desk has left waiting, the first page has OVERDUE_FIRST of them on top, and every
    request is still on exactly one page."""
    from bodymap.staff.queue import OVERDUE_FIRST, PAGE_SIZE
    from tests.helpers import add_rows, callback_request

    now = utcnow()
    waiting = OVERDUE_FIRST + 30
    old = [
        callback_request(name=f"Waiting {n}", preferred_time="morning", created_at=now - datetime.timedelta(days=n + 2))
        for n in range(waiting)
    ]
    add_rows(db_app, *old, *(callback_request(name=f"Handled {n}", status="contacted") for n in range(PAGE_SIZE)))
    first = soup(staff_client.get("/staff/callbacks"))
    names = [cell.get_text() for cell in first.select("table.queue .patient-name")]
    longest = [f"Waiting {n}" for n in range(waiting - 1, waiting - 1 - OVERDUE_FIRST, -1)]
    assert names[:OVERDUE_FIRST] == longest, "the longest waiting lead, the window that ended first on top"
    assert len(names) == OVERDUE_FIRST + PAGE_SIZE
    caption = first.select_one("table.queue caption").get_text()
    assert f"{OVERDUE_FIRST} overdue first (the longest waiting; 30 more overdue among the rest)" in caption
    later = []
    page = 2
    while rows := soup(staff_client.get(f"/staff/callbacks?page={page}")).select("table.queue .patient-name"):
        later += [cell.get_text() for cell in rows]
        page += 1
    everyone = names + later
    assert sorted(everyone) == sorted(
        [f"Waiting {n}" for n in range(waiting)] + [f"Handled {n}" for n in range(PAGE_SIZE)]
    )


def test_a_status_change_clears_the_overdue_mark(staff_client, db_app):
    add_callback(db_app, preferred_time="morning", created_at=utcnow() - datetime.timedelta(days=3))
    page = soup(staff_client.get("/staff/callbacks"))
    form = page.select_one("table.queue tbody tr form.status-form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"status": "contacted"}
    fragment = soup(staff_client.post(form["action"], data=data, headers=HTMX))
    assert fragment.select_one("tr").get("class") is None and fragment.select_one(".overdue-flag") is None


def test_the_tab_title_counts_new_requests_and_follows_each_poll(staff_client, db_app, content):
    base = f"Callback requests · Front desk · {content.clinic.name}"
    page = soup(staff_client.get("/staff/callbacks"))
    assert page.title.get_text() == base
    add_callback(db_app)
    add_callback(db_app)
    add_callback(db_app, status="booked")
    assert soup(staff_client.get("/staff/callbacks")).title.get_text() == f"2 new · {base}"
    polled = soup(staff_client.get(page.select_one("#queue-table")["hx-get"], headers=HTMX))
    assert polled.title.get_text() == f"2 new · {base}"  # htmx sets the tab's title from it


def test_browser_notifications_are_an_opt_in_from_a_script_file(staff_client):
    page = soup(staff_client.get("/staff/callbacks"))
    box = page.select_one("[data-notify]")
    assert box.has_attr("hidden"), "shown only by the script, where the browser has notifications"
    button = box.select_one("button[data-notify-toggle]")
    assert button["type"] == "button" and button["aria-pressed"] == "false"
    assert box.select_one("[data-notify-state]")["role"] == "status"
    scripts = [s for s in page.select("script") if "staff-notify" in (s.get("src") or "")]
    assert len(scripts) == 1 and scripts[0].has_attr("defer")
    assert all(s.get("src") for s in page.select("script")), "no inline script"
    source = staff_client.get(scripts[0]["src"])
    assert source.status_code == 200 and source.mimetype == "text/javascript"
    assert "new Notification(" in source.get_data(as_text=True)
    assert "script-src 'self'" in staff_client.get("/staff/callbacks").headers["Content-Security-Policy"]
