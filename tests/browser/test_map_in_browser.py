"""The map in a real browser: clicks, keys, history, phones, no JavaScript, accessibility."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from bodymap.content import drawing
from tests.helpers import sweep

pytestmark = pytest.mark.browser

LEFT_KNEE = 'svg[data-view="front"] a[data-region="knee"][data-side="left"]'
RIGHT_HIP = 'svg[data-view="front"] a[data-region="hip"][data-side="right"]'
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def panel_heading(page):
    return page.locator("#region-panel h2")


def open_region(page, selector, heading):
    page.click(selector)
    expect(panel_heading(page)).to_have_text(heading)


@pytest.mark.every_clinic
def test_a_click_swaps_the_panel_without_loading_a_page(page, live_server):
    page.goto(live_server + "/")
    page.evaluate("window.loadedOnce = true")
    open_region(page, LEFT_KNEE, "Left knee")
    assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
    assert page.url == live_server + "/pain/knee?side=left"
    assert page.title().startswith("Left knee pain")
    expect(page.locator("#panel-heading")).to_be_focused()
    assert page.get_attribute(LEFT_KNEE, "aria-current") == "true"
    assert page.locator("a[aria-current]").count() == 3  # front, back and the list


def test_tab_reaches_the_region_at_the_top_of_the_body_first_and_enter_opens_it(page, live_server, content):
    top = next(r for r in drawing.head_to_foot(content.regions) if any(m.view == "front" for m in r.markers))
    side = next(m.side for m in top.markers if m.view == "front")
    page.goto(live_server + "/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('svg[data-view]') !== null"):
            break
    focused = page.evaluate("[document.activeElement.dataset.region, document.activeElement.dataset.side]")
    assert focused == [top.slug, side]
    # Focus outlines the region's whole area, in the focus colour: a line just inside its edge.
    outline = page.evaluate("getComputedStyle(document.activeElement.querySelector('.spot-shape')).filter")
    assert outline == 'url("#front-focus")'
    assert page.evaluate("getComputedStyle(document.querySelector('#front-focus feFlood')).floodColor") == (
        "rgb(11, 61, 145)"
    )
    page.keyboard.press("Enter")
    label = top.label(None if side == "centre" else side)
    expect(panel_heading(page)).to_have_text(label)
    assert page.url.startswith(live_server + f"/pain/{top.slug}")


def test_hover_outlines_the_whole_area_and_the_region_shown_is_filled(page, live_server):
    page.goto(live_server + "/pain/knee?side=left")
    area = page.locator(LEFT_KNEE + " .spot-area")
    assert float(area.evaluate("e => getComputedStyle(e).fillOpacity")) > 0, "the area shown is filled"
    hip = page.locator(RIGHT_HIP + " .spot-shape")
    assert hip.evaluate("e => getComputedStyle(e).filter") == "none"
    before = hip.screenshot()
    page.hover(RIGHT_HIP)
    assert hip.evaluate("e => getComputedStyle(e).filter") == 'url("#front-hover")'
    assert hip.screenshot() != before, "the outline shows"


def test_the_back_button_restores_the_previous_region(page, live_server):
    page.goto(live_server + "/")
    open_region(page, LEFT_KNEE, "Left knee")
    open_region(page, RIGHT_HIP, "Right hip")
    page.go_back()
    expect(panel_heading(page)).to_have_text("Left knee")
    assert page.url == live_server + "/pain/knee?side=left"
    assert page.title().startswith("Left knee pain")
    page.go_back()
    expect(panel_heading(page)).to_have_text("Pick where it hurts")
    assert page.url == live_server + "/"


def test_reload_and_a_shared_link_show_the_full_page(page, live_server):
    page.goto(live_server + "/")
    open_region(page, RIGHT_HIP, "Right hip")
    page.reload()
    assert panel_heading(page).text_content() == "Right hip"
    assert page.locator("svg[data-view]").count() == 2
    page.goto(live_server + "/pain/hip/panel?side=right")
    assert page.url == live_server + "/pain/hip?side=right"
    assert page.locator("svg[data-view]").count() == 2


def test_without_javascript_a_circle_still_opens_its_region(make_page, live_server):
    page = make_page(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page.goto(live_server + "/")
    with page.expect_navigation():
        page.click(LEFT_KNEE)
    assert page.url == live_server + "/pain/knee?side=left"
    assert panel_heading(page).text_content() == "Left knee"
    with page.expect_navigation():
        page.click('nav.region-list a[data-region="low-back"]')
    assert panel_heading(page).text_content() == "Low back"


@pytest.mark.parametrize("width,height", [(360, 740), (320, 640)])
def test_a_phone_shows_map_and_panel_without_sideways_scrolling(make_page, live_server, width, height):
    page = make_page(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    page.goto(live_server + "/")
    open_region(page, LEFT_KNEE, "Left knee")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for selector in ('svg[data-view="front"]', 'svg[data-view="back"]', "#region-panel"):
        box = page.locator(selector).bounding_box()
        assert box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width
    widest = page.evaluate("document.querySelector('.map').getBoundingClientRect().width")
    assert widest >= width - 24, "on a phone the map is as wide as the screen allows"


def test_a_circle_shows_its_name_on_hover_and_focus(page, live_server):
    page.goto(live_server + "/")
    label = page.locator(LEFT_KNEE + " .spot-label")
    assert not label.is_visible()
    page.hover(LEFT_KNEE)
    assert label.is_visible()
    page.mouse.move(0, 0)
    page.focus(RIGHT_HIP)
    assert page.locator(RIGHT_HIP + " .spot-label").is_visible()


# axe leaves some rules out unless asked: the visible text of a control must start its name (WCAG 2.5.3).
AXE_RULES = {"label-content-name-mismatch": {"enabled": True}}


def axe_violations(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "rules": AXE_RULES})
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


@pytest.mark.every_clinic
def test_axe_finds_no_violations_on_the_home_page(page, live_server):
    page.goto(live_server + "/")
    assert axe_violations(page) == []


def test_axe_finds_no_violations_after_a_click(page, live_server):
    page.goto(live_server + "/")
    open_region(page, LEFT_KNEE, "Left knee")
    assert axe_violations(page) == []


@pytest.mark.every_clinic
@pytest.mark.parametrize("path", ["/", "/pain/neck", "/pain/foot?side=right", "/pain/nowhere", "/callback"])
def test_pages_load_with_no_console_errors(page, live_server, console, path):
    console.expect_status(live_server + "/pain/nowhere")
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("width,height", [(1280, 800), (360, 740)])
def test_opening_a_panel_moves_nothing_and_the_map_needs_no_script(make_page, live_server, width, height):
    page = make_page(viewport={"width": width, "height": height}, reduced_motion="reduce")
    page.goto(live_server + "/")
    page.evaluate("""() => {
        window.unexpectedShift = 0;
        new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.unexpectedShift += entry.value;
        }).observe({type: "layout-shift", buffered: true});
    }""")
    before = [page.locator(f'svg[data-view="{v}"]').bounding_box() for v in ("front", "back")]
    panel_top = page.locator("#region-panel").bounding_box()["y"]
    open_region(page, LEFT_KNEE, "Left knee")
    # The page scrolls the panel's heading to the top (at once: reduced motion); go back up and compare.
    page.wait_for_function("() => Math.abs(document.getElementById('panel-heading').getBoundingClientRect().top) < 20")
    page.evaluate("window.scrollTo(0, 0)")
    assert [page.locator(f'svg[data-view="{v}"]').bounding_box() for v in ("front", "back")] == before
    assert page.locator("#region-panel").bounding_box()["y"] == panel_top
    assert page.evaluate("window.unexpectedShift") == 0
    still = make_page(java_script_enabled=False, viewport={"width": width, "height": height})
    still.goto(live_server + "/")
    assert still.locator('svg[data-view="front"] circle.spot-dot').first.is_visible()


# The element that has focus, its box on screen (grown a little, kept inside the window) and a name for messages.
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    const x = Math.max(0, r.left - 4), y = Math.max(0, r.top - 4);
    const right = Math.min(innerWidth, r.right + 4), bottom = Math.min(innerHeight, r.bottom + 4);
    const where = el.dataset.region ? `[${el.dataset.region}/${el.dataset.side}]` : "";
    const name = el.tagName + (el.id ? "#" + el.id : "") + where
        + " " + (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30);
    return {name, box: {x, y, width: right - x, height: bottom - y}};
}"""


