"""The callback form: reachable everywhere, prefilled, clear about mistakes, and it keeps what was typed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.helpers import GOOD_CALLBACK, HTMX, send_callback, soup, stored


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
        "region",
        "side",
        "pain",
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
    assert field_value(page, "region") == region.slug
    assert field_value(page, "side") == (side or "")


def test_an_unknown_region_in_the_link_is_ignored(client):
    page = soup(client.get("/callback?region=spleen&side=up"))
    assert field_value(page, "region") == ""
    assert field_value(page, "side") == ""


def test_without_javascript_a_request_is_saved_then_confirmed_on_its_own_page(db_client, db_app, content):
    response = send_callback(db_client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/callback/sent"
    [saved] = stored(db_app)
    assert (saved.name, saved.phone, saved.preferred_time) == ("Ana Lima", "+15035550142", "morning")
    assert (saved.region, saved.side, saved.pain, saved.note) == ("knee", "left", 4, "It hurts on the stairs.")
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
    assert field_value(page, "region") == "knee" and field_value(page, "side") == "left"
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
        ({"pain": "11"}, "pain", "Not a valid choice."),
        ({"region": "neck", "side": "left"}, "side", "The neck has no left or right side. Pick the first choice."),
    ],
)
def test_each_field_says_what_is_wrong(sqlite_client, sqlite_app, changes, field, message):
    response = send_callback(sqlite_client, **changes)
    assert response.status_code == 422
    assert soup(response).select_one(f"#{field}-error").get_text() == message
    assert stored(sqlite_app) == []


@pytest.mark.parametrize("name", ["José Álvarez", "Nguyễn Thị Lan", "山田太郎", "محمد علي", "Ελένη", "O'Brien-Smith"])
def test_names_in_any_script_are_welcome(db_client, db_app, name):
    assert send_callback(db_client, name=name).status_code == 303
    assert stored(db_app)[0].name == name


def test_pain_score_and_note_are_optional(db_client, db_app):
    assert send_callback(db_client, pain="", note="", region="", side="").status_code == 303
    [saved] = stored(db_app)
    assert (saved.pain, saved.note, saved.region, saved.side) == (None, "", None, None)


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
    assert form["hx-disable"] == "find button"
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
    assert field_value(page, "region") == "knee" and field_value(page, "side") == "left"
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


def test_the_confirmation_recaps_when_we_call_which_number_and_where_it_hurts(db_client, content):
    for confirmation in confirmations(db_client, preferred_time="evening", region="hand-wrist", side="right"):
        recap = confirmation.select_one('[role="status"] dl.recap')
        answers = {words(dt): words(dt.find_next_sibling("dd")) for dt in recap.select("dt")}
        assert answers == {
            "When we will call": "In the evening, as soon as we can",
            "The number we will call": "(503) 555-0142",
            "Where it hurts": content.region("hand-wrist").label("right"),
        }


def test_without_a_region_the_recap_says_only_when_and_which_number(db_client):
    for confirmation in confirmations(db_client, preferred_time="any", region="", side=""):
        recap = confirmation.select_one('[role="status"] dl.recap')
        assert [words(dt) for dt in recap.select("dt")] == ["When we will call", "The number we will call"]
        assert words(recap.select_one("dd")) == "As soon as we can, at any time of day"
        assert "911" in words(confirmation.select_one(".if-worse"))


def test_the_confirmation_says_when_to_call_911_with_the_regions_emergency_signs(sqlite_client, content, region):
    side = region.sides[0] if region.sides else ""
    for confirmation in confirmations(sqlite_client, region=region.slug, side=side):
        worse = confirmation.select_one("section.if-worse")
        assert words(worse.h2) == "If it gets worse before we call"
        assert "Call 911 now" in words(worse)
        assert [words(li) for li in worse.select("ul > li")] == [
            " ".join(getattr(f, "text", f).split()) for f in region.red_flags.emergency
        ]
        assert worse.select_one('a[href^="tel:"]')["href"] == content.clinic.tel


def test_the_confirmation_does_not_end_by_asking_the_patient_to_call_to_get_started(db_client, content):
    for confirmation in confirmations(db_client):
        text = words(confirmation.select_one("#callback-page"))
        assert " ".join(content.clinic.appointments.split()) not in text
        last = confirmation.select("#callback-page > *")[-1]
        assert last.select_one("a")["href"] == "/"
