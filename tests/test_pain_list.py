"""The patient's pain list: several areas, a score each, their red flags read together, kept by no one.

Every answer here comes from real requests through the app; the list is sent whole with each POST, as the
browser sends it, and the answer is read with BeautifulSoup.
"""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import quote, unquote

import pytest

from bodymap.areas.area import MAX_AREAS, area_from, combined_flags
from bodymap.content import ContentError, load
from tests.helpers import HTMX, soup
from tests.test_content_validation import MINIMAL, line_of


def paired(content):
    return [r for r in content.regions if r.sides]


def centred(content):
    return [r for r in content.regions if not r.sides]


def fields(areas) -> dict[str, list[str]]:
    """The posted `areas-N-*` fields of a list given as (slug, side, pain[, feelings, duration]) tuples."""
    posted: dict[str, list[str]] = {}
    for n, (slug, side, pain, *more) in enumerate(areas):
        posted[f"areas-{n}-region"] = [slug]
        posted[f"areas-{n}-side"] = [side or ""]
        posted[f"areas-{n}-pain"] = ["" if pain is None else str(pain)]
        if more:
            posted[f"areas-{n}-feelings"] = list(more[0])
            posted[f"areas-{n}-duration"] = [more[1]]
    return posted


def post_list(client, areas=(), action="update", url="/list", headers=None, **extra):
    return client.post(url, data={**fields(areas), "action": action, **extra}, headers=headers or {})


def listed(response) -> list[tuple[str, str, str]]:
    """The list as drawn: each area's region, side and score."""
    return [
        (li["data-area-region"], li["data-area-side"], li["data-area-pain"])
        for li in soup(response).select("[data-pain-list] li.list-area")
    ]


def message(response) -> str:
    found = soup(response).select_one("[data-pain-list-message]")
    return found.get_text(" ", strip=True) if found else ""


def three(content):
    """A three-area list: a paired region on its left, a centre region, another paired region without a side."""
    one, other = paired(content)[0], paired(content)[-1]
    middle = centred(content)[0]
    return [(one.slug, "left", 7), (middle.slug, None, 4), (other.slug, None, None)]


# From a panel onto the list -------------------------------------------------------------------------------------


def add_form(page):
    form = page.select_one("[data-section='add-to-list'] form")
    assert form is not None, "every region's panel offers to add it to the list"
    return form


def form_values(form) -> dict[str, str]:
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


@pytest.mark.parametrize("fragment", [True, False], ids=["panel", "page"])
def test_every_panel_and_region_page_offers_to_add_its_area(client, region_side, fragment):
    region, side = region_side
    url = f"/pain/{region.slug}" + ("/panel" if fragment else "") + (f"?side={side}" if side else "")
    form = add_form(soup(client.get(url, headers=HTMX if fragment else {})))
    assert form["method"] == "post" and form["action"] == "/list" and form["hx-post"] == "/list"
    assert form_values(form)["new-region"] == region.slug
    radios = form.select("input[type=radio][name=new-side]")
    if region.sides and not side:
        assert [r["value"] for r in radios] == [*region.sides, ""], "a side picker, with 'both, or not sure'"
        assert "new-side" not in form_values(form)
    else:
        assert radios == [] and form_values(form)["new-side"] == (side or "")
    scores = [o["value"] for o in form.select("select[name=new-pain] option")]
    assert scores == ["", *map(str, range(11))]
    assert form.select_one("button[name=action][value=add]") is not None
    assert form.select("[name^=csrf]") == [], "the public pages carry no token, so they stay cacheable"


def test_the_embeds_panel_adds_to_the_embeds_list(client, content):
    region = content.regions[0]
    form = add_form(soup(client.get(f"/embed/pain/{region.slug}/panel", headers=HTMX)))
    assert form["action"] == "/embed/list" and form["hx-post"] == "/embed/list"


