"""The call guide: the same map for staff, a script that starts with red flags, a call log with no names, and the
script in Spanish for a caller who speaks it."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

import bodymap.content
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
    assert outcomes == [
        "booked", "left_message", "no_answer", "callback", "physician", "emergency", "information", "closed",
    ]  # fmt: skip


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


# The phone script in Spanish, for staff who speak it: what the caller hears comes from the clinic's Spanish content
# and carries lang="es"; the staff's own words (headings, what to do about a yes) stay English.

STEP_HEADINGS = ["1. Open the call", "2. Emergency questions", "3. Same-day questions", "4. Read this to the caller"]


def spanish_of(app):
    """The clinic's content in Spanish; the test is skipped for a clinic without it (whose guide offers no Spanish,
    which test_a_script_language_the_clinic_does_not_have_is_refused checks)."""
    if "es" not in bodymap.content.languages(app):
        pytest.skip("this clinic's content has no Spanish")
    return bodymap.content.get(app, lang="es")


def spoken_in(script, lang: str) -> None:
    """Everything read aloud in a script is marked as `lang`, on itself or on its list; the staff's words are in the
    page's English."""
    said = script.select(".say")
    assert said
    for element in said:
        assert (element.get("lang") or element.parent.get("lang")) == lang, element
    for heading in script.select("h2, h3, .if-yes"):
        assert not heading.get("lang") and heading.find_parent(attrs={"lang": True})["lang"] == "en", heading


def questions(script, step: str) -> list[str]:
    return [li.get_text() for li in script.select(f'[data-step="{step}"] li')]


def test_a_regions_script_reads_in_spanish_with_lang_es_and_staff_words_in_english(staff_reader, app, content, region):
    spanish = spanish_of(app)
    said = spanish.region(region.slug)
    side = region.sides[0] if region.sides else None
    url = f"/staff/guide/{region.slug}" + (f"?side={side}&" if side else "?")
    script = soup(staff_reader.get(url + "script=es")).select_one("#region-panel article.script")
    assert script["data-script-language"] == "es"
    spoken_in(script, "es")
    assert script.select_one("h2").get_text() == f"{region.label(side)}: phone script"
    assert [h.get_text() for h in script.select("[data-step] h3")][:4] == STEP_HEADINGS
    assert "call 911 or go to the ER now" in script.select_one('[data-step="emergency"] .if-yes').get_text()

    opening = script.select_one('[data-step="opening"] .say').get_text()
    assert opening.startswith(f'"Gracias por llamar a {spanish.clinic.name}.')
    assert f"Siento mucho su dolor de {said.name.lower()}." in opening
    assert questions(script, "emergency") == list(said.screening.emergency)
    assert questions(script, "urgent") == list(said.screening.urgent)
    assert questions(script, "summary") == list(said.screening.general)
    assert script.select_one('[data-step="summary"] p.say').get_text() == said.summary
    assert said.screening.emergency != region.screening.emergency and said.summary != region.summary
    booking = [p.get_text() for p in script.select('[data-step="booking"] p.say')]
    assert booking[0] == f'"{spanish.clinic.appointments} ¿Quiere que le haga una cita?"'
    notice = spanish.clinic.direct_access
    assert booking[1:] == ([f'"{notice.text}"'] if notice else [])

    [switch] = script.select(".script-language a")
    assert (switch.get_text(), switch["data-script-language"]) == ("Script in English", "en")
    back = soup(staff_reader.get(switch["href"])).select_one("#region-panel article.script")
    assert back["data-script-language"] == "en" and questions(back, "emergency") == list(region.screening.emergency)
    spoken_in(back, "en")


def test_the_guide_is_in_english_by_default_and_links_to_spanish(staff_reader, app):
    spanish_of(app)
    page = soup(staff_reader.get("/staff/guide/knee?side=left"))
    script = page.select_one("#region-panel article.script")
    assert script["data-script-language"] == "en"
    spoken_in(script, "en")
    [switch] = script.select(".script-language a")
    assert (switch.get_text(), switch["href"]) == ("Script in Spanish", "/staff/guide/knee?side=left&script=es")
    for a in page.select("svg[data-view] a[data-region]"):  # an English guide's circles open English scripts
        assert "script=" not in a["href"] and "script=" not in a["hx-get"]
    empty = soup(staff_reader.get("/staff/guide")).select_one("#region-panel .script-language a")
    assert empty["href"] == "/staff/guide?script=es"  # staff can choose Spanish before the caller says where


def test_a_spanish_guide_stays_in_spanish_from_circle_to_circle_with_and_without_htmx(staff_reader, app):
    spanish = spanish_of(app)
    page = soup(staff_reader.get("/staff/guide?script=es"))
    assert page.select_one("#region-panel .script-language a")["href"] == "/staff/guide?script=en"
    circle = page.select_one('svg[data-view="front"] a[data-region="knee"][data-side="left"]')
    assert circle["href"] == "/staff/guide/knee?side=left&script=es"
    assert circle["hx-get"] == "/staff/guide/knee/panel?side=left&script=es"
    panel = staff_reader.get(circle["hx-get"], headers=HTMX)
    assert panel.status_code == 200
    script = soup(panel).select_one("article.script")
    assert script["data-script-language"] == "es"
    assert questions(script, "emergency") == list(spanish.region("knee").screening.emergency)
    direct = staff_reader.get(circle["hx-get"])  # the panel's address opened in a browser: the page, still Spanish
    assert direct.status_code == 303 and direct.headers["Location"] == "/staff/guide/knee?side=left&script=es"


