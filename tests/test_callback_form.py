"""The callback form: reachable everywhere, prefilled, clear about mistakes, and it keeps what was typed."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from bodymap.areas.area import MAX_AREAS
from tests.helpers import GOOD_CALLBACK, HTMX, hidden_fields, send_callback, soup, stored


def field_value(page, name):
    element = page.select_one(f'#callback-form [name="{name}"]')
    if element.name == "select":  # as a browser shows it: the selected option, else the first
        chosen = element.select_one("option[selected]") or element.select_one("option")
        return chosen["value"]
    if element.name == "textarea":  # HTML drops one new line right after <textarea>
        return element.get_text().removeprefix("\r\n").removeprefix("\n")
    if element.get("type") == "radio":
        return page.select_one(f'#callback-form [name="{name}"][checked]')["value"]
    return element.get("value")


def test_the_form_has_a_plain_url_and_asks_only_what_a_callback_needs(client):
    response = client.get("/callback")
    assert response.status_code == 200
    form = soup(response).select_one("form#callback-form")
    assert form["method"] == "post" and form["action"] == "/callback"
    names = {element["name"] for element in form.select("[name]")}
    assert names == {
        "csrf_token",
        "submission_key",
        "name",
        "phone",
        "preferred_time",
        "areas-0-region",
        "areas-0-side",
        "areas-0-pain",
        "areas-0-feelings",
        "areas-0-duration",
        "action",
        "note",
        "consent",
        "website",
    }
    for element in form.select("input:not([type=hidden]):not([type=radio]), select, textarea"):
        labelled = form.select_one(f'label[for="{element["id"]}"]') or element.find_parent("label")
        assert labelled is not None, element["name"]
    assert [r["value"] for r in form.select('input[name="preferred_time"]')] == [
        "morning",
        "afternoon",
        "evening",
        "any",
    ]
    assert form.select_one('input[name="name"]')["maxlength"] == "100"
    assert form.select_one('textarea[name="note"]')["maxlength"] == "500"


def test_every_panel_links_to_the_form_with_its_region_and_side_filled_in(client, region_side):
    region, side = region_side
    panel = soup(client.get(f"/pain/{region.slug}" + (f"?side={side}" if side else "")))
    [link] = [a for a in panel.select('[data-section="booking"] a') if a.get_text() == "Request a callback"]
    target = urlsplit(link["href"])
    assert target.path == "/callback"
    page = soup(client.get(link["href"]))
    assert field_value(page, "areas-0-region") == region.slug
    assert field_value(page, "areas-0-side") == (side or "")
    assert page.select_one('[name="areas-1-region"]') is None


def test_an_unknown_region_in_the_link_is_ignored(client):
    page = soup(client.get("/callback?region=spleen&side=up"))
    assert field_value(page, "areas-0-region") == ""
    assert field_value(page, "areas-0-side") == ""


def test_without_javascript_a_request_is_saved_then_confirmed_on_its_own_page(db_client, db_app, content):
    response = send_callback(db_client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/callback/sent"
    [saved] = stored(db_app)
    assert (saved.name, saved.phone, saved.preferred_time) == ("Ana Lima", "+15035550142", "morning")
    [area] = saved.areas
    assert (area.region, area.side, area.pain, area.feelings, area.duration) == ("knee", "left", 4, "", None)
    assert saved.note == "It hurts on the stairs."
    assert saved.status == "new"
    confirmation = db_client.get("/callback/sent")
    assert confirmation.headers["Cache-Control"] == "no-store"
    status = soup(confirmation).select_one('[role="status"]')
    assert "Ana Lima" in status.h2.get_text()
    assert "morning" in status.get_text()
    assert soup(confirmation).select_one('.if-worse a[href^="tel:"]')["href"] == content.clinic.tel


def test_with_htmx_the_confirmation_replaces_the_form_in_place(db_client, db_app, content):
    response = send_callback(db_client, htmx=True)
    assert response.status_code == 201
    fragment = soup(response)
    assert fragment.find("html") is None
    status = fragment.select_one('[role="status"]')
    assert "morning" in status.get_text()
    assert fragment.select_one('.if-worse a[href^="tel:"]').get_text() == content.clinic.phone
    assert len(stored(db_app)) == 1


def test_the_confirmation_page_without_a_request_goes_back_to_the_form(client):
    response = client.get("/callback/sent")
    assert response.status_code == 303 and response.headers["Location"] == "/callback"


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_number_that_cannot_be_dialled_is_refused_and_everything_typed_stays(sqlite_client, sqlite_app, htmx):
    response = send_callback(sqlite_client, htmx=htmx, phone="555-01", note="Mornings are best <b>please</b>")
    assert response.status_code == 422
    page = soup(response)
    assert (page.find("html") is None) == htmx
    assert page.select_one("#phone-error").get_text().startswith("We cannot call that number")
    assert page.select_one("#phone")["aria-invalid"] == "true"
    assert "phone-error" in page.select_one("#phone")["aria-describedby"]
    assert field_value(page, "phone") == "555-01"
    assert field_value(page, "name") == GOOD_CALLBACK["name"]
    assert field_value(page, "note") == "Mornings are best <b>please</b>"
    assert field_value(page, "areas-0-region") == "knee" and field_value(page, "areas-0-side") == "left"
    assert field_value(page, "preferred_time") == "morning"
    summary = page.select_one(".error-summary")
    assert summary.select_one('a[href="#phone"]') is not None
    assert stored(sqlite_app) == []


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"name": ""}, "name", "Please tell us your name."),
        ({"name": "x" * 101}, "name", "Please keep your name under 100 characters."),
        ({"phone": ""}, "phone", "Please give us a phone number to call."),
        ({"phone": "5" * 33}, "phone", "That is too long for a phone number."),
        ({"note": "n" * 501}, "note", "Please keep the note under 500 characters."),
        ({"consent": None}, "consent", "Please tick this box so we may call you."),
        ({"preferred_time": "midnight"}, "preferred_time", "Not a valid choice."),
        ({"areas-0-pain": "11"}, "areas-0-pain", "Not a valid choice."),
        ({"areas-0-region": "spleen"}, "areas-0-region", "Not a valid choice."),
        ({"areas-0-duration": "forever"}, "areas-0-duration", "Not a valid choice."),
        (
            {"areas-0-region": "neck", "areas-0-side": "left"},
            "areas-0-side",
            "The neck has no left or right side. Pick the first choice.",
        ),
    ],
)
def test_each_field_says_what_is_wrong(sqlite_client, sqlite_app, changes, field, message):
    response = send_callback(sqlite_client, **changes)
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one(f"#{field}-error").get_text() == message
    [link] = page.select(".error-summary a")
    assert link.get_text() == message
    assert page.select_one(link["href"]).get("name") == field, "the summary links to the field"
    assert stored(sqlite_app) == []


@pytest.mark.parametrize("name", ["José Álvarez", "Nguyễn Thị Lan", "山田太郎", "محمد علي", "Ελένη", "O'Brien-Smith"])
def test_names_in_any_script_are_welcome(db_client, db_app, name):
    assert send_callback(db_client, name=name).status_code == 303
    assert stored(db_app)[0].name == name


def test_pain_score_and_note_are_optional(db_client, db_app):
    assert send_callback(db_client, note="", **{"areas-0-pain": "", "areas-0-side": ""}).status_code == 303
    [saved] = stored(db_app)
    assert saved.note == ""
    assert [(a.region, a.side, a.pain) for a in saved.areas] == [("knee", None, None)]


def test_numbers_are_stored_in_international_form(db_client, db_app):
    send_callback(db_client, phone="503.555.0142")
    send_callback(db_client, phone="+1 (503) 555 0143")
    assert [s.phone for s in stored(db_app)] == ["+15035550142", "+15035550143"]


def test_the_form_and_every_answer_are_never_cached(db_client):
    assert db_client.get("/callback").headers["Cache-Control"] == "no-store"
    assert send_callback(db_client, phone="1").headers["Cache-Control"] == "no-store"
    assert send_callback(db_client).headers["Cache-Control"] == "no-store"
    assert send_callback(db_client, htmx=True).headers["Cache-Control"] == "no-store"


def test_the_htmx_form_posts_with_its_token_in_a_header_and_handles_every_status(client):
    form = soup(client.get("/callback")).select_one("form#callback-form")
    assert form["hx-post"] == "/callback"
    assert form["hx-status:422"] == "target:#callback-form swap:outerHTML"
    assert form["hx-status:201"] == "target:#callback-page swap:outerHTML"
    assert form.find_parent(id="callback-page") is not None, "the confirmation replaces the page's heading too"
    assert form["hx-status:5xx"] == "target:#callback-alert swap:innerHTML"
    assert form["hx-disable"] == "find .button-call"
    assert form.select_one(form["hx-disable"].removeprefix("find ")).get_text() == "Send my request"
    token = form.select_one('input[name="csrf_token"]')["value"]
    assert form["hx-headers"] == f'{{"X-CSRFToken": "{token}"}}'


def test_a_token_in_the_header_alone_is_accepted(db_client, db_app):
    form_page = db_client.get("/callback")
    page = soup(form_page)
    token = page.select_one('input[name="csrf_token"]')["value"]
    key = page.select_one('input[name="submission_key"]')["value"]
    response = db_client.post(
        "/callback", data={**GOOD_CALLBACK, "submission_key": key}, headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 201
    assert len(stored(db_app)) == 1


BLANKS = ["   ", "\t \u00a0 ", "\u3000", "\u200b\u200b", " \x00 "]


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize(
    "field,message", [("name", "Please tell us your name."), ("phone", "Please give us a phone number to call.")]
)
@pytest.mark.parametrize("blank", BLANKS, ids=["spaces", "tab-nbsp", "ideographic", "zero-width", "nul"])
def test_a_name_or_number_of_only_spaces_is_refused_and_the_rest_stays(
    sqlite_client, sqlite_app, htmx, field, message, blank
):
    response = send_callback(sqlite_client, htmx=htmx, note="Stairs hurt most.", **{field: blank})
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one(f"#{field}-error").get_text() == message
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.select_one(f'.error-summary a[href="#{field}"]').get_text() == message
    assert field_value(page, field) == ""
    other = "phone" if field == "name" else "name"
    assert field_value(page, other) == GOOD_CALLBACK[other]
    assert field_value(page, "note") == "Stairs hurt most."
    assert field_value(page, "areas-0-region") == "knee" and field_value(page, "areas-0-side") == "left"
    assert stored(sqlite_app) == []


def test_a_name_is_stored_without_its_outer_spaces(db_client, db_app):
    assert send_callback(db_client, name="\u00a0 Ana Lima \u200b").status_code == 303
    assert stored(db_app)[0].name == "Ana Lima"


def test_a_note_of_only_spaces_is_stored_as_no_note(db_client, db_app):
    assert send_callback(db_client, note=" \n\t \u00a0").status_code == 303
    assert stored(db_app)[0].note == ""


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


def confirmations(client, **changes):
    """The confirmation as htmx swaps it in, and the page a browser without JavaScript is sent to."""
    swapped = send_callback(client, htmx=True, **changes)
    assert swapped.status_code == 201
    sent = send_callback(client, **changes)
    assert sent.status_code == 303
    return soup(swapped), soup(client.get(sent.headers["Location"]))


def test_with_and_without_javascript_the_confirmation_is_the_same(db_client, content):
    swapped, page = confirmations(db_client)
    assert swapped.find("html") is None and page.find("html") is not None
    assert swapped.title.get_text() == page.title.get_text() == f"Request sent · {content.clinic.name}"
    [h1] = page.select("main h1")
    assert [words(h) for h in swapped.select("h1, h2")] == [words(h) for h in page.select("main h1, main h2")]
    assert words(h1) == "Request sent"
    assert words(swapped.select_one("#callback-page")) == words(page.select_one("#callback-page"))
    assert page.select_one("main > #callback-page") is not None, "htmx swaps it over the form page's #callback-page"


TWO_AREAS = {
    "areas-0-region": "neck",
    "areas-0-side": "",
    "areas-0-pain": "7",
    "areas-0-feelings": ["aching", "spreading"],
    "areas-0-duration": "over-3-months",
    "areas-1-region": "shoulder",
    "areas-1-side": "left",
    "areas-1-pain": "4",
    "areas-1-duration": "",
}


def test_the_confirmation_recaps_when_we_call_which_number_and_every_area(db_client, content):
    neck, shoulder = content.region("neck"), content.region("shoulder")
    for confirmation in confirmations(db_client, preferred_time="evening", **TWO_AREAS):
        recap = confirmation.select_one('[role="status"] dl.recap')
        answers = {words(dt): dt.find_next_sibling("dd") for dt in recap.select("dt")}
        assert list(answers) == ["When we will call", "The number we will call", "Where it hurts"]
        assert words(answers["When we will call"]) == "In the evening, as soon as we can"
        assert words(answers["The number we will call"]) == "(503) 555-0142"
        areas = answers["Where it hurts"].select("li")
        assert [words(li.select_one(".recap-area")) for li in areas] == [neck.label(None), shoulder.label("left")]
        assert [words(li.select_one(".recap-score")) for li in areas] == ["pain 7 out of 10", "pain 4 out of 10"]
        assert words(areas[0].select_one(".recap-words")) == "Aching, Spreads into the arm or the leg"
        assert words(areas[0].select_one(".recap-duration")) == "For over 3 months"
        assert areas[1].select_one(".recap-words") is None and areas[1].select_one(".recap-duration") is None


def test_the_confirmation_says_first_when_to_call_911_and_when_to_see_a_doctor_today(sqlite_client, content, region):
    side = region.sides[0] if region.sides else ""
    for confirmation in confirmations(sqlite_client, **{"areas-0-region": region.slug, "areas-0-side": side}):
        page = confirmation.select_one("#callback-page")
        worse = page.select_one("section.if-worse")
        assert page.select("#callback-page > *")[1] is worse, "the signs come right after the page's heading"
        assert words(worse.h2) == "If it gets worse before we call"
        emergency, urgent = worse.select(".flags")
        assert "flags-emergency" in emergency["class"] and "flags-urgent" in urgent["class"]
        assert words(emergency.select_one(".flags-lead")).startswith("Call 911 now")
        assert words(urgent.select_one(".flags-lead")).startswith("See a doctor today")
        assert [words(li) for li in emergency.select("ul > li")] == [
            " ".join(f.text.split()) for f in region.red_flags.emergency
        ]
        assert [words(li) for li in urgent.select("ul > li")] == [
            " ".join(f.text.split()) for f in region.red_flags.urgent
        ]
        assert worse.select_one('a[href^="tel:"]')["href"] == content.clinic.tel


def sharing_a_sign(content):
    """Two regions with an emergency sign in common, read from the content."""
    for first in content.regions:
        for second in content.regions:
            shared = {f.text for f in first.red_flags.emergency} & {f.text for f in second.red_flags.emergency}
            if first.slug != second.slug and shared:
                return first, second
    pytest.skip("no two regions of this clinic share an emergency sign")


def each_sign_once(*regions) -> list[str]:
    signs = [" ".join(f.text.split()) for r in regions for f in r.red_flags.emergency]
    return list(dict.fromkeys(signs))


def test_the_confirmation_lists_the_emergency_signs_of_every_area_each_once(sqlite_client, content):
    first, second = sharing_a_sign(content)
    expected = each_sign_once(first, second)
    assert len(expected) < len(first.red_flags.emergency) + len(second.red_flags.emergency)
    areas = {"areas-0-region": first.slug, "areas-0-side": "", "areas-1-region": second.slug}
    for confirmation in confirmations(sqlite_client, **areas):
        assert [words(li) for li in confirmation.select("section.if-worse .flags-emergency li")] == expected


def test_the_confirmation_does_not_end_by_asking_the_patient_to_call_to_get_started(db_client, content):
    for confirmation in confirmations(db_client):
        text = words(confirmation.select_one("#callback-page"))
        assert " ".join(content.clinic.appointments.split()) not in text
        last = confirmation.select("#callback-page > *")[-1]
        assert last.select_one("a")["href"] == "/"


# Several areas: at least one, each listed once, added and removed without storing anything.


def area_values(page) -> list[tuple[str, str, str]]:
    """Each area's region, side and score, as the form shows them."""
    count = len(page.select('#callback-form select[name$="-region"]'))
    return [tuple(field_value(page, f"areas-{n}-{name}") for name in ("region", "side", "pain")) for n in range(count)]


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_at_least_one_area_is_required_and_the_form_says_how_to_reach_us_instead(
    sqlite_client, sqlite_app, content, htmx
):
    blank = {"areas-0-region": "", "areas-0-side": "", "areas-0-pain": ""}
    response = send_callback(sqlite_client, htmx=htmx, **blank)
    assert response.status_code == 422
    page = soup(response)
    message = f"Please pick where it hurts. If it is not on the list, call us at {content.clinic.phone}."
    assert page.select_one("#areas-0-region-error").get_text() == message
    assert page.select_one('.error-summary a[href="#areas-0-region"]').get_text() == message
    assert page.select_one("#areas-0-region")["aria-invalid"] == "true"
    assert field_value(page, "name") == GOOD_CALLBACK["name"] and field_value(page, "note") == GOOD_CALLBACK["note"]
    hint = page.select_one("section.areas .field-hint")
    assert hint.select_one('a[href^="tel:"]')["href"] == content.clinic.tel
    assert stored(sqlite_app) == []