def test_adding_areas_one_by_one_builds_the_list(client, content):
    (a, a_side, a_pain), (b, _, b_pain), (c, _, _) = three(content)
    first = client.post("/list", data={"action": "add", "new-region": a, "new-side": a_side, "new-pain": a_pain})
    assert first.status_code == 200
    assert listed(first) == [(a, "left", "7")]
    second = post_list(client, [(a, "left", 7)], "add", **{"new-region": b, "new-side": "", "new-pain": b_pain})
    assert listed(second) == [(a, "left", "7"), (b, "", "4")]
    third = post_list(client, [(a, "left", 7), (b, None, 4)], "add", **{"new-region": c, "new-side": ""})
    assert listed(third) == [(a, "left", "7"), (b, "", "4"), (c, "", "")]
    name = content.region(c).name
    assert message(third) == f"{name} is on your list. It has 3 areas."


def test_adding_an_area_already_listed_keeps_one_and_takes_the_new_score(client, content):
    slug = paired(content)[0].slug
    again = post_list(client, [(slug, "left", 3)], "add", **{"new-region": slug, "new-side": "left", "new-pain": "8"})
    assert again.status_code == 200 and listed(again) == [(slug, "left", "8")]
    assert "already on your list" in message(again)
    other_side = post_list(client, [(slug, "left", 3)], "add", **{"new-region": slug, "new-side": "right"})
    assert listed(other_side) == [(slug, "left", "3"), (slug, "right", "")], "left and right are two areas"


def test_each_area_can_be_changed(client, content):
    slug = paired(content)[0].slug
    changed = post_list(client, [(slug, "left", 2, ["sharp", "tingling"], "6-12-weeks")], "update")
    assert changed.status_code == 200 and listed(changed) == [(slug, "left", "2")]
    entry = soup(changed).select_one("li.list-area")
    assert entry.select_one("select[name='areas-0-pain'] option[selected]")["value"] == "2"
    ticked = [i["value"] for i in entry.select("input[name='areas-0-feelings'][checked]")]
    assert ticked == ["sharp", "tingling"]
    assert entry.select_one("select[name='areas-0-duration'] option[selected]")["value"] == "6-12-weeks"
    assert entry.select_one(".list-area-words").get_text(strip=True) == (
        "Sharp, Tingling or pins and needles, 6 to 12 weeks so far"
    )


def test_any_area_can_be_removed_and_the_list_cleared(client, content):
    areas = three(content)
    removed = post_list(client, areas, "remove-1")
    assert [slug for slug, _, _ in listed(removed)] == [areas[0][0], areas[2][0]]
    assert message(removed) == f"{content.region(areas[1][0]).name} is off your list."
    cleared = post_list(client, areas, "clear")
    assert listed(cleared) == [] and message(cleared) == "Your list is empty now."
    assert soup(cleared).select("[data-section='red-flags']") == []


def test_each_remove_button_names_its_area(client, content):
    page = soup(post_list(client, three(content)))
    buttons = page.select("li.list-area button[name=action][value^=remove-]")
    assert [b["value"] for b in buttons] == ["remove-0", "remove-1", "remove-2"]
    labels = [area_from(content, s, side).label for s, side, _ in three(content)]
    assert [b.get_text(" ", strip=True) for b in buttons] == [f"Remove {label} from my list" for label in labels]


def test_the_list_holds_at_most_ten_areas(client, content):
    spots = [(r.slug, side) for r in content.regions for side in (r.sides or (None,))]
    assert len(spots) > MAX_AREAS, "the clinic has more areas than a list holds"
    full = [(slug, side, 5) for slug, side in spots[:MAX_AREAS]]
    page = post_list(client, full)
    assert len(listed(page)) == MAX_AREAS
    assert soup(page).select_one("fieldset.add-another") is None
    assert soup(page).select_one(".list-full").get_text(strip=True) == (
        "Your list is full: it holds 10 areas. Remove one to add another."
    )
    slug, side = spots[MAX_AREAS]
    refused = post_list(client, full, "add", **{"new-region": slug, "new-side": side or ""})
    assert refused.status_code == 422
    assert message(refused) == "Your list is full: it holds 10 areas. Remove one to add another."
    assert listed(refused) == listed(page), "the list is kept as it was"
    eleven = post_list(client, [*full, (slug, side, 5)])
    assert len(listed(eleven)) == MAX_AREAS, "an eleventh posted area is not read"


