"""A region's page on paper: the panel and the clinic's phone on at most two sheets; no map, no list, nothing to tap."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")  # one per sheet; the page tree itself is /Type /Pages
PAGE_TREE_COUNT = re.compile(rb"/Type\s*/Pages\b.*?/Count\s+(\d+)", re.DOTALL)
PAPER = ["Letter", "A4"]
NOT_ON_PAPER = ["#body-map", ".map", ".region-list", ".skip-link", ".back-to-map", ".call-bar", "main > h1", ".lede"]


def sheets(pdf: bytes) -> int:
    """How many sheets a PDF prints on, counted from its page objects and checked against its page tree."""
    pages = len(PAGE_OBJECT.findall(pdf))
    tree = PAGE_TREE_COUNT.search(pdf)
    assert tree is not None and int(tree.group(1)) == pages, "the page count must agree with the page tree"
    return pages


def test_sheets_are_counted_from_the_pdf(page, live_server):
    """The counter sees more than one sheet when there is more: the whole map page on screen styles is long."""
    page.goto(live_server + "/pain/knee")
    page.emulate_media(media="screen")
    assert sheets(page.pdf(format="Letter")) > 2


@pytest.mark.parametrize("paper", PAPER)
def test_every_region_prints_on_at_most_two_sheets(page, live_server, region, paper):
    page.goto(f"{live_server}/pain/{region.slug}")
    assert 1 <= sheets(page.pdf(format=paper, print_background=True)) <= 2


def test_on_paper_there_is_the_panel_and_the_phone_and_no_map_list_or_buttons(page, live_server, content, region):
    side = region.sides[0] if region.sides else None
    page.goto(f"{live_server}/pain/{region.slug}" + (f"?side={side}" if side else ""))
    page.emulate_media(media="print")
    for selector in NOT_ON_PAPER:
        for element in page.locator(selector).all():
            assert element.bounding_box() is None, f"{selector} is printed"
    assert page.locator("#region-panel h2").first.inner_text() == region.label(side)
    assert page.locator('[data-section="red-flags"]').is_visible()
    call = page.locator('[data-section="booking"] a[href^="tel:"]')
    assert call.is_visible() and content.clinic.phone in call.inner_text()
    assert page.locator('.site-header a[href^="tel:"]').is_visible()
    assert page.locator('[data-section="booking"] a[href*="/callback"]').bounding_box() is None, "nothing to tap"
    for button in page.locator(".button").all():
        if button.bounding_box() is None:
            continue
        look = button.evaluate(
            "b => { const s = getComputedStyle(b); return [s.borderTopWidth, s.backgroundColor, s.paddingLeft]; }"
        )
        assert look == ["0px", "rgba(0, 0, 0, 0)", "0px"], "a link on paper reads as text, not as a button"
