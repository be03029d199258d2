"""A region's panel: what it says, in what order, on its own page and swapped in by htmx."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import HTMX, SECTION_ORDER, soup

# A region's panel offers to add it to the patient's pain list just before the ways to book.


def words(element) -> str:
    """An element's own words, without the footnote numbers after them."""
    return "".join(element.find_all(string=True, recursive=False)).strip()


def footnote_targets(panel, element) -> list:
    """The source list entries an element's footnote numbers link to."""
    return [panel.select_one(a["href"]) for a in element.select("sup.cite a")]


def page_url(region, side):
    return f"/pain/{region.slug}" + (f"?side={side}" if side else "")


def panel_url(region, side):
    return f"/pain/{region.slug}/panel" + (f"?side={side}" if side else "")


@pytest.fixture(scope="session")
def parsed(app):
    """Each page or panel of a clinic fetched and parsed once; the tests that share them only read them."""
    seen = {}

    def get(url, headers=None):
        key = (url, tuple(sorted((headers or {}).items())))
        if key not in seen:
            seen[key] = app.test_client().get(url, headers=headers or {})
            seen[key].parsed = soup(seen[key])
        return seen[key]

    return get


@pytest.fixture
def full_page(parsed, region_side):
    region, side = region_side
    response = parsed(page_url(region, side))
    assert response.status_code == 200
    return region, side, response.parsed