# Bad input: a clear answer that keeps the rest of the list, never a 500 --------------------------------------------


def test_an_unknown_area_is_left_out_and_said(client, content):
    slug = paired(content)[0].slug
    page = post_list(client, [("no-such-place", None, 3), (slug, "left", 6)])
    assert page.status_code == 422
    assert listed(page) == [(slug, "left", "6")]
    assert message(page) == "We left out an area we do not know."


def test_a_side_the_region_lacks_is_dropped_and_said(client, content):
    middle = centred(content)[0]
    page = post_list(client, [(middle.slug, "left", 6)])
    assert page.status_code == 422 and listed(page) == [(middle.slug, "", "6")]
    assert message(page) == f"The {middle.name.lower()} has no left side here, so it is listed without one."


@pytest.mark.parametrize("score", ["11", "-1", "7.5", "seven", "<b>"])
def test_a_score_off_the_scale_is_no_score_and_said(client, content, score):
    slug = paired(content)[0].slug
    page = post_list(client, [(slug, "right", score), (centred(content)[0].slug, None, 2)])
    assert page.status_code == 422
    assert listed(page) == [(slug, "right", ""), (centred(content)[0].slug, "", "2")]
    label = content.region(slug).label("right")
    assert message(page) == f"A score is a whole number from 0 to 10. {label} has no score now."


def test_an_unknown_action_changes_nothing(client, content):
    page = post_list(client, three(content), "explode")
    assert page.status_code == 400 and len(listed(page)) == 3
    assert message(page) == "We did not understand that. Your list is as it was."
    out_of_range = post_list(client, three(content), "remove-7")
    assert out_of_range.status_code == 422 and len(listed(out_of_range)) == 3


def test_adding_nothing_or_somewhere_unknown_is_refused_with_the_list_kept(client, content):
    for new in ({}, {"new-region": "nowhere"}, {"new-region": "<script>"}):
        page = post_list(client, three(content), "add", **new)
        assert page.status_code == 422 and len(listed(page)) == 3
        assert message(page) == "Pick an area of the body to add."


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"areas": [1, 2]}', "application/json"),
        (b"{broken", "application/json"),
        (b"areas-0-region=%ff%fe&action=add&new-region=\x00", "application/x-www-form-urlencoded"),
        (b"areas-99999999999999999999-region=knee", "application/x-www-form-urlencoded"),
        (
            b"--x\r\nContent-Disposition: form-data; name=f; filename=a\r\n\r\nzz\r\n--x--",
            "multipart/form-data; boundary=x",
        ),
    ],
)
def test_junk_bodies_get_an_answer_not_a_500(client, body, content_type):
    for url in ("/list", "/embed/list", "/list/book"):
        response = client.post(url, data=body, content_type=content_type)
        assert response.status_code < 500, url


# Red flags of the whole list first ---------------------------------------------------------------------------------


def test_the_list_starts_with_every_areas_emergency_signs_each_once_then_the_same_day_signs(client, content):
    areas = three(content)
    page = soup(post_list(client, areas))
    article = page.select_one("[data-pain-list]")
    order = [s.get("data-section") or s.name for s in article.select("[data-section], form#pain-list-form")]
    assert order[:2] == ["red-flags", "form"], "the red flags come before the areas"
    flags = combined_flags([area_from(content, slug, side) for slug, side, _ in areas])
    emergency = [li.get_text(" ", strip=True) for li in article.select(".flags-emergency li")]
    urgent = [li.get_text(" ", strip=True) for li in article.select(".flags-urgent li")]
    assert emergency == [f.text for f in flags.emergency] and len(set(emergency)) == len(emergency)
    assert urgent == [f.text for f in flags.urgent] and len(set(urgent)) == len(urgent)
    every = {f.text for slug, _, _ in areas for f in content.region(slug).red_flags.emergency}
    assert set(emergency) == every
    lead = article.select_one(".flags-emergency .flags-lead").get_text(" ", strip=True)
    assert lead.startswith("Call 911")
    boxes = article.select(".flags")
    assert "flags-emergency" in boxes[0]["class"] and "flags-urgent" in boxes[1]["class"]


