"""The drawing in a real browser: tap areas big enough to hit, small dots, names clear of other circles."""

from __future__ import annotations

import math

import pytest

from bodymap.content import drawing

pytestmark = pytest.mark.browser


def circles(content) -> int:
    """How many circles the map draws: one per marker of every region."""
    return sum(len(region.markers) for region in content.regions)


MEASURE = """() => [...document.querySelectorAll('svg[data-view] a.spot')].map(a => {
  const box = selector => {
    const r = a.querySelector(selector).getBoundingClientRect();
    return {width: r.width, height: r.height};
  };
  const hit = a.querySelector('.spot-hit');
  return {
    name: a.getAttribute('aria-label'), view: a.closest('svg').dataset.view,
    r: hit.r.baseVal.value, hit: box('.spot-hit'), dot: box('.spot-dot'),
  };
})"""

# Taps at the centre and near the rim of each clear circle: each must reach that circle's link.
TAPS = """() => {
  const misses = [];
  for (const a of document.querySelectorAll('svg[data-view] a.spot')) {
    a.scrollIntoView({block: 'center'});
    const r = a.querySelector('.spot-hit').getBoundingClientRect();
    const [cx, cy, reach] = [r.x + r.width / 2, r.y + r.height / 2, r.width / 2 * 0.85];
    for (const [dx, dy] of [[0, 0], [reach, 0], [-reach, 0], [0, reach], [0, -reach]]) {
      const found = document.elementFromPoint(cx + dx, cy + dy);
      if (!found || found.closest('a.spot') !== a) {
        const where = a.closest('svg').dataset.view;
        misses.push([a.getAttribute('aria-label'), where, dx, dy, found && found.outerHTML.slice(0, 60)]);
      }
    }
  }
  return misses;
}"""

# Each circle's name as the browser draws it when the circle has focus, in drawing units.
LABELS = """() => [...document.querySelectorAll('svg[data-view] a.spot')].map(a => {
  a.focus();
  const text = a.querySelector('.spot-label');
  const b = text.getBBox();
  const others = [...a.closest('svg').querySelectorAll('a.spot')].filter(o => o !== a).map(o => {
    const c = o.querySelector('.spot-hit');
    return [o.getAttribute('aria-label'), c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value];
  });
  const shown = getComputedStyle(text).display !== 'none';
  const result = {
    name: a.getAttribute('aria-label'), view: a.closest('svg').dataset.view, shown,
    box: [b.x, b.y, b.x + b.width, b.y + b.height], length: text.getComputedTextLength(),
    characters: text.textContent.length, fontSize: getComputedStyle(text).fontSize, others,
  };
  a.blur();
  return result;
})"""


def test_every_tap_area_is_at_least_24_px_on_a_320_px_phone(make_page, live_server, content):
    page = make_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page.goto(live_server + "/")
    spots = page.evaluate(MEASURE)
    assert len(spots) == circles(content)
    for spot in spots:
        assert min(spot["hit"]["width"], spot["hit"]["height"]) >= 24, spot
        assert spot["dot"]["width"] < spot["hit"]["width"] / 2, spot  # the dot leaves the body part in view


def test_where_the_layout_allows_a_tap_area_is_44_px(page, live_server):
    page.goto(live_server + "/")
    roomy = [s for s in page.evaluate(MEASURE) if s["r"] == drawing.HIT_RADIUS_MAX]
    assert {s["view"] for s in roomy} == {"front", "back"}
    for spot in roomy:
        assert min(spot["hit"]["width"], spot["hit"]["height"]) >= 44, spot


@pytest.mark.parametrize("width,height", [(320, 640), (1280, 800)])
def test_a_tap_anywhere_in_the_clear_circle_opens_that_circle(make_page, live_server, width, height):
    page = make_page(viewport={"width": width, "height": height}, has_touch=width < 400)
    page.goto(live_server + "/")
    assert page.evaluate(TAPS) == []


def test_a_shown_name_stays_in_the_picture_and_off_every_other_circle(page, live_server, content):
    page.goto(live_server + "/")
    labels = page.evaluate(LABELS)
    assert len(labels) == circles(content)
    for label in labels:
        assert label["shown"], label["name"]
        assert label["fontSize"] == f"{drawing.LABEL_FONT}px"
        # The layout's guess at a name's width is never smaller than the real one.
        assert label["length"] <= label["characters"] * drawing.LABEL_FONT * drawing.LABEL_CHAR_WIDTH
        left, top, right, bottom = label["box"]
        assert left >= 0 and top >= 0 and right <= drawing.WIDTH and bottom <= drawing.HEIGHT, label["name"]
        for name, x, y, r in label["others"]:
            gap = math.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom))
            assert gap >= r, f"{label['view']}: the name {label['name']!r} covers the circle {name!r}"
