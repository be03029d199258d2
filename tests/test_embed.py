"""The embed: the same map and panel, framable only by the clinic's own sites, with no cookies."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from bodymap.embed.views import readable_on_white
from bodymap.settings import ConfigError
from tests.helpers import HTMX, SECTION_ORDER, own_soup, soup

# A region's panel offers to add it to the patient's pain list just before the ways to book.

HOST = "https://www.clinic.example"


@pytest.fixture(scope="session")
def embed_client(make_app):
    return make_app(EMBED_ORIGINS=(HOST, "http://localhost:8080")).test_client()


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors"))


@pytest.mark.parametrize("url", ["/embed", "/embed/pain/knee?side=left", "/embed/pain/nowhere"])
def test_only_the_embed_may_be_framed_and_only_by_the_configured_origins(embed_client, url):
    response = embed_client.get(url)
    assert frame_ancestors(response) == f"frame-ancestors {HOST} http://localhost:8080"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/pain/knee", "/callback", "/staff/login", "/embed.js"])
def test_every_other_page_refuses_to_be_framed(embed_client, url):
    assert frame_ancestors(embed_client.get(url, buffered=True)) == "frame-ancestors 'none'"


def test_with_no_origins_configured_nobody_may_frame_the_embed(client):
    assert frame_ancestors(client.get("/embed")) == "frame-ancestors 'none'"


def test_embed_origins_must_be_origins(make_app, monkeypatch):
    monkeypatch.setenv("EMBED_ORIGINS", "https://ok.example https://bad.example/path")
    with pytest.raises(ConfigError, match="'https://bad.example/path' is not an origin"):
        make_app()


def test_the_embed_has_the_same_map_hooks_and_list(embed_client, client):
    embedded = soup(embed_client.get(f"/embed?host={HOST}"))
    full = soup(client.get("/"))
    assert len(embedded.select("svg[data-view] a[data-region]")) == len(full.select("svg[data-view] a[data-region]"))
    assert embedded.select_one("#region-panel") is not None
    assert embedded.select_one("nav.region-list") is not None
    for a in embedded.select("svg[data-view] a[data-region]"):
        assert a["href"].startswith(f"/embed/pain/{a['data-region']}")
        assert a["hx-get"].startswith(f"/embed/pain/{a['data-region']}/panel")
        assert not a.has_attr("hx-push-url"), "the frame must not add to the host page's history"


def test_the_embed_panel_has_the_same_sections_and_opens_the_callback_form_top_level(embed_client):
    panel = soup(embed_client.get("/embed/pain/knee/panel?side=left", headers=HTMX))
    assert [s["data-section"] for s in panel.select("[data-section]")] == SECTION_ORDER
    [link] = panel.select("a[data-callback-link]")
    assert link["href"] == "/callback?region=knee&side=left"
    assert link["target"] == "_blank" and "noopener" in link["rel"]
    assert panel.select_one('[data-section="booking"] a[href^="tel:"]') is not None


def test_the_embed_panel_url_opened_directly_goes_to_the_embed_page(embed_client):
    response = embed_client.get(f"/embed/pain/knee/panel?side=left&host={HOST}&promo=evil.example")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/embed/pain/knee"
    assert parse_qs(location.query) == {"side": ["left"], "host": [HOST]}, "the frame's own options, nothing else"


def test_the_frame_talks_only_to_a_configured_host(embed_client):
    allowed = soup(embed_client.get(f"/embed?host={HOST}"))
    assert allowed.html["data-host"] == HOST
    stranger = soup(embed_client.get("/embed?host=https://tracker.example"))
    assert stranger.html["data-host"] == ""


@pytest.mark.parametrize("url", ["/embed", "/embed/pain/knee?side=left", "/embed/pain/knee/panel"])
def test_the_embed_sets_no_cookies(embed_client, url):
    response = embed_client.get(url, headers=HTMX if url.endswith("panel") else {})
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("view", ["front", "back"])
def test_the_starting_view_is_an_option(embed_client, view):
    page = soup(embed_client.get(f"/embed?view={view}"))
    assert page.select_one(".map")["data-shown"] == view
    assert page.select_one(f'a[data-show-view="{view}"]')["aria-current"] == "true"
    other = "back" if view == "front" else "front"
    assert page.select_one(f'a[data-show-view="{other}"]')["href"] == f"/embed?view={other}"


def test_a_starting_region_opens_in_the_frame(embed_client):
    page = soup(embed_client.get("/embed/pain/hip?side=right&view=back"))
    assert page.select_one("#region-panel h2").get_text() == "Right hip"


def test_an_accent_colour_comes_as_a_stylesheet_and_must_be_readable(embed_client):
    page = soup(embed_client.get("/embed?accent=0a5c36"))
    sheet = page.select_one('link[href^="/embed/accent.css"]')["href"]
    css = embed_client.get(sheet)
    assert css.mimetype == "text/css" and "--accent: #0a5c36" in css.get_data(as_text=True)
    pale = soup(embed_client.get("/embed?accent=ffee00"))
    assert pale.select_one('link[href^="/embed/accent.css"]') is None
    assert "--accent: #1f4e79" in embed_client.get("/embed/accent.css?c=ffee00").get_data(as_text=True)


def test_readable_on_white():
    assert readable_on_white("1f4e79") and readable_on_white("000000")
    assert not readable_on_white("ffee00") and not readable_on_white("ffffff")


def test_the_loader_is_served_at_a_fixed_address_and_cached_briefly(embed_client):
    response = embed_client.get("/embed.js", buffered=True)
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert "bodymap:region-selected" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url,canonical",
    [
        (f"/embed/pain/KNEE?side=left&host={HOST}&view=back", f"/embed/pain/knee?side=left&host={HOST}&view=back"),
        (f"/embed/pain/knee/?host={HOST}", f"/embed/pain/knee?host={HOST}"),
        ("/embed/pain/neck?side=left&view=back&accent=0a5c36", "/embed/pain/neck?view=back&accent=0a5c36"),
        (f"/embed/pain/Knee/panel/?side=RIGHT&host={HOST}", f"/embed/pain/knee/panel?side=right&host={HOST}"),
    ],
)
def test_another_spelling_of_an_embed_page_moves_to_its_one_address_keeping_the_options(embed_client, url, canonical):
    response = embed_client.get(url)
    assert response.status_code == 301
    assert response.headers["Location"] == canonical
    assert frame_ancestors(response) == f"frame-ancestors {HOST} http://localhost:8080"


def test_an_unknown_region_in_the_embed_is_still_not_found(embed_client):
    assert embed_client.get("/embed/pain/SPLEEN/").status_code == 404


def visible_words(page) -> list[str]:
    """The words a sighted patient sees in the frame: no hidden views, no text only for screen readers."""
    for hidden in page.select(".visually-hidden, [hidden], [aria-hidden=true], script, title"):
        hidden.decompose()
    shown = page.select_one(".map")["data-shown"]
    for figure in page.select(f".map .view:not(.view-{shown})"):
        figure.decompose()
    return re.findall(r"[\w']+", page.body.get_text(" "))


@pytest.mark.parametrize("view", ["front", "back"])
def test_the_embed_names_the_view_it_shows_once(embed_client, view):
    response = embed_client.get(f"/embed?view={view}")
    page = own_soup(response)
    for sources in page.select("ol.sources"):  # a source's title may say "Back pain"
        sources.decompose()
    words = visible_words(page)
    page = soup(response)
    assert words.count("Front") == 1 and words.count("Back") == 1, "the switch names both views, once each"
    caption = page.select_one(f"figcaption#view-{view}")
    assert "visually-hidden" in caption["class"], "the switch is the caption; screen readers still hear the view"
    assert page.select_one(f'svg[data-view="{view}"]')["aria-labelledby"] == f"view-{view}"


def test_the_embed_intro_speaks_only_of_the_view_on_screen(embed_client, client):
    intro = soup(embed_client.get("/embed")).select_one("#region-panel article.intro")
    text = " ".join(intro.get_text(" ").split()).lower()
    assert "back view" not in text and "front view" not in text
    assert "tap the body where it hurts" in text
    full = " ".join(soup(client.get("/")).select_one("#region-panel article.intro").get_text(" ").split()).lower()
    assert "back view" in full, "the full page shows both views and says so"