def test_a_sign_shared_by_two_areas_is_listed_once(client, content):
    slug = paired(content)[0].slug
    page = soup(post_list(client, [(slug, "left", 3), (slug, "right", 5)]))
    emergency = [li.get_text(" ", strip=True) for li in page.select("[data-pain-list] .flags-emergency li")]
    assert emergency == [f.text for f in content.region(slug).red_flags.emergency]


def test_each_area_has_its_summary_and_a_link_to_its_page(client, content):
    page = soup(post_list(client, three(content)))
    for (slug, side, _), entry in zip(three(content), page.select("li.list-area"), strict=True):
        region = content.region(slug)
        assert entry.select_one(".list-area-summary").get_text(" ", strip=True).startswith(region.summary)
        link = entry.select_one(".list-area-summary a")
        assert link["href"] == f"/pain/{slug}" + (f"?side={side}" if side else "")


# The map shows the list ---------------------------------------------------------------------------------------------


def test_the_listed_circles_are_marked_with_their_scores(client, content):
    (a, _, _), (b, _, _), (c, _, _) = three(content)
    page = soup(post_list(client, three(content)))
    marked = {}
    for link in page.select("svg[data-view] a.spot"):
        mark = link.select_one(".spot-mark")
        assert (mark is not None) == ("spot-listed" in link["class"])
        if mark is not None:
            text = mark.select_one("text")
            marked.setdefault((link["data-region"], link["data-side"]), set()).add(text.string if text else None)
    expected = {(a, "left"): {"7"}, (b, "centre"): {"4"}}
    expected |= {(c, side): {None} for side in content.region(c).sides}  # no side: both its circles, no number
    assert marked == expected
    label = next(x for x in page.select(f"svg a.spot[data-region='{a}'][data-side='left']"))["aria-label"]
    assert label.endswith(", on your list, 7 of 10"), "the circle's name says it too"


def test_pages_everyone_shares_stay_the_same_and_cacheable(client, content):
    slug = paired(content)[0].slug
    urls = ["/", f"/pain/{slug}", f"/pain/{slug}?side=left", f"/embed/pain/{slug}"]
    before = {url: client.get(url).get_data() for url in urls}
    post_list(client, three(content), "add", **{"new-region": slug, "new-side": "right", "new-pain": "9"})
    for url in urls:
        again = client.get(url)
        assert again.get_data() == before[url], url
        assert again.cache_control.public and "Set-Cookie" not in again.headers
        assert soup(again).select("a.spot-listed, .spot-mark") == [], "nobody's list on a shared page"


# Private by construction --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/list", "/embed/list"])
@pytest.mark.parametrize("htmx", [False, True])
def test_list_answers_are_never_stored_and_set_no_cookie(client, content, url, htmx):
    response = post_list(client, three(content), url=url, headers=HTMX if htmx else None)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert "HX-Request" in response.vary
    page = soup(response)
    assert (page.find("html") is None) == htmx, "htmx gets the list alone, a browser the whole page"
    assert page.select_one("[data-pain-list] h2#panel-heading").get_text(strip=True) == "Your pain list"


def test_the_list_posts_need_no_token_and_no_list_is_ever_in_a_link(client, content):
    page = soup(post_list(client, three(content)))
    for link in page.select("a[href]"):
        assert "areas-" not in link["href"] and "pain=" not in link["href"]
    for form in page.select("form"):
        assert form["method"] == "post", "a list goes only in a POST body"


def test_the_lists_own_address_shows_an_empty_list_to_everyone(client):
    response = client.get("/list")
    assert response.status_code == 200 and response.cache_control.public
    assert "Set-Cookie" not in response.headers
    assert listed(response) == [] and soup(response).select_one("[data-pain-list-posted]") is None


# Ways on: a callback, the visit sheet, the booking page -----------------------------------------------------------


def hidden_areas(form) -> list[tuple[str, str]]:
    return [(i["name"], i["value"]) for i in form.select("input[type=hidden][name^=areas-]")]