def test_an_added_area_left_blank_is_ignored(db_client, db_app):
    assert send_callback(db_client, **{"areas-1-region": "", "areas-1-side": "", "areas-1-pain": ""}).status_code == 303
    assert [(a.region, a.side) for a in stored(db_app)[0].areas] == [("knee", "left")]


def test_an_area_with_a_score_but_no_place_is_refused(sqlite_client, sqlite_app):
    response = send_callback(sqlite_client, **{"areas-1-region": "", "areas-1-pain": "6"})
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one("#areas-1-region-error").get_text() == "Please pick where this area hurts, or remove it."
    assert field_value(page, "areas-1-pain") == "6"
    assert stored(sqlite_app) == []


def test_the_same_area_twice_is_refused_with_a_clear_message(sqlite_client, sqlite_app, content):
    twice = {"areas-1-region": "knee", "areas-1-side": "left", "areas-1-pain": "8"}
    response = send_callback(sqlite_client, **twice)
    assert response.status_code == 422
    page = soup(response)
    message = f"{content.region('knee').label('left')} is in the list twice (areas 1 and 2). Remove one."
    assert page.select_one('.error-summary a[href="#areas-1-region"]').get_text() == message
    assert area_values(page) == [("knee", "left", "4"), ("knee", "left", "8")]
    assert stored(sqlite_app) == []


