"""The call guide: the same map for staff, a script that starts with red flags, and a call log with no names."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from bodymap.data.models import CallLog
from tests.helpers import HTMX, add_rows, callback_request, soup, stored

STEP_ORDER = ["opening", "emergency", "urgent", "summary", "booking"]
REQUEST_STEP_ORDER = ["opening", "emergency", "urgent", "general", "summary", "booking"]


def calls(app) -> list[CallLog]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(CallLog).order_by(CallLog.id)))


def call_areas(call: CallLog) -> list[tuple[str, str | None]]:
    return [(area.region, area.side) for area in call.areas]


def area_rows(form) -> list[tuple[str, str]]:
    """The call log form's area rows: (region, side) as selected, "" for "Not said"."""
    chosen = []
    for n in itertools.count():
        region = form.select_one(f'select[name="areas-{n}-region"]')
        if region is None:
            return chosen
        side = form.select_one(f'select[name="areas-{n}-side"]')
        picked = [s.select_one("option[selected]") for s in (region, side)]
        chosen.append(tuple(option["value"] if option else "" for option in picked))


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
    fields = {e["name"] for e in form.select("[name]")}
    assert {f for f in fields if not f.startswith("areas-")} == {"csrf_token", "next", "outcome"}
    assert area_rows(form) == [("knee", "left"), ("", ""), ("", "")]  # the area on screen, then spare rows
    for select_ in form.select("select"):
        assert form.select_one(f'label[for="{select_["id"]}"]').get_text(strip=True)
    outcomes = [r["value"] for r in form.select('input[name="outcome"]')]
    assert outcomes == ["booked", "callback", "physician", "emergency", "information"]


def log_data(staff_client, url="/staff/guide/hip?side=right", **changes):
    form = soup(staff_client.get(url)).select_one("form#call-log")
    data = {e["name"]: e.get("value", "") for e in form.select("input[type=hidden]")}
    data |= {
        f"areas-{n}-{field}": value
        for n, row in enumerate(area_rows(form))
        for field, value in zip(("region", "side"), row, strict=True)
    }
    data |= {"outcome": "physician", **changes}
    return data


def test_logging_a_call_without_javascript(staff_client, db_app):
    response = staff_client.post("/staff/calls", data=log_data(staff_client))
    assert response.status_code == 303 and response.headers["Location"] == "/staff/guide/hip?side=right"
    [call] = calls(db_app)
    assert (call_areas(call), call.outcome) == ([("hip", "right")], "physician")
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
    staff_client.post("/staff/calls", data=log_data(staff_client, **{"areas-0-region": "neck", "areas-0-side": "left"}))
    assert [call_areas(c) for c in calls(db_app)] == [[("neck", None)]]


def test_a_call_logs_several_areas_in_order_each_once(staff_client, db_app):
    data = log_data(
        staff_client,
        **{"areas-1-region": "neck", "areas-2-region": "knee", "areas-2-side": "left", "outcome": "booked"},
    )
    data |= {"areas-3-region": "hip", "areas-3-side": "right"}  # the same area again is stored once
    response = staff_client.post("/staff/calls", data=data)
    assert response.status_code == 303
    [call] = calls(db_app)
    assert call_areas(call) == [("hip", "right"), ("neck", None), ("knee", "left")]
    assert [area.position for area in call.areas] == [0, 1, 2]


def test_a_call_with_every_row_not_said_is_logged_with_no_area(staff_client, db_app):
    response = staff_client.post("/staff/calls", data=log_data(staff_client, **{"areas-0-region": ""}), headers=HTMX)
    assert response.status_code == 201
    assert [call_areas(c) for c in calls(db_app)] == [[]]


def test_a_region_we_do_not_know_is_refused_and_nothing_is_logged(staff_client, db_app):
    data = log_data(staff_client, **{"areas-1-region": "tail-bone"})
    response = staff_client.post("/staff/calls", data=data, headers=HTMX)
    assert response.status_code == 422
    form = soup(response).select_one("form#call-log")
    assert area_rows(form)[0] == ("hip", "right")  # what was picked is kept
    assert calls(db_app) == []


def shared_question_regions(content):
    """Two regions whose red-flag questions share one, if the content has such a pair (the shipped file does)."""
    for first, second in itertools.combinations(content.regions, 2):
        mine = set(first.screening.emergency) | set(first.screening.urgent)
        if mine & (set(second.screening.emergency) | set(second.screening.urgent)):
            return first, second
    return content.regions[0], content.regions[1]