def test_the_list_offers_a_callback_about_every_area(app, client, content):
    if "callback.from_list" not in app.view_functions:
        pytest.skip("the callback form for a list is not there yet")
    page = soup(post_list(client, [(paired(content)[0].slug, "left", 7, ["sharp"], "over-3-months")]))
    form = page.select_one("[data-section='booking'] form[action='/callback/from-list']")
    assert form["method"] == "post"
    assert hidden_areas(form) == [
        ("areas-0-region", paired(content)[0].slug),
        ("areas-0-side", "left"),
        ("areas-0-pain", "7"),
        ("areas-0-feelings", "sharp"),
        ("areas-0-duration", "over-3-months"),
    ]
    assert form.get_text(" ", strip=True) == "Request a callback about these"


def test_the_visit_sheet_has_the_map_the_scores_the_date_and_the_phone(client, content):
    areas = [(paired(content)[0].slug, "left", 3, ["aching"], "under-6-weeks"), (centred(content)[0].slug, "", 8)]
    before = datetime.datetime.now(zoneinfo.ZoneInfo(content.clinic.timezone)).date().isoformat()
    response = post_list(client, areas, "print")
    after = datetime.datetime.now(zoneinfo.ZoneInfo(content.clinic.timezone)).date().isoformat()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in page.select("tbody tr")]
    first = area_from(content, *areas[0][:2])
    assert rows == [
        [centred(content)[0].name, "8", "Not said", "Not said"],
        [first.label, "3", "Aching", "Under 6 weeks"],
    ], "worst first"
    assert page.select_one(".visit-meta time")["datetime"] in {before, after}, "today, in the clinic's time"
    assert page.select_one(".visit-meta a[href^='tel:']").get_text(strip=True) == content.clinic.phone
    marked = {(a["data-region"], a["data-side"]) for a in page.select("svg[data-view] a.spot-listed")}
    assert marked == {(areas[0][0], "left"), (areas[1][0], "centre")}
    assert page.select_one("button[data-print]").has_attr("hidden"), "shown by the script, which can print"


def test_the_visit_sheet_lists_both_tiers_of_signs_first(client, content):
    areas = [(paired(content)[0].slug, "left", 3), (centred(content)[0].slug, "", 8)]
    page = soup(post_list(client, areas, "print"))
    signs = page.select_one("main section.visit-signs")
    assert signs is not None and signs.find_next("div", class_="visit-body") is not None, "before the map and the table"
    flags = combined_flags([area_from(content, slug, side) for slug, side, _ in areas])
    emergency, urgent = signs.select(".flags")
    assert [li.get_text(" ", strip=True) for li in emergency.select("ul > li")] == [f.text for f in flags.emergency]
    assert [li.get_text(" ", strip=True) for li in urgent.select("ul > li")] == [f.text for f in flags.urgent]
    assert "911" in emergency.select_one(".flags-lead").get_text() and "doctor today" in urgent.get_text()


def test_the_panel_and_list_offer_booking_online_only_where_the_clinic_has_it(client, content):
    slug = paired(content)[0].slug
    panel = soup(client.get(f"/pain/{slug}?side=left"))
    in_panel = panel.select_one("[data-section='booking'] form.book-online")
    in_list = soup(post_list(client, three(content))).select_one("[data-pain-list] form.book-online")
    if content.clinic.booking_url is None:
        assert in_panel is None and in_list is None
        assert client.post("/list/book", data=fields(three(content))).status_code == 404
        return
    box = in_list.select_one("input[type=checkbox][name=send-areas]")
    assert not box.has_attr("checked"), "off until the patient ticks it"
    labels = [area_from(content, s, side).label for s, side, _ in three(content)]
    assert (
        box.parent.get_text(" ", strip=True) == f"Send the names of my areas to the booking page: {', '.join(labels)}"
    )
    panel_box = in_panel.select_one("input[type=checkbox][name=send-areas]")
    label = content.region(slug).label("left")
    assert panel_box.parent.get_text(" ", strip=True) == f"Send the name of this area to the booking page: {label}"
    assert in_panel.find_previous_sibling("a", href=content.clinic.tel) is not None, "beside the phone number"


