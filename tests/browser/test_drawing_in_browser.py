"""The drawing in a real browser: a tap anywhere on the body opens the region drawn there, dots stay small,
names stay clear of other dots, and every area is in reach without the picture."""

from __future__ import annotations

import math

import pytest

from bodymap.content import drawing
from tests.helpers import sweep

pytestmark = pytest.mark.browser

SIZES = [(360, 740), (1280, 800), (1920, 1080)]
# The silhouette's interior, sampled on a grid of CSS pixels: a point is interior when it and the points `edge` px
# around it are inside the drawn body, head or ears. Each is tapped with elementFromPoint (the page scrolled so it
# is on screen) and must reach a region link of that view. Returns the counts, a few misses, and which region
# each point of the bands a test names opened (bands in drawing units, on the legs for the leg bands).
COVERAGE = """async ({step, edge, bands}) => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const result = {};
  for (const svg of document.querySelectorAll("svg[data-view]")) {
    const view = svg.dataset.view;
    const shapes = ["body", "head", "ears"].map((part) => document.getElementById(`${view}-${part}`));
    const inside = (x, y) => shapes.some((shape) => shape.isPointInFill(new DOMPoint(x, y)));
    svg.scrollIntoView({block: "nearest"});
    await frame();
    let box = svg.getBoundingClientRect();  // read again after each scroll: beside the panel the map stays put
    const scale = box.width / 200;
    let interior = 0, hits = 0;
    const misses = [], banded = {};
    for (let py = 0; py < box.height; py += step) {
      if (box.top + py < 2 || box.top + py > innerHeight - 2) {
        window.scrollBy(0, box.top + py - innerHeight / 2);
        await frame();
        box = svg.getBoundingClientRect();
      }
      for (let px = 0; px < box.width; px += step) {
        const [x, y] = [px / scale, py / scale];
        const d = edge / scale;
        if (![[0, 0], [d, 0], [-d, 0], [0, d], [0, -d]].every(([dx, dy]) => inside(x + dx, y + dy))) continue;
        interior += 1;
        const found = document.elementFromPoint(box.left + px, box.top + py);
        const link = found && found.closest("a[data-region]");
        if (link && svg.contains(link)) hits += 1;
        else if (misses.length < 12) misses.push([Math.round(x), Math.round(y), found ? found.tagName : "nothing"]);
        for (const [band, [y0, y1, x0, x1]] of Object.entries(bands)) {
          if (y >= y0 && y <= y1 && x >= x0 && x <= x1) {
            const name = link ? `${link.dataset.region}: ${link.getAttribute("aria-label")}` : "nothing";
            (banded[band] = banded[band] || {})[name] = 1;
          }
        }
      }
    }
    const opened = Object.fromEntries(Object.entries(banded).map(([band, names]) => [band, Object.keys(names)]));
    result[view] = {interior, hits, misses, bands: opened};
  }
  window.scrollTo(0, 0);
  return result;
}"""
# (top, bottom, left, right) in drawing units: the head above the jaw, the thighs and the lower legs.
BANDS = {"head": (12, 36, 0, 200), "thigh": (282, 312, 55, 145), "calf-shin": (372, 402, 55, 145)}
NAMED = {"head": ("head",), "thigh": ("thigh",), "calf-shin": ("calf", "shin")}


@pytest.mark.parametrize("width,height", [*SIZES[:2], *sweep(*SIZES[2:])], ids=[f"{w}px" for w, _ in SIZES])
def test_a_tap_anywhere_on_the_body_opens_a_region_and_the_one_named_for_that_part(
    make_page, live_server, width, height
):
    page = make_page(viewport={"width": width, "height": height}, has_touch=width < 500)
    page.goto(live_server + "/")
    found = page.evaluate(COVERAGE, {"step": 3, "edge": 2, "bands": BANDS})
    for view, counts in found.items():
        assert counts["interior"] > 1000, f"{view}: too few points sampled to mean anything"
        assert counts["hits"] / counts["interior"] >= 0.97, (view, counts["hits"], counts["interior"], counts["misses"])
        for band, opened in counts["bands"].items():
            slugs = {name.split(": ")[0] for name in opened}
            assert slugs == {band}, f"{view}: a tap on the {band} band opened {opened}"
            assert all(any(word in name.split(": ")[1].lower() for word in NAMED[band]) for name in opened), opened
        assert set(counts["bands"]) == set(BANDS)