@pytest.mark.parametrize("path", ["/pain/knee?side=left", *sweep("/es/pain/knee?side=left")])
def test_every_focus_stop_on_a_region_page_is_visibly_focused(make_page, live_server, path):
    """Tab through the whole page: each stop looks different focused than not (names on the map hidden, so the
    area's outline must do it), the region on show included."""
    page = make_page(viewport={"width": 1280, "height": 800}, bypass_csp=True, reduced_motion="reduce")
    page.goto(live_server + path)
    page.add_style_tag(content=".spot-label { visibility: hidden !important; }")
    seen, unseen = [], []
    for _ in range(400):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUSED)
        if found is None or (seen and found["name"] == seen[0]):
            break
        seen.append(found["name"])
        box = found["box"]
        if box["width"] < 1 or box["height"] < 1:
            unseen.append(found["name"] + " (off screen)")
            continue
        focused = page.screenshot(clip=box)
        page.evaluate("() => { window.lastFocus = document.activeElement; document.activeElement.blur(); }")
        plain = page.screenshot(clip=box)
        page.evaluate("() => window.lastFocus.focus()")
        if focused == plain:
            unseen.append(found["name"])
    assert len(seen) > 50, "the walk went through the page"
    assert page.locator("svg a[aria-current]").count() >= 1
    assert unseen == []