@pytest.fixture
def fragment(parsed, region_side):
    region, side = region_side
    response = parsed(panel_url(region, side), HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    return region, side, response.parsed


def test_a_region_page_is_a_full_page_with_the_panel_filled_in(full_page):
    region, side, page = full_page
    assert page.select_one("svg[data-view=front]") is not None
    article = page.select_one("#region-panel > article")
    assert article["data-region"] == region.slug
    assert article["data-side"] == (side or "")
    assert article.select_one("h2").get_text() == region.label(side)
    assert region.label(side) in page.title.get_text()


def test_the_panel_alone_is_a_fragment_with_its_own_title(fragment):
    region, side, panel = fragment
    assert panel.find("html") is None and panel.find("body") is None
    assert panel.find("svg") is None
    assert panel.title.get_text().startswith(f"{region.label(side)} pain")
    assert panel.select_one("article h2#panel-heading").get_text() == region.label(side)


def test_the_fragment_is_what_the_full_page_includes(client, region_side):
    region, side = region_side
    page = soup(client.get(page_url(region, side)))
    panel = soup(client.get(panel_url(region, side), headers=HTMX))
    assert page.select_one("#region-panel > article") == panel.select_one("article")


def test_sections_come_in_the_promised_order(fragment):
    _, _, panel = fragment
    assert [s["data-section"] for s in panel.select("[data-section]")] == SECTION_ORDER


def test_emergency_flags_are_shown_before_treatments(fragment):
    region, _, panel = fragment
    emergency = panel.select(".flags-emergency li")
    urgent = panel.select(".flags-urgent li")
    assert [words(li) for li in emergency] == [flag.text for flag in region.red_flags.emergency]
    assert [words(li) for li in urgent] == [flag.text for flag in region.red_flags.urgent]
    assert "911" in panel.select_one(".flags-emergency .flags-lead").get_text()
    assert "doctor today" in panel.select_one(".flags-urgent .flags-lead").get_text()
    everything = list(panel.descendants)
    assert everything.index(emergency[0]) < everything.index(panel.select_one('[data-section="treatments"]'))


def test_the_panel_says_what_it_usually_is_and_its_common_causes(fragment):
    region, _, panel = fragment
    assert panel.select_one('[data-section="summary"] p').get_text() == region.summary
    names = [dt.get_text() for dt in panel.select('[data-section="conditions"] dt')]
    assert names == [c.name for c in region.conditions]


def test_treatments_are_grouped_passive_then_active_with_their_cautions(fragment):
    region, _, panel = fragment
    section = panel.select_one('[data-section="treatments"]')
    kinds = [ul["data-kind"] for ul in section.select("ul.treatments")]
    assert kinds == ["passive", "active"]
    shown = [li.strong.get_text().rstrip(".") for li in section.select("ul.treatments > li")]
    assert sorted(shown) == sorted(t.name for t in region.treatments)
    for treatment in region.treatments:
        [item] = [li for li in section.select("ul.treatments > li") if li.strong.get_text() == treatment.name + "."]
        cautions = [words(li) for li in item.select(".caution li")]
        assert cautions == [c.text for c in treatment.contraindications]
        if treatment.contraindications:
            [heading] = item.select(".caution p")
            assert heading.get_text() == "Not used if:"
            assert item.select_one(".caution ul")["aria-labelledby"] == heading["id"]


def test_self_care_is_listed(fragment):
    region, _, panel = fragment
    assert [li.get_text() for li in panel.select('[data-section="self-care"] li')] == list(region.self_care)


def told(content) -> tuple:
    """What the panel says about who the advice is for, whose sources it numbers among its own."""
    return content.audience.statements if content.audience else ()


def test_self_care_ends_with_when_to_get_checked_if_it_is_not_getting_better(fragment, content):
    region, _, panel = fragment
    [line] = panel.select('[data-section="self-care"] .not-improving')
    assert words(line) == region.not_improving.text
    assert [li["id"] for li in footnote_targets(panel, line)] == [
        f"source-{n}" for n, _ in region.cites(region.not_improving, told(content))
    ]


def test_booking_offers_a_call_and_a_callback_for_this_region(fragment, content):
    region, side, panel = fragment
    booking = panel.select_one('[data-section="booking"]')
    call = booking.select_one('a[href^="tel:"]')
    assert call["href"] == content.clinic.tel
    assert content.clinic.phone in call.get_text()
    assert content.clinic.appointments in booking.get_text()
    [callback] = [a for a in booking.select("a") if a.get_text() == "Request a callback"]
    query = parse_qs(urlsplit(callback["href"]).query)
    assert query["region"] == [region.slug]
    assert query.get("side") == ([side] if side else None)


def test_the_panel_ends_with_a_disclaimer_and_says_it_is_a_draft_until_a_clinician_signs_it_off(fragment, content):
    region, _, panel = fragment
    footer = panel.select_one("footer.panel-footer")
    assert content.clinic.disclaimer in footer.get_text()
    review = footer.select_one("p.review")
    assert review["data-review"] == "draft"
    assert " ".join(review.get_text().split()) == "Draft: not yet reviewed by a clinician."
    listed = region.footnotes_with(told(content))
    assert [li.get_text() for li in footer.select("ol.sources > li")] == [s.citation for s in listed]
    assert set(region.sources) <= set(listed)


def test_every_red_flag_and_caution_links_to_its_numbered_source(fragment):
    region, _, panel = fragment
    items = panel.select(".flags li") + panel.select(".caution li") + panel.select(".not-improving")
    statements = [*region.red_flags.emergency, *region.red_flags.urgent]
    statements += [c for t in region.treatments_shown for c in t.contraindications] + [region.not_improving]
    assert [words(item) for item in items] == [s.text for s in statements]
    for item, statement in zip(items, statements, strict=True):
        targets = footnote_targets(panel, item)
        assert targets and None not in targets, statement.text
        assert [t.get_text() for t in targets] == [s.citation for s in statement.sources]
        for link in item.select("sup.cite a"):
            assert link["aria-label"] == f"Source {link.get_text()}"
    first_cited = list(dict.fromkeys(int(a.get_text()) for a in panel.select("sup.cite a")))
    assert first_cited == list(range(1, len(first_cited) + 1)), "numbered in the order they are first cited"


def test_linked_sources_open_the_source_itself(fragment, content):
    region, _, panel = fragment
    for li, source in zip(panel.select("ol.sources > li"), region.footnotes_with(told(content)), strict=True):
        link = li.find("a")
        assert (link["href"] if link else None) == source.url


def test_the_chosen_circles_are_marked_current(full_page):
    region, side, page = full_page
    current = page.select("svg a[aria-current]")
    expected = [m for m in region.markers if side is None or m.side == side]
    assert len(current) == len(expected)
    assert all(a["data-region"] == region.slug for a in current)
    if side:
        assert all(a["data-side"] == side for a in current)


def test_opening_the_panel_url_in_a_browser_goes_to_the_full_page(client, region_side):
    region, side = region_side
    response = client.get(panel_url(region, side))
    assert response.status_code == 303
    assert response.headers["Location"] == page_url(region, side)
    assert "HX-Request" in response.headers["Vary"]
