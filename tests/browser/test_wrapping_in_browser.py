"""Words that belong together stay on one line at every width: the clinic's phone, a region and its sides."""

from __future__ import annotations

import pytest

from tests.helpers import sweep

pytestmark = pytest.mark.browser


# For each element: the top and bottom of every line box its text takes, in page pixels.
TEXT_LINES = """elements => elements.map(element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return [...range.getClientRects()].filter(r => r.width > 0).map(r => [r.top, r.bottom]);
})"""


@pytest.mark.parametrize("width", [320, *sweep(360, 768, 1280, 1920)])
def test_side_links_stay_on_the_line_of_their_region(make_page, live_server, content, width):
    page = make_page(viewport={"width": width, "height": 800})
    page.goto(live_server + "/pain/knee?side=left")
    items = page.locator(".region-list li").all()
    assert len(items) == len(content.regions)
    for item, region in zip(items, content.regions, strict=True):
        parts = item.locator(":scope > *").all()
        lines = page.evaluate(TEXT_LINES, [p.element_handle() for p in parts])
        assert all(len(part) == 1 for part in lines), f"{region.name} wraps at {width}px: {lines}"
        tops = [part[0][0] for part in lines]
        assert max(tops) - min(tops) <= 3, f"{region.name}'s side links leave its line at {width}px"
        overflow = item.evaluate("li => li.scrollWidth - li.clientWidth")
        assert overflow <= 1, f"{region.name} overflows its column at {width}px"


PAGES_WITH_THE_PHONE = ["/", "/pain/knee?side=left", "/callback", "/pain/spleen"]


@pytest.mark.every_clinic
@pytest.mark.parametrize("width", [320, *sweep(360)])
@pytest.mark.parametrize("path", PAGES_WITH_THE_PHONE)
def test_the_phone_number_never_breaks(make_page, live_server, content, console, path, width):
    console.expect_status(live_server + path)
    page = make_page(viewport={"width": width, "height": 740})
    page.goto(live_server + path)
    links = [a for a in page.locator('a[href^="tel:"]').all() if a.is_visible()]
    assert len(links) >= 2, "the header and the footer at least"
    for link in links:
        assert link.evaluate("a => getComputedStyle(a).whiteSpace") == "nowrap", "at any other width it could break"
        [lines] = page.evaluate(TEXT_LINES, [link.element_handle()])
        assert len({round(top) for top, _ in lines}) == 1, f"{link.inner_text()!r} breaks at {width}px on {path}"
        assert content.clinic.phone in link.inner_text()