def test_a_left_and_a_right_knee_are_two_areas(db_client, db_app):
    assert send_callback(db_client, **{"areas-1-region": "knee", "areas-1-side": "right"}).status_code == 303
    assert [(a.region, a.side) for a in stored(db_app)[0].areas] == [("knee", "left"), ("knee", "right")]


def emergency_block(page):
    return page.select_one("#callback-form #callback-emergency-signs")


def test_above_the_send_button_the_form_lists_the_emergency_signs_of_every_area_once(client, content):
    first, second = sharing_a_sign(content)
    page = soup(send_edit(client, "update", **{"areas-0-region": first.slug, "areas-1-region": second.slug}))
    block = emergency_block(page)
    assert words(block.select_one(".flags-lead")) == "If you have any of these, call 911 now. Do not wait for our call."
    assert [words(li) for li in block.select("li")] == each_sign_once(first, second)
    send = page.select_one("#callback-form button.button-call")
    assert send.find_previous(id="callback-emergency-signs") is block, "the signs come before the send button"
    assert block.find_previous(id="note") is not None, "after every field"


def test_the_form_shows_the_emergency_signs_of_the_area_a_panel_links_to(client, region):
    page = soup(client.get(f"/callback?region={region.slug}"))
    assert [words(li) for li in emergency_block(page).select("li")] == each_sign_once(region)