# A tap on each dot's centre reaches that dot's own link.
DOT_TAPS = """() => {
  const misses = [];
  for (const a of document.querySelectorAll('svg[data-view] a.spot')) {
    const dot = a.querySelector('.spot-dot');
    dot.scrollIntoView({block: 'center'});
    const r = dot.getBoundingClientRect();
    const found = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    if (!found || found.closest('a.spot') !== a) {
      misses.push([a.getAttribute('aria-label'), a.closest('svg').dataset.view, found && found.outerHTML.slice(0, 60)]);
    }
  }
  return misses;
}"""


@pytest.mark.parametrize("width,height", [(320, 640), (1280, 800)])
def test_a_tap_on_a_dot_opens_that_dots_region(make_page, live_server, width, height):
    page = make_page(viewport={"width": width, "height": height}, has_touch=width < 400)
    page.goto(live_server + "/")
    assert page.evaluate(DOT_TAPS) == []


def test_the_dots_are_small_enough_to_leave_the_body_part_in_view(make_page, live_server, content):
    page = make_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page.goto(live_server + "/")
    widths = page.evaluate(
        "[...document.querySelectorAll('svg[data-view] .spot-dot')].map(d => d.getBoundingClientRect().width)"
    )
    assert len(widths) == sum(len(region.markers) for region in content.regions)
    assert max(widths) < 12


def test_at_320_px_every_area_is_in_reach_through_the_list_with_24_px_targets(make_page, live_server):
    """WCAG 2.2 target size: a small area's equivalent is its link in the list of all areas, at least 24 x 24 px."""
    page = make_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page.goto(live_server + "/")
    links = page.evaluate("""() => [...document.querySelectorAll('nav.region-list a[data-region]')].map(a => {
        const r = a.getBoundingClientRect();
        return {key: `${a.dataset.region}/${a.dataset.side}`, width: r.width, height: r.height};
    })""")
    on_map = page.evaluate("""() => [...new Set(
        [...document.querySelectorAll('svg[data-view] a.spot')].map(a => `${a.dataset.region}/${a.dataset.side}`)
    )]""")
    assert {link["key"] for link in links} == set(on_map)
    for link in links:
        assert link["width"] >= 24 and link["height"] >= 24, link


# Each marker's name as the browser draws it when its link has focus, in drawing units.
LABELS = """() => [...document.querySelectorAll('svg[data-view] a.spot')].map(a => {
  a.focus();
  const text = a.querySelector('.spot-label');
  const b = text.getBBox();
  const others = [...a.closest('svg').querySelectorAll('a.spot')].filter(o => o !== a).map(o => {
    const c = o.querySelector('.spot-dot');
    return [o.getAttribute('aria-label'), c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value];
  });
  const shown = getComputedStyle(text).display !== 'none';
  const lines = text.querySelectorAll('tspan').length || 1;
  const result = {
    name: a.getAttribute('aria-label'), view: a.closest('svg').dataset.view, shown, lines,
    box: [b.x, b.y, b.x + b.width, b.y + b.height], length: text.getComputedTextLength(),
    characters: text.textContent.length, fontSize: getComputedStyle(text).fontSize, others,
  };
  a.blur();
  return result;
})"""


def test_a_shown_name_stays_in_the_picture_and_off_every_other_dot(page, live_server, content):
    page.goto(live_server + "/")
    labels = page.evaluate(LABELS)
    assert len(labels) == sum(len(region.markers) for region in content.regions)
    for label in labels:
        assert label["shown"], label["name"]
        assert label["fontSize"] == f"{drawing.LABEL_FONT}px"
        # The layout's guess at a name's width is never smaller than the real one.
        assert label["length"] <= label["characters"] * drawing.LABEL_FONT * drawing.LABEL_CHAR_WIDTH
        left, top, right, bottom = label["box"]
        assert left >= 0 and top >= 0 and right <= drawing.WIDTH and bottom <= drawing.HEIGHT, label["name"]
        for name, x, y, r in label["others"]:
            gap = math.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom))
            assert gap >= r, f"{label['view']}: the name {label['name']!r} covers the dot {name!r}"
