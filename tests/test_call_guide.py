"""The call guide: the same map for staff, a script that starts with red flags, and a call log with no names."""

from __future__ import annotations

from sqlalchemy import select

from bodymap.data.models import CallLog
from tests.helpers import HTMX, soup

STEP_ORDER = ["opening", "emergency", "urgent", "summary", "booking"]


def calls(app) -> list[CallLog]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(CallLog).order_by(CallLog.id)))


def test_the_call_guide_has_the_body_map_in_the_staff_layout(staff_reader):
    page = soup(staff_reader.get("/staff/guide"))
    assert page.select_one("nav.staff-nav") is not None
    circles = page.select("svg[data-view] a[data-region]")
    assert len(circles) > 20
    for a in circles:
        assert a["href"].startswith(f"/staff/guide/{a['data-region']}")
        assert a["hx-get"].startswith(f"/staff/guide/{a['data-region']}/panel")
    assert page.select_one("#region-panel h2").get_text() == "Pick where it hurts"


def test_the_script_reads_red_flags_first(staff_reader, content, region_side):
    region, side = region_side
    response = staff_reader.get(f"/staff/guide/{region.slug}/panel" + (f"?side={side}" if side else ""), headers=HTMX)
    assert response.status_code == 200
    script = soup(response)
    assert script.title.get_text().startswith(f"Call guide: {region.label(side)}")
    assert [s["data-step"] for s in script.select("[data-step]")] == STEP_ORDER
    assert f"Thanks for calling {content.clinic.name}." in script.select_one('[data-step="opening"]').get_text()
    emergency = script.select_one('[data-step="emergency"]')
    assert [li.get_text() for li in emergency.select("li")] == list(region.screening.emergency)
    assert "call 911 or go to the ER now, and end the call there" in emergency.select_one(".if-yes").get_text()
    urgent = script.select_one('[data-step="urgent"]')
    assert [li.get_text() for li in urgent.select("li")] == list(region.screening.urgent)
    assert "see a physician today" in urgent.select_one(".if-yes").get_text()
    assert region.summary in script.select_one('[data-step="summary"]').get_text()
    booking = script.select_one('[data-step="booking"]')
    says = [p.get_text() for p in booking.select("p.say")]
    assert says[0] == f'"{content.clinic.appointments} Would you like me to book you in?"'
    notice = content.clinic.direct_access
    assert says[1:] == ([f'"{notice.text}"'] if notice else [])


def test_the_script_panel_url_opened_directly_goes_to_the_full_page(staff_reader):
    response = staff_reader.get("/staff/guide/knee/panel?side=left")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/guide/knee?side=left"
    page = soup(staff_reader.get("/staff/guide/knee?side=left"))
    assert page.select_one("#region-panel h2").get_text() == "Left knee: phone script"
    assert staff_reader.get("/staff/guide/knee?side=middle").status_code == 404


def test_the_call_log_asks_no_patient_name(staff_reader):
    form = soup(staff_reader.get("/staff/guide/knee?side=left")).select_one("form#call-log")
    assert {e["name"] for e in form.select("[name]")} == {"csrf_token", "next", "region", "side", "outcome"}
    assert form.select_one('select[name="region"] option[selected]')["value"] == "knee"
    assert form.select_one('select[name="side"] option[selected]')["value"] == "left"
    outcomes = [r["value"] for r in form.select('input[name="outcome"]')]
    assert outcomes == ["booked", "callback", "physician", "emergency", "information"]


def log_data(staff_client, url="/staff/guide/hip?side=right", **changes):
    form = soup(staff_client.get(url)).select_one("form#call-log")
    data = {e["name"]: e.get("value", "") for e in form.select("input[type=hidden]")}
    data |= {"region": "hip", "side": "right", "outcome": "physician", **changes}
    return data


def test_logging_a_call_without_javascript(staff_client, db_app):
    response = staff_client.post("/staff/calls", data=log_data(staff_client))
    assert response.status_code == 303 and response.headers["Location"] == "/staff/guide/hip?side=right"
    [call] = calls(db_app)
    assert (call.region, call.side, call.outcome) == ("hip", "right", "physician")
    assert call.staff_id is not None
    page = soup(staff_client.get(response.headers["Location"]))
    assert "Call logged: referred to a physician." in page.select_one('[role="status"]').get_text()


def test_logging_a_call_with_htmx_answers_in_place(staff_client, db_app):
    response = staff_client.post("/staff/calls", data=log_data(staff_client, outcome="emergency"), headers=HTMX)
    assert response.status_code == 201
    fragment = soup(response)
    assert fragment.select_one("form#call-log") is not None
    assert fragment.select_one('[role="status"]').get_text() == "Call logged: emergency advised."
    assert [c.outcome for c in calls(db_app)] == ["emergency"]


def test_a_call_without_an_outcome_is_not_logged(staff_client, db_app):
    response = staff_client.post("/staff/calls", data=log_data(staff_client, outcome=""), headers=HTMX)
    assert response.status_code == 422
    assert soup(response).select_one("#outcome-error").get_text() == "Please pick how the call ended."
    assert calls(db_app) == []


def test_a_side_that_the_region_does_not_have_is_dropped(staff_client, db_app):
    staff_client.post("/staff/calls", data=log_data(staff_client, region="neck", side="left"))
    assert [(c.region, c.side) for c in calls(db_app)] == [("neck", None)]
