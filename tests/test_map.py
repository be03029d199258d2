"""The home page: both views of the body, a circle per region and side, and the region list."""

from __future__ import annotations

import pytest

from bodymap.content import drawing
from tests.helpers import HTMX, soup

REQUIRED_REGIONS = {"neck", "shoulder", "upper-back", "low-back", "elbow", "hand-wrist", "hip", "knee", "ankle", "foot"}
PAIRED = {"shoulder", "elbow", "hand-wrist", "hip", "knee", "ankle", "foot"}


@pytest.fixture(scope="session")
def home(app):
    """The home page, fetched and parsed once per clinic: the tests only read it."""
    response = app.test_client().get("/")
    assert response.status_code == 200
    return soup(response)


def circles(page, view=None):
    selector = f'svg[data-view="{view}"] a[data-region]' if view else "svg[data-view] a[data-region]"
    return page.select(selector)


def test_the_clinics_regions_are_all_there(content):
    assert {r.slug for r in content.regions} >= REQUIRED_REGIONS


def test_there_is_a_front_view_and_a_back_view(home):
    assert [svg["data-view"] for svg in home.select("svg[data-view]")] == ["front", "back"]


def test_every_region_has_a_circle_and_every_circle_opens_its_page(home, region):
    mine = [a for a in circles(home) if a["data-region"] == region.slug]
    assert mine, f"no circle for {region.slug}"
    for a in mine:
        side = a["data-side"]
        expected = f"/pain/{region.slug}" + ("" if side == "centre" else f"?side={side}")
        assert a["href"] == expected
        assert a["hx-push-url"] == expected
        assert a["hx-get"] == expected.replace(f"/pain/{region.slug}", f"/pain/{region.slug}/panel")


def test_every_circle_points_at_a_region_that_exists(home, content):
    slugs = {r.slug for r in content.regions}
    found = circles(home)
    assert len(found) == sum(len(r.markers) for r in content.regions)
    for a in found:
        assert a["data-region"] in slugs
        assert a["data-side"] in ("left", "right", "centre")


@pytest.mark.parametrize("slug", sorted(PAIRED))
def test_paired_regions_have_a_left_and_a_right_circle(home, slug):
    sides = {a["data-side"] for a in circles(home) if a["data-region"] == slug}
    assert sides == {"left", "right"}


@pytest.mark.parametrize("slug", ["upper-back", "low-back"])
def test_the_back_view_shows_the_back(home, slug):
    assert [a for a in circles(home, "back") if a["data-region"] == slug]


def test_circles_are_drawn_where_the_content_says(home, region):
    for marker in region.markers:
        side = marker.side
        [a] = [a for a in circles(home, marker.view) if a["data-region"] == region.slug and a["data-side"] == side]
        dot = a.select_one("circle.spot-dot")
        assert (float(dot["cx"]), float(dot["cy"])) == (marker.x, marker.y)
        assert float(dot["r"]) == drawing.DOT_RADIUS
        area = a.select_one(".spot-area")  # its part of the body, or a clear circle where the drawing has none
        assert area.name == "path" or float(area["r"]) >= drawing.MARKER_RADIUS


def test_each_circle_has_a_name_for_screen_readers_and_a_visible_label(home, content):
    for a in circles(home):
        region = content.region(a["data-region"])
        side = None if a["data-side"] == "centre" else a["data-side"]
        assert a["aria-label"] == region.label(side)
        assert a.select_one("text.spot-label").get_text() == region.label(side)


def test_the_drawings_are_inlined_so_the_map_needs_no_extra_request(home):
    for svg in home.select("svg[data-view]"):
        outline = svg.select_one("g.outline")
        assert outline is not None and outline["aria-hidden"] == "true"
        assert outline.find("path") is not None


def test_the_region_list_links_every_region_and_side(home, region):
    links = home.select(f'nav.region-list a[data-region="{region.slug}"]')
    if region.sides:
        assert sorted(a["data-side"] for a in links) == sorted(region.sides)
    else:
        assert [a["data-side"] for a in links] == ["centre"]
    assert all(a["href"].startswith(f"/pain/{region.slug}") for a in links)


def test_the_home_panel_invites_a_choice_and_offers_booking(home, content):
    panel = home.select_one("#region-panel")
    assert panel.select_one("h2").get_text() == "Pick where it hurts"
    booking = panel.select_one('[data-section="booking"]')
    assert booking.select_one('a[href^="tel:"]')["href"] == content.clinic.tel
    assert not home.select("[aria-current]")


def test_the_direct_access_notice_shows_only_when_the_clinic_gives_one(home, content):
    notice = home.select_one('#region-panel [data-section="booking"] .direct-access')
    given = content.clinic.direct_access
    if given is None:
        assert notice is None
    else:
        assert notice.get_text().startswith(given.text)
        assert notice.time["datetime"] == given.as_of.isoformat()


def test_nothing_on_the_map_is_current_until_a_region_is_chosen(home):
    assert not home.select("a[aria-current]")


@pytest.mark.parametrize(
    "url,canonical",
    [
        ("/pain/knee/", "/pain/knee"),
        ("/pain/KNEE", "/pain/knee"),
        ("/pain/Knee?side=left", "/pain/knee?side=left"),
        ("/pain/knee?side=LEFT", "/pain/knee?side=left"),
        ("/pain/Knee/?side=Right", "/pain/knee?side=right"),
        ("/pain/neck?side=left", "/pain/neck"),
        ("/pain/NECK/?side=right", "/pain/neck"),
        ("/pain/knee/panel/?side=left", "/pain/knee/panel?side=left"),
        ("/pain/KNEE/panel?side=Left", "/pain/knee/panel?side=left"),
        ("/pain/neck/panel?side=left", "/pain/neck/panel"),
    ],
)
def test_another_spelling_of_a_page_moves_permanently_to_its_one_address(client, url, canonical):
    response = client.get(url)
    assert response.status_code == 301
    assert response.headers["Location"] == canonical, "a path on this site, never built from the Host header"
    assert "max-age=86400" in response.headers["Cache-Control"], "not for ever: the content may change"
    final = client.get(canonical, headers=HTMX if "/panel" in canonical else {})
    assert final.status_code == 200


def test_a_redirect_never_names_the_host_the_request_came_to(client):
    # A host the site does not serve is refused outright (tests/test_hosts.py); one it serves is
    # still not written into the Location, which stays a path.
    assert client.get("/pain/KNEE?side=left", headers={"Host": "evil.example"}).status_code == 400
    response = client.get("/pain/KNEE?side=left", headers={"Host": "127.0.0.1:5000"})
    assert response.status_code == 301
    assert response.headers["Location"] == "/pain/knee?side=left"


def test_every_region_and_side_in_capitals_leads_to_its_page(client, region_side):
    region, side = region_side
    query = f"?side={side.upper()}" if side else ""
    response = client.get(f"/pain/{region.slug.upper()}{query}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/pain/{region.slug}" + (f"?side={side}" if side else "")


@pytest.mark.parametrize("url", ["/pain/spleen", "/pain/SPLEEN/", "/pain/knee?side=middle", "/pain/spleen/panel/"])
def test_an_unknown_region_or_side_word_is_still_not_found(client, url):
    assert client.get(url).status_code == 404