def test_a_requests_guide_asks_every_areas_red_flag_questions_first_each_once(staff_client, db_app, content):
    first, second = shared_question_regions(content)
    side = first.sides[0] if first.sides else None
    areas = [
        {"region": first.slug, "side": side, "pain": 3},
        {"region": second.slug, "side": None, "pain": 8, "feelings": "burning", "duration": "6-12-weeks"},
    ]
    add_rows(db_app, callback_request(name="Two areas", areas=areas, note="Worse at night"))
    request_id = stored(db_app)[0].id
    response = staff_client.get(f"/staff/callbacks/{request_id}/guide")
    assert response.status_code == 200
    page = soup(response)
    script = page.select_one("#region-panel article.request-script")
    assert [s["data-step"] for s in script.select("[data-step]")] == REQUEST_STEP_ORDER
    heading = script.select_one("h2").get_text()
    assert heading == f"{first.label(side)} and {second.name[0].lower()}{second.name[1:]}: phone script"

    def said(step):
        return [li.get_text() for li in script.select(f'[data-step="{step}"] li')]

    emergency = list(dict.fromkeys([*first.screening.emergency, *second.screening.emergency]))
    urgent = list(dict.fromkeys([*first.screening.urgent, *second.screening.urgent]))
    general = list(dict.fromkeys([*first.screening.general, *second.screening.general]))
    assert said("emergency") == emergency and said("urgent") == urgent and said("general") == general
    for step in ("emergency", "urgent", "general"):
        assert len(said(step)) == len(set(said(step))), step
    shared = (set(first.screening.emergency) | set(first.screening.urgent)) & (
        set(second.screening.emergency) | set(second.screening.urgent)
    )
    for question in shared:  # asked once, though both areas list it
        assert (said("emergency") + said("urgent")).count(question) == 1
    # Then what to read about each area, the one that hurts most first.
    parts = script.select('[data-step="summary"] .script-area')
    assert [p["data-region"] for p in parts] == [second.slug, first.slug]
    assert second.summary in parts[0].get_text()
    facts = script.select_one(".request-facts")
    assert [li["data-region"] for li in facts.select("ul.pain-areas > li")] == [second.slug, first.slug]
    assert facts.select_one(".patient-note").get_text() == "Worse at night"
    # The call log starts with the request's areas, in the order listed, and comes back here.
    form = script.select_one("form#call-log")
    assert area_rows(form)[:3] == [(first.slug, side or ""), (second.slug, ""), ("", "")]
    assert form.select_one('input[name="next"]')["value"] == f"/staff/callbacks/{request_id}/guide"


def test_logging_a_call_from_a_requests_guide_stores_its_areas_and_returns_there(staff_client, db_app):
    areas = [{"region": "neck", "pain": 4}, {"region": "shoulder", "side": "left", "pain": 7}]
    add_rows(db_app, callback_request(areas=areas))
    url = f"/staff/callbacks/{stored(db_app)[0].id}/guide"
    form = soup(staff_client.get(url)).select_one("form#call-log")
    data = {e["name"]: e.get("value", "") for e in form.select("input[type=hidden]")}
    for n, (region, side) in enumerate(area_rows(form)):
        data |= {f"areas-{n}-region": region, f"areas-{n}-side": side}
    response = staff_client.post("/staff/calls", data={**data, "outcome": "booked"})
    assert response.status_code == 303 and response.headers["Location"] == url
    [call] = calls(db_app)
    assert call_areas(call) == [("neck", None), ("shoulder", "left")]


def test_a_request_with_no_known_area_still_has_a_guide(staff_client, db_app):
    add_rows(db_app, callback_request(name="Nowhere"), callback_request(areas=[{"region": "tail-bone", "pain": 5}]))
    for row in stored(db_app):
        page = soup(staff_client.get(f"/staff/callbacks/{row.id}/guide"))
        script = page.select_one("article.request-script")
        assert script.select("[data-step]") == [] and script.select_one("form#call-log") is not None
    assert staff_client.get("/staff/callbacks/999999/guide").status_code == 404


def test_the_per_region_guide_urls_still_work(staff_reader, content):
    for region in content.regions:
        assert staff_reader.get(f"/staff/guide/{region.slug}").status_code == 200