def test_with_no_area_picked_the_form_shows_no_list_of_signs(client):
    page = soup(client.get("/callback"))
    assert emergency_block(page).select("li") == []
    assert "911" in words(page.select_one(".emergency-note")), "the page still says to call 911 in an emergency"


def send_edit(client, action, htmx=False, **changes):
    """Press an area button (add, remove, update) on a form filled in like GOOD_CALLBACK and changed by `changes`."""
    data = {**hidden_fields(client.get("/callback")), **GOOD_CALLBACK, **changes, "action": action}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/callback", data=data, headers=HTMX if htmx else {})


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_add_another_area_redraws_the_form_as_typed_and_stores_nothing(sqlite_client, sqlite_app, htmx):
    response = send_edit(sqlite_client, "add-area", htmx=htmx, note="Worse at night", **{"areas-0-feelings": "sharp"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert (page.find("html") is None) == htmx
    assert page.select_one(".error-summary") is None and page.select(".field-message") == []
    assert area_values(page) == [("knee", "left", "4"), ("", "", "")]
    assert page.select_one("#areas-0-feelings-1")["value"] == "sharp"
    assert page.select_one("#areas-0-feelings-1").has_attr("checked")
    assert page.select_one("#areas-1-region").has_attr("autofocus"), "the new area's first field takes the focus"
    assert field_value(page, "name") == GOOD_CALLBACK["name"] and field_value(page, "note") == "Worse at night"
    assert field_value(page, "preferred_time") == "morning"
    assert page.select_one('#callback-form input[name="consent"]').has_attr("checked")
    assert stored(sqlite_app) == []


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_remove_takes_out_that_area_alone_and_stores_nothing(sqlite_client, sqlite_app, htmx):
    three = {
        "areas-1-region": "neck",
        "areas-1-side": "",
        "areas-1-pain": "7",
        "areas-2-region": "hip",
        "areas-2-side": "right",
        "areas-2-pain": "2",
    }
    response = send_edit(sqlite_client, "remove-1", htmx=htmx, **three)
    assert response.status_code == 200
    page = soup(response)
    assert area_values(page) == [("knee", "left", "4"), ("hip", "right", "2")]
    assert page.select_one("#areas-heading").has_attr("autofocus")
    assert [b["value"] for b in page.select('button[name="action"][value^="remove-"]')] == ["remove-0", "remove-1"]
    assert stored(sqlite_app) == []
    last = soup(send_edit(sqlite_client, "remove-0"))
    assert area_values(last) == [("", "", "")], "the form always has an area to fill in"
    assert last.select('button[value^="remove-"]') == []


def test_areas_stop_at_the_most_a_form_takes(sqlite_client, content):
    regions = [r.slug for r in content.regions]
    many = {f"areas-{n}-region": regions[n % len(regions)] for n in range(MAX_AREAS + 2)}
    many |= {f"areas-{n}-side": "left" if n >= len(regions) else "" for n in range(MAX_AREAS + 2)}
    page = soup(send_edit(sqlite_client, "add-area", **many))
    assert len(area_values(page)) == MAX_AREAS
    assert page.select_one('button[value="add-area"]') is None


def test_pressing_enter_in_a_text_box_sends_the_form_and_never_removes_an_area(client):
    page = soup(send_edit(client, "add-area"))
    first = page.select_one('#callback-form button[type="submit"]')
    assert not first.has_attr("name"), "the form's first button (what Enter presses) is a plain send"
    edits = page.select('#callback-form button[name="action"]')
    assert edits and all(button.has_attr("formnovalidate") for button in edits), "no required field blocks them"


def test_the_pain_list_opens_the_form_with_its_areas_and_no_errors(client, content):
    listed = {
        **TWO_AREAS,
        "areas-2-region": "spleen",  # not a region: left out
        "areas-3-region": "neck",  # the neck again: kept once
        "areas-4-region": "knee",
        "areas-4-side": "middle",  # a side the knee lacks: dropped, the knee kept
        "areas-4-pain": "12",  # off the scale: no score
    }
    response = client.post("/callback/from-list", data=listed)  # no CSRF token: it stores nothing
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.select_one(".error-summary") is None and page.select(".field-message") == []
    assert area_values(page) == [("neck", "", "7"), ("shoulder", "left", "4"), ("knee", "", "")]
    assert [i["value"] for i in page.select('input[name="areas-0-feelings"][checked]')] == ["aching", "spreading"]
    assert field_value(page, "areas-0-duration") == "over-3-months"
    assert [words(li) for li in emergency_block(page).select("li")] == each_sign_once(
        content.region("neck"), content.region("shoulder"), content.region("knee")
    )
    assert field_value(page, "name") == ""
    sent = client.post("/callback", data={**hidden_fields(response), **GOOD_CALLBACK, **listed})
    assert sent.status_code == 422, "the form it opens carries its own token: sending it is checked as always"


def test_a_form_opened_from_the_pain_list_sends_every_area_in_order(db_client, db_app):
    opened = db_client.post("/callback/from-list", data=TWO_AREAS)
    contact = {k: v for k, v in GOOD_CALLBACK.items() if not k.startswith("areas-")}
    sent = db_client.post("/callback", data={**hidden_fields(opened), **contact, **TWO_AREAS})
    assert sent.status_code == 303
    [saved] = stored(db_app)
    assert [(a.position, a.region, a.side, a.pain, a.feelings, a.duration) for a in saved.areas] == [
        (0, "neck", None, 7, "aching,spreading", "over-3-months"),
        (1, "shoulder", "left", 4, "", None),
    ]


def test_the_pain_list_with_nothing_usable_opens_an_empty_form(client):
    page = soup(client.post("/callback/from-list", data={"areas-0-region": "<b>x</b>", "name": "Not kept"}))
    assert area_values(page) == [("", "", "")]
    assert field_value(page, "name") == ""


def test_with_htmx_a_change_of_place_redraws_the_signs_in_place(client):
    page = soup(client.get("/callback?region=knee"))
    select = page.select_one("#areas-0-region")
    assert select["hx-post"] == "/callback" and select["hx-trigger"] == "change"
    assert json.loads(select["hx-vals"]) == {"action": "update"}
    target = page.select_one(select["hx-target"])
    assert target["aria-live"] == "polite" and target.select_one(select["hx-select"]) is not None
    assert select["hx-swap"] == "innerHTML", "the live region stays, so the new signs are read out"