def test_a_request_sent_in_spanish_opens_its_script_in_spanish(staff_client, db_app, content):
    spanish = spanish_of(db_app)
    first, second = shared_question_regions(content)
    side = first.sides[0] if first.sides else None
    areas = [{"region": first.slug, "side": side, "pain": 3}, {"region": second.slug, "pain": 8}]
    add_rows(db_app, callback_request(name="Beatriz", areas=areas, language="es"))
    request_id = stored(db_app)[0].id
    page = soup(staff_client.get(f"/staff/callbacks/{request_id}/guide"))
    script = page.select_one("#region-panel article.request-script")
    assert script["data-script-language"] == "es"
    spoken_in(script, "es")
    assert script.select_one("h2").get_text().endswith(": phone script")
    assert page.title.get_text().startswith(f"Call guide: {first.label(side)[0].lower()}")  # staff words: English
    facts = script.select_one(".request-facts")
    tag = facts.select_one(".language-tag [lang]")
    assert (tag["lang"], tag.get_text()) == ("es", "Español")
    assert [li.select_one(".pain-area-name").get_text() for li in facts.select("ul.pain-areas > li")] == [
        second.name,
        first.label(side),
    ]
    said_first, said_second = spanish.region(first.slug), spanish.region(second.slug)
    opening = script.select_one('[data-step="opening"] .say').get_text()
    assert opening.startswith(f'"Hola, le llamo de {spanish.clinic.name}')
    named = [label[0].lower() + label[1:] for label in (said_first.label(side), said_second.label(None))]
    assert f"Siento mucho su dolor de {named[0]} y {named[1]}." in opening  # as listed, with the side in Spanish
    for step, field in (("emergency", "emergency"), ("urgent", "urgent"), ("general", "general")):
        expected = [*getattr(said_first.screening, field), *getattr(said_second.screening, field)]
        assert questions(script, step) == list(dict.fromkeys(expected)), step
    summaries = [p.get_text() for p in script.select('[data-step="summary"] .script-area p.say')]
    assert summaries == [said_second.summary, said_first.summary]  # the one that hurts most first
    full = script.select_one('[data-step="summary"] .script-area a')["href"]
    assert full == f"/staff/guide/{second.slug}?script=es"  # its full script opens in Spanish too

    [switch] = script.select(".script-language a")
    assert (switch.get_text(), switch["href"]) == (
        "Script in English",
        f"/staff/callbacks/{request_id}/guide?script=en",
    )
    english = soup(staff_client.get(switch["href"])).select_one("article.request-script")
    assert english["data-script-language"] == "en"
    spoken_in(english, "en")
    assert questions(english, "emergency") == list(
        dict.fromkeys([*first.screening.emergency, *second.screening.emergency])
    )
    assert english.select_one(".script-language a")["href"] == f"/staff/callbacks/{request_id}/guide?script=es"


def test_a_request_sent_in_english_opens_in_english_and_can_switch_to_spanish(staff_client, db_app):
    spanish = spanish_of(db_app)
    add_rows(db_app, callback_request(name="Ann", region="knee", side="left", pain=5))
    url = f"/staff/callbacks/{stored(db_app)[0].id}/guide"
    script = soup(staff_client.get(url)).select_one("article.request-script")
    assert script["data-script-language"] == "en" and script.select_one(".request-facts .language-tag") is None
    assert script.select_one(".script-language a")["href"] == url + "?script=es"
    in_spanish = soup(staff_client.get(url + "?script=es")).select_one("article.request-script")
    assert questions(in_spanish, "emergency") == list(spanish.region("knee").screening.emergency)
    assert in_spanish.select_one("form#call-log input[name=next]")["value"] == url + "?script=es"


def test_a_script_language_the_clinic_does_not_have_is_refused(staff_client, db_app):
    add_rows(db_app, callback_request(name="Ann", region="knee", side="left", pain=5))
    request_url = f"/staff/callbacks/{stored(db_app)[0].id}/guide"
    for url in ("/staff/guide/knee?side=left", "/staff/guide", request_url):
        assert staff_client.get(url + ("&" if "?" in url else "?") + "script=fr").status_code == 400
    if "es" in bodymap.content.languages(db_app):
        return
    # A clinic without Spanish content: no link to a Spanish script, and asking for one is refused.
    for url in ("/staff/guide/knee?side=left", "/staff/guide", request_url):
        page = soup(staff_client.get(url))
        assert page.select(".script-language a") == []
        assert staff_client.get(url + ("&" if "?" in url else "?") + "script=es").status_code == 400


def test_the_scripts_own_spanish_lines_read_as_easy_spanish(app, content):
    """The lines the guide itself says (not the content's), filled in as a call would, from the catalog: each is
    Spanish, not the English, and reads at Fernández-Huerta 70 or more, like the content's Spanish."""
    from bodymap.content import reading
    from bodymap.staff.call_guide import SCRIPT_LINES, Script

    spanish = spanish_of(app)
    knee = spanish.region("knee") or spanish.regions[0]
    values = {
        "area": knee.name.lower(),
        "areas": f"{spanish.regions[0].name.lower()} y {knee.label(knee.sides[0] if knee.sides else None).lower()}",
        "appointments": spanish.clinic.appointments,
    }
    with app.test_request_context():
        said = {lang: Script(lang, content.in_language(lang), {}) for lang in ("en", "es")}
        lines = {(name, lang): said[lang].line(name, count=2, **values) for name in SCRIPT_LINES for lang in said}
    for name in SCRIPT_LINES:
        assert lines[(name, "es")] != lines[(name, "en")], name
        assert reading.score("es", lines[(name, "es")]) >= 70, name
