"""Where things sit on screen: every tap lands on what is drawn there, the answer comes into view, the map fits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import sweep

pytestmark = pytest.mark.browser

LEFT_KNEE = 'svg[data-view="front"] a[data-region="knee"][data-side="left"]'

# For every circle and region-list link whose centre is on screen: is the element found at that point
# the one drawn there? Checked at the top, then every half screen down to the bottom of the page.
# Returns the misses as "scrollY: target -> element found".
HIT_CHECK = """async () => {
    const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const targets = [...document.querySelectorAll("svg[data-view] a.spot, nav.region-list a[data-region]")];
    const name = (el) => el ? (el.closest("a[data-region]") ?
        `${el.closest("a[data-region]").dataset.region}/${el.closest("a[data-region]").dataset.side}` +
        (el.closest("nav") ? " (list)" : " (map)") : el.tagName + "." + el.className) : "nothing";
    const misses = [];
    let checked = 0;
    const bottom = document.documentElement.scrollHeight - innerHeight;
    for (let y = 0; ; y = Math.min(y + Math.round(innerHeight / 2), bottom)) {
        window.scrollTo(0, y);
        await frame();
        for (const target of targets) {
            const shape = target.querySelector(".spot-hit") || target.querySelector(".spot-dot") || target;
            const box = shape.getBoundingClientRect();
            const x = box.left + box.width / 2, top = box.top + box.height / 2;
            if (box.width === 0 || x < 0 || top < 0 || x >= innerWidth || top >= innerHeight) continue;
            checked += 1;
            const found = document.elementFromPoint(x, top);
            if (!found || !target.contains(found)) misses.push(`${scrollY}: ${name(target)} -> ${name(found)}`);
        }
        if (y >= bottom) break;
    }
    return {checked, misses};
}"""


def region_page(region) -> str:
    side = f"?side={region.sides[0]}" if region.sides else ""
    return f"/pain/{region.slug}{side}"


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 800), *sweep((768, 1024), (1920, 1080))], ids=str)
def test_every_circle_and_list_link_is_what_a_tap_on_it_reaches(make_page, live_server, content, region, width, height):
    page = make_page(viewport={"width": width, "height": height})
    page.goto(live_server + region_page(region))
    page.wait_for_function("() => window.htmx !== undefined")
    result = page.evaluate(HIT_CHECK)
    assert result["misses"] == []
    assert result["checked"] > 2 * len(content.regions), "too few targets were on screen to mean anything"


def test_a_real_click_on_the_list_below_the_map_opens_that_region(page, live_server):
    """The case that once went wrong: scrolled to the list on a wide screen, the map slid over it."""
    page.goto(live_server + "/pain/knee?side=left")
    page.wait_for_function("() => window.htmx !== undefined")
    link = page.locator('nav.region-list a[data-region="elbow"][data-side="left"]')
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#region-panel h2")).to_have_text("Left elbow")


@pytest.mark.parametrize("width,height", [(320, 640), *sweep((360, 720))])
@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_after_a_tap_the_answer_is_at_the_top_of_a_phone_screen(make_page, live_server, width, height, motion):
    page = make_page(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True, reduced_motion=motion)
    page.goto(live_server + "/")
    page.wait_for_function("() => window.htmx !== undefined")
    # Where the heading is one frame after the swap: at once without motion, on its way with it.
    page.evaluate("""() => document.addEventListener("htmx:after:swap", () => requestAnimationFrame(() => {
        window.headingTopAfterOneFrame = document.getElementById("panel-heading").getBoundingClientRect().top;
    }), {once: true})""")
    page.tap(LEFT_KNEE)
    expect(page.locator("#region-panel h2")).to_have_text("Left knee")
    page.wait_for_function("() => window.headingTopAfterOneFrame !== undefined")
    page.wait_for_function("() => Math.abs(document.getElementById('panel-heading').getBoundingClientRect().top) < 20")
    if motion == "reduce":
        assert abs(page.evaluate("window.headingTopAfterOneFrame")) < 20, "scrolled smoothly despite reduced motion"
    expect(page.locator("#panel-heading")).to_be_focused()
    # The emergency signs are on the first screen.
    emergency = page.locator("#region-panel .flags-emergency").bounding_box()
    assert emergency["y"] < height
    # Back to the map: focus returns to the circle that was tapped, and it is on screen.
    page.tap("[data-back-to-map]")
    page.wait_for_function("() => document.activeElement.matches('svg[data-view] a[aria-current]')")
    assert page.evaluate("document.activeElement.closest('svg').dataset.view") == "front"
    page.wait_for_function("""() => {
        const box = document.activeElement.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= innerHeight;
    }""")


@pytest.mark.parametrize("width,height", [(320, 640), (360, 720)])
@pytest.mark.every_clinic
def test_on_a_phone_the_call_bar_is_in_reach_only_where_booking_is_off_screen(
    make_page, live_server, content, width, height
):
    page = make_page(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True, reduced_motion="reduce"
    )
    page.goto(live_server + "/")
    page.wait_for_function("() => window.htmx !== undefined")
    bar = page.locator("[data-call-bar]")
    assert not bar.is_visible(), "no region is open yet"
    page.tap(LEFT_KNEE)
    expect(page.locator("#region-panel h2")).to_have_text("Left knee")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= height + 1 and box["height"] < 80, "a slim bar at the foot of the screen"
    clinic = content.clinic
    assert bar.locator("a.button-call").get_attribute("href") == clinic.tel
    assert bar.locator("a[data-call-bar-callback]").get_attribute("href").endswith("/callback?region=knee&side=left")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Once the panel's own booking section is on screen, the bar steps aside.
    page.locator("#region-panel [data-section='booking']").scroll_into_view_if_needed()
    expect(bar).to_be_hidden()
    # Over the map it never shows.
    page.evaluate("window.scrollTo(0, 0)")
    expect(bar).to_be_hidden()


def test_the_call_bar_is_for_phones_only(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.click(LEFT_KNEE)
    expect(page.locator("#region-panel h2")).to_have_text("Left knee")
    page.evaluate("window.scrollTo(0, 600)")
    page.wait_for_timeout(0)
    assert not page.locator("[data-call-bar]").is_visible()


FITTED = [(768, 1024), (1024, 768), (1280, 800), (1920, 1080)]


@pytest.mark.parametrize("path", ["/", "/es/"])
@pytest.mark.parametrize("width,height", [FITTED[2], *sweep(*FITTED[:2], FITTED[3])], ids=str)
def test_on_a_tablet_or_computer_the_drawings_fill_70_percent_of_the_window_and_fit_in_it(
    make_page, live_server, path, width, height
):
    page = make_page(viewport={"width": width, "height": height})
    page.goto(live_server + path)
    front, back = (page.locator(f'svg[data-view="{v}"]').bounding_box() for v in ("front", "back"))
    assert front["y"] == back["y"] and front["x"] + front["width"] <= back["x"], "side by side"
    assert front["height"] >= 0.7 * height, f"{front['height']:.0f} px of {height}"
    assert front["y"] >= 0 and front["y"] + front["height"] <= height, "the feet are in view without scrolling"
    panel = page.locator("#region-panel").bounding_box()
    assert panel["y"] < height - 48, "the panel starts on the first screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(320, 640), (360, 740)])
def test_on_a_phone_the_map_is_as_wide_as_the_screen_allows(make_page, live_server, width, height):
    page = make_page(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    page.goto(live_server + "/")
    main = page.locator("main").evaluate("e => e.clientWidth - parseFloat(getComputedStyle(e).paddingLeft) * 2")
    assert page.locator(".map").bounding_box()["width"] >= main - 1


@pytest.mark.parametrize("width", [320, *sweep(360, 768, 1280, 1920)])
def test_side_hints_are_readable_and_smaller_than_the_view_captions(make_page, live_server, width):
    page = make_page(viewport={"width": width, "height": 900})
    page.goto(live_server + "/")
    sizes = page.evaluate("""() => {
        const all = (selector) => [...document.querySelectorAll(selector)];
        const size = (selector) => all(selector).map(e => parseFloat(getComputedStyle(e).fontSize));
        return {
            hints: size(".side-hints span"),
            captions: size("figure.view figcaption"),
            hintHeights: [...document.querySelectorAll(".side-hints span")].map(e => e.getBoundingClientRect().height),
        };
    }""")
    assert len(sizes["hints"]) == 4
    assert min(sizes["hints"]) >= 12
    assert max(sizes["hints"]) < min(sizes["captions"])
    assert max(sizes["hintHeights"]) < 24, "each hint stays on one line"


@pytest.mark.parametrize("path", ["/", "/es/"])
@pytest.mark.parametrize("width", [320, *sweep(360, 768, 1280)])
def test_the_side_hints_of_the_two_views_never_touch_and_never_wrap(make_page, live_server, path, width):
    page = make_page(viewport={"width": width, "height": 900})
    page.goto(live_server + path)
    hints = page.evaluate("""() => [...document.querySelectorAll('.side-hints span')].map(e => {
        const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, lines: e.getClientRects().length, height: r.height};
    })""")
    front_left, back_right = hints[1], hints[2]  # "Your left" of the front view, and the back view's beside it
    assert back_right["left"] - front_left["right"] >= 16, hints
    line = max(h["height"] for h in hints)
    assert all(h["lines"] == 1 and h["height"] < 24 for h in hints) and line < 24, hints
    assert all(h["left"] >= 0 and h["right"] <= width for h in hints)


@pytest.mark.parametrize("width", [400, 768])
def test_the_call_bar_says_call_and_the_number_with_a_space_between(make_page, live_server, content, width):
    page = make_page(viewport={"width": width, "height": 900}, reduced_motion="reduce")
    page.goto(live_server + "/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.click(LEFT_KNEE)
    expect(page.locator("#region-panel h2")).to_have_text("Left knee")
    bar = page.locator("[data-call-bar] a.button-call")
    expect(bar).to_be_visible()
    gap = bar.evaluate("""a => {
        const word = document.createRange();
        word.selectNodeContents(a.firstChild);
        return a.querySelector('.call-bar-number').getBoundingClientRect().left - word.getBoundingClientRect().right;
    }""")
    assert gap >= 3, "'Call(503)' reads as one word"
    assert content.clinic.phone in bar.inner_text()


def test_not_used_if_boxes_are_not_the_amber_of_see_a_doctor_today(page, live_server, content):
    region = next(r for r in content.regions if any(t.contraindications for t in r.treatments))
    page.goto(f"{live_server}/pain/{region.slug}")
    look = """e => { const s = getComputedStyle(e); return [s.backgroundColor, s.borderLeftColor]; }"""
    caution = page.locator(".caution").first.evaluate(look)
    urgent = page.locator(".flags-urgent").first.evaluate(look)
    assert caution[0] != urgent[0] and caution[1] != urgent[1]