def test_the_booking_page_gets_area_names_only_when_the_box_is_ticked(client, content):
    if content.clinic.booking_url is None:
        pytest.skip("this clinic has no booking page")
    areas = [(paired(content)[0].slug, "left", 9, ["burning"], "over-3-months"), (centred(content)[0].slug, None, 2)]
    names = [area_from(content, s, side).label for s, side, *_ in areas]
    base = content.clinic.booking_url
    unticked = client.post("/list/book", data=fields(areas))
    assert unticked.status_code == 303 and unticked.headers["Location"] == base.replace("{areas}", "")
    assert unticked.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in unticked.headers
    ticked = client.post("/list/book", data={**fields(areas), "send-areas": "yes", "note": "my secret"})
    assert ticked.headers["Location"] == base.replace("{areas}", quote(", ".join(names), safe=""))
    sent = unquote(ticked.headers["Location"].split("?", 1)[-1])  # as words: a name's "(" is sent as %28
    for private in ("9", "burning", "Burning", "secret", "months"):
        assert private not in sent


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://book.example.org/new?notes={name}", "may hold only the placeholder {areas}, not {name}"),
        ("https://book.example.org/new?notes={areas", "may hold only the placeholder {areas}, not {areas"),
        ("https://book.example.org/new?n={areas}}", "may hold only the placeholder {areas}, not a lone }"),
    ],
)
def test_a_booking_link_may_hold_only_the_areas_placeholder(tmp_path, url, problem):
    text = MINIMAL.replace("  booking_url: null\n", f'  booking_url: "{url}"\n')
    path = tmp_path / "regions.yaml"
    path.write_text(text)
    with pytest.raises(ContentError) as refused:
        load(path)
    assert f"{path}:{line_of(text, 'booking_url:')}: clinic: field 'booking_url' {problem}" in str(refused.value)
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL.replace("  booking_url: null\n", '  booking_url: "https://book.example.org/n?x={areas}"\n'))
    assert load(good).clinic.booking_link(["Neck", "Left knee"]) == "https://book.example.org/n?x=Neck%2C%20Left%20knee"


# The embed ----------------------------------------------------------------------------------------------------------


def test_the_embeds_list_may_be_framed_and_sends_callbacks_and_sheets_to_a_new_tab(make_app, content):
    origin = "https://www.clinic.example"
    client = make_app(EMBED_ORIGINS=(origin,)).test_client()
    response = post_list(client, three(content), url="/embed/list")
    assert f"frame-ancestors {origin}" in response.headers["Content-Security-Policy"]
    page = soup(response)
    assert page.select_one("html.embedded") is not None
    assert page.select_one("#pain-list-form")["action"] == "/embed/list"
    for form in page.select("[data-pain-list] form:not(#pain-list-form)"):
        assert form["target"] == "_blank", form
    own = post_list(client, three(content))
    assert "frame-ancestors 'none'" in own.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/list", "/embed/list", "/es/list"])
def test_a_list_body_over_16_kb_is_refused_with_413_not_answered_as_an_empty_list(client, url):
    oversized = {"action": "update", "areas-0-region": "knee", "areas-0-pain": "3", "padding": "x" * 20_000}
    response = client.post(url, data=oversized)
    assert response.status_code == 413
    assert soup(response).select_one('a[href^="tel:"]') is not None
    fragment = client.post(url, data=oversized, headers=HTMX)
    assert fragment.status_code == 413 and soup(fragment).find("html") is None


def test_an_areas_words_are_in_the_language_of_the_page_every_time(app, content):
    """The words are translated once per language and kept: a Spanish page and an English one in the same process
    each get their own, in whichever order they come."""
    from flask_babel import force_locale

    area = area_from(content, "knee", "left", 5, "aching,sharp", "over-3-months")
    with app.test_request_context("/"):
        with force_locale("es"):
            spanish = (area.words, area.duration_words)
        with force_locale("en"):
            english = (area.words, area.duration_words)
        with force_locale("es"):
            again = (area.words, area.duration_words)
    assert english == (["Aching", "Sharp"], "Over 3 months")
    assert spanish == again and spanish[0] != english[0] and spanish[1] != english[1]
