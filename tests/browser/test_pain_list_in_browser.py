"""The pain list in a real browser, with JavaScript and without: three areas, their red flags first, the
marked map, one printed sheet, the callback form prefilled, and the embed telling its host page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from bodymap.areas.area import area_from, combined_flags
from tests.browser.test_embed_in_browser import HEAR_SIZES, sites  # noqa: F401  (sites is a fixture)
from tests.browser.test_map_in_browser import axe_violations
from tests.browser.test_print_in_browser import PAPER, sheets
from tests.helpers import STAFF_PASSWORD, add_staff

pytestmark = pytest.mark.browser

LIST = "#region-panel [data-pain-list]"


def three(content):
    """A paired region on its left, a centre region, and another paired region on its right."""
    paired = [r for r in content.regions if r.sides]
    centre = next(r for r in content.regions if not r.sides)
    return [(paired[0], "left", "7"), (centre, None, "4"), (paired[-1], "right", "5")]


def spot(region, side, view="front"):
    return f'svg[data-view="{view}"] a.spot[data-region="{region.slug}"][data-side="{side or "centre"}"]'


def listed(page):
    return page.locator(f"{LIST} li.list-area").evaluate_all(
        "items => items.map(li => [li.dataset.areaRegion, li.dataset.areaSide, li.dataset.areaPain])"
    )


def expected_list(areas):
    return [[region.slug, side or "", pain] for region, side, pain in areas]


def check_flags_first(page, content, areas):
    """The list opens with the emergency signs of every area, each once, then the same-day signs."""
    flags = combined_flags([area_from(content, region.slug, side) for region, side, _ in areas])
    article = page.locator(LIST)
    order = article.locator("[data-section], #pain-list-form").evaluate_all(
        "nodes => nodes.map(n => n.dataset.section || n.id)"
    )
    assert order[:2] == ["red-flags", "pain-list-form"]
    emergency = article.locator(".flags-emergency li").all_inner_texts()
    assert [t.strip() for t in emergency] == [f.text for f in flags.emergency]
    assert [t.strip() for t in article.locator(".flags-urgent li").all_inner_texts()] == [f.text for f in flags.urgent]
    emergency_box = article.locator(".flags-emergency").bounding_box()
    assert emergency_box["y"] < article.locator("li.list-area").first.bounding_box()["y"], "seen before the areas"


def check_marks(page, areas, scripted=True):
    """Each listed circle is filled in with its score; nothing else is."""
    if scripted:  # the script draws the marks once htmx has swapped the list in
        expect(page.locator("[data-pain-list-count]")).to_have_text(str(len(areas)))
    marked = page.locator("svg[data-view] a.spot-listed").evaluate_all(
        "links => links.map(a => [a.dataset.region, a.dataset.side, a.querySelector('.spot-mark text').textContent])"
    )
    expected = {(region.slug, side or "centre", pain) for region, side, pain in areas}
    assert {tuple(m) for m in marked} == expected
    assert page.locator(f"{spot(areas[0][0], areas[0][1])} .spot-mark text").is_visible()


def check_prints_on_one_sheet(page):
    for paper in PAPER:
        assert sheets(page.pdf(format=paper, print_background=True)) == 1, paper
    page.emulate_media(media="print")
    assert page.locator(".visit-areas").is_visible() and page.locator(".visit-map svg").first.is_visible()
    assert page.locator(".visit-tools").bounding_box() is None, "no buttons on paper"
    page.emulate_media(media="screen")


def check_callback_form(page, areas):
    """The callback form opens prefilled with every area and score."""
    expect(page.locator("form#callback-form")).to_be_visible()
    for n, (region, side, pain) in enumerate(areas):
        assert page.input_value(f"[name='areas-{n}-region']") == region.slug
        assert page.input_value(f"[name='areas-{n}-side']:checked") == (side or "")
        assert page.input_value(f"[name='areas-{n}-pain']") == pain


def send_and_find_in_the_queue(page, make_page, live_server, live_app, areas, name):
    """Send the prefilled form as the patient, then sign in as the desk: the queue shows the request with all
    its areas and scores, highest first."""
    live_app.extensions["bodymap.rate_limits"].reset()  # other tests' requests count against this address's limit
    page.fill("#name", name)
    page.fill("#phone", "(503) 555-0188")
    page.check("input[name=preferred_time][value=morning]")
    page.check("#consent")
    page.locator("form#callback-form button.button-call[type=submit]").last.click()
    expect(page.locator("h2").filter(has_text="We have your request")).to_have_count(1)

    email = f"list-{uuid.uuid4().hex[:8]}@clinic.example"
    add_staff(live_app, email=email)
    desk = make_page(viewport={"width": 1280, "height": 900})
    desk.goto(live_server + "/staff/login")
    desk.fill("#email", email)
    desk.fill("#password", STAFF_PASSWORD)
    desk.click("text=Sign in")
    row = desk.locator("table.queue tbody tr").filter(has_text=name)
    expect(row).to_have_count(1)
    shown = row.locator("ul.pain-areas > li").evaluate_all(
        "items => items.map(li => [li.dataset.region, li.dataset.side, li.dataset.pain])"
    )
    highest_first = sorted(expected_list(areas), key=lambda area: -int(area[2]))
    assert shown == highest_first


def open_sheet(page):
    """'Take this to your visit': the sheet opens in a tab of its own, the list stays."""
    with page.expect_popup() as opened:
        page.click(f"{LIST} button[value=print]")
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator("h1")).to_have_text("My pain list")
    return sheet


def add_from_panel(page, side, pain):
    panel = page.locator("#region-panel [data-section='add-to-list']")
    if panel.locator("input[type=radio]").count():
        panel.locator(f"input[type=radio][value='{side or ''}']").check()
    panel.locator("select[name=new-pain]").select_option(pain)
    panel.locator("button[value=add]").click()


@pytest.mark.every_clinic
def test_with_javascript_three_areas_are_listed_flagged_marked_printed_and_sent_to_the_desk(
    page, make_page, live_server, live_app, content
):
    areas = three(content)
    (first, first_side, first_pain), (centre, _, centre_pain), (last, last_side, last_pain) = areas
    page.goto(f"{live_server}/pain/{first.slug}?side={first_side}")
    page.evaluate("window.loadedOnce = true")
    add_from_panel(page, first_side, first_pain)
    expect(page.locator(f"{LIST} h2")).to_have_text("Your pain list")
    assert page.evaluate("window.loadedOnce") is True, "no reload"
    expect(page.locator("#panel-heading"), "focus moves to the list, as for a panel").to_be_focused()
    expect(page.locator("[data-pain-list-status]")).to_have_text(
        f"{first.label(first_side)} is on your list. It has 1 area."
    )

    page.click(spot(centre, None))  # a circle on the map: the region's panel, with the list kept in the tab
    expect(page.locator("#region-panel h2")).to_have_text(centre.name)
    add_from_panel(page, None, centre_pain)
    expect(page.locator(f"{LIST} li.list-area")).to_have_count(2)
    page.click(f'nav.region-list a[data-region="{last.slug}"][data-side="{last_side}"]')
    expect(page.locator("#region-panel h2")).to_have_text(last.label(last_side))
    add_from_panel(page, last_side, last_pain)
    expect(page.locator(f"{LIST} li.list-area")).to_have_count(3)
    assert page.evaluate("window.loadedOnce") is True

    assert listed(page) == expected_list(areas)
    check_flags_first(page, content, areas)
    check_marks(page, areas)
    # Kept in this tab only: sessionStorage, never a cookie, localStorage or the address.
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length") == 0
    assert "areas-0-region" in page.evaluate("sessionStorage.getItem('bodymap:pain-list')")
    assert "areas" not in page.url

    # It survives a new page in the same tab, and a tap brings it back.
    page.goto(live_server + "/")
    check_marks(page, areas)
    page.click("[data-pain-list-open] button")
    expect(page.locator(f"{LIST} li.list-area")).to_have_count(3)
    assert listed(page) == expected_list(areas)

    sheet = open_sheet(page)
    expect(sheet.locator("button[data-print]")).to_be_visible()
    check_marks(sheet, areas, scripted=False)
    check_prints_on_one_sheet(sheet)

    with page.expect_navigation():
        page.click(f"{LIST} [data-section='booking'] form[action$='/callback/from-list'] button")
    check_callback_form(page, areas)
    send_and_find_in_the_queue(page, make_page, live_server, live_app, areas, "List Patient Scripted")


@pytest.mark.every_clinic
def test_without_javascript_three_areas_are_listed_flagged_marked_printed_and_sent_to_the_desk(
    make_page, live_server, live_app, content
):
    page = make_page(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    areas = three(content)
    (first, first_side, first_pain), *others = areas
    page.goto(f"{live_server}/pain/{first.slug}?side={first_side}")
    with page.expect_navigation():
        add_from_panel(page, first_side, first_pain)
    for region, side, pain in others:  # the list page adds the next ones: every post carries the list
        add = page.locator(f"{LIST} fieldset.add-another")
        add.locator("select[name=new-region]").select_option(region.slug)
        add.locator("select[name=new-side]").select_option(side or "")
        add.locator("select[name=new-pain]").select_option(pain)
        with page.expect_navigation():
            add.locator("button[value=add]").click()
    assert listed(page) == expected_list(areas)
    check_flags_first(page, content, areas)
    check_marks(page, areas, scripted=False)
    assert page.context.cookies() == []

    # A score changed and saved by a plain post.
    page.locator(f"{LIST} li.list-area").nth(1).locator("summary").click()
    page.select_option(f"{LIST} select[name='areas-1-pain']", "6")
    with page.expect_navigation():
        page.locator(f"{LIST} li.list-area").nth(1).locator("button[value=update]").click()
    areas[1] = (areas[1][0], areas[1][1], "6")
    assert listed(page) == expected_list(areas)

    sheet = open_sheet(page)
    assert sheet.locator("button[data-print]").is_hidden(), "without a script the browser's own print does it"
    check_marks(sheet, areas, scripted=False)
    check_prints_on_one_sheet(sheet)
    with page.expect_navigation():
        page.click(f"{LIST} [data-section='booking'] form[action$='/callback/from-list'] button")
    check_callback_form(page, areas)
    send_and_find_in_the_queue(page, make_page, live_server, live_app, areas, "List Patient Plain")


def build_list(page, live_server, content, count=3):
    """A list of `count` areas, posted as the browser would (a form built in the page)."""
    spots = [(r.slug, side) for r in content.regions for side in (r.sides or ("",))][:count]
    pairs = [
        [f"areas-{n}-{field}", value]
        for n, (slug, side) in enumerate(spots)
        for field, value in (
            ("region", slug),
            ("side", side),
            ("pain", str(n % 11)),
            ("feelings", "aching"),
            ("duration", "over-3-months"),
        )
    ]
    page.goto(live_server + "/")
    with page.expect_navigation():
        page.evaluate(
            """pairs => { const form = document.querySelector('[data-pain-list-open]');
                for (const [name, value] of pairs) { const i = document.createElement('input');
                  Object.assign(i, {type: 'hidden', name, value}); form.appendChild(i); }
                form.removeAttribute('hx-post'); form.removeAttribute('data-pain-list-carry');
                HTMLFormElement.prototype.submit.call(form); }""",
            pairs,
        )


def test_a_full_list_of_ten_still_prints_on_one_sheet(page, live_server, content):
    build_list(page, live_server, content, 10)
    expect(page.locator(f"{LIST} li.list-area")).to_have_count(10)
    sheet = open_sheet(page)
    expect(sheet.locator(".visit-areas tbody tr")).to_have_count(10)
    check_prints_on_one_sheet(sheet)


def test_axe_finds_nothing_on_the_list_and_the_visit_sheet(page, live_server, content):
    build_list(page, live_server, content, 3)
    page.locator(f"{LIST} li.list-area summary").first.click()
    assert axe_violations(page) == []
    assert axe_violations(open_sheet(page)) == []


@pytest.mark.parametrize("width", [320, 360])
def test_the_scores_on_the_map_can_be_read_on_a_small_phone(make_page, live_server, content, width):
    page = make_page(viewport={"width": width, "height": 700})
    build_list(page, live_server, content, 3)
    for text in page.locator("svg[data-view='front'] .spot-mark text").all():
        box = text.bounding_box()
        assert box["height"] >= 11, "a digit at least 11 px tall"
    circle = page.locator("svg[data-view='front'] .spot-mark circle").first.bounding_box()
    assert circle["width"] >= 17


def test_the_embed_tells_its_host_the_areas_and_sides_and_nothing_more(make_page, sites):  # noqa: F811
    page = make_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(
        HEAR_SIZES
        + "document.addEventListener('bodymap:list-changed', e => (window.heardLists ||= []).push(e.detail), true);"
    )
    page.goto(sites["host"])
    page.wait_for_function("() => window.bodymapSizes && window.bodymapSizes.length > 0")
    frame = page.frame_locator("iframe[data-bodymap-frame]")
    frame.locator('svg[data-view="front"] a[data-region="knee"][data-side="left"]').click()
    expect(frame.locator("#region-panel h2")).to_have_text("Left knee")
    add = frame.locator("[data-section='add-to-list']")
    add.locator("select[name=new-pain]").select_option("8")
    add.locator("button[value=add]").click()
    expect(frame.locator("[data-pain-list] li.list-area")).to_have_count(1)
    page.wait_for_function("() => (window.heardLists || []).length === 1")
    assert page.evaluate("window.heardLists") == [{"areas": [{"region": "knee", "side": "left"}]}]
    frame.locator('svg[data-view="front"] a[data-region="neck"]').click()
    expect(frame.locator("#region-panel h2")).to_have_text("Neck")
    frame.locator("[data-section='add-to-list'] button[value=add]").click()
    page.wait_for_function("() => window.heardLists.length === 2")
    assert page.evaluate("window.heardLists[1]") == {
        "areas": [{"region": "knee", "side": "left"}, {"region": "neck", "side": None}]
    }
    frame.locator("[data-pain-list] button[value='remove-0']").click()
    page.wait_for_function("() => window.heardLists.length === 3")
    assert page.evaluate("window.heardLists[2]") == {"areas": [{"region": "neck", "side": None}]}
    heard = str(page.evaluate("window.heardLists"))
    assert "8" not in heard and "pain" not in heard, "no scores, nothing typed"


@pytest.mark.parametrize("prefix,listed", [("", "on your list, 7 of 10"), ("/es", "en su lista, 7 de 10")])
def test_the_script_names_a_listed_area_in_the_pages_language(page, live_server, content, prefix, listed):
    if prefix and "es" not in content.clinic.languages:
        pytest.skip("this clinic has no Spanish")
    page.goto(live_server + prefix + "/")
    page.evaluate("""() => sessionStorage.setItem("bodymap:pain-list", JSON.stringify(
        [["areas-0-region", "knee"], ["areas-0-side", "left"], ["areas-0-pain", "7"]]))""")
    page.reload()
    knee = page.locator(spot(content.region("knee"), "left"))
    expect(knee).to_have_class(re.compile(r"\bspot-listed\b"))
    shown = content.in_language(prefix.strip("/") or "en").region("knee").label("left")
    assert knee.get_attribute("aria-label") == f"{shown}, {listed}"
