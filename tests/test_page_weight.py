"""Budgets, measured from real responses: a phone on a slow network gets the map at once."""

from __future__ import annotations

import re

import pytest

from tests.helpers import HTMX, soup

BROWSER = {"Accept-Encoding": "br, gzip"}
HOME_BUDGET_BYTES = 60 * 1024
HOME_BUDGET_REQUESTS = 8
PANEL_BUDGET_BYTES = 6 * 1024


def transferred(client, url, headers=None) -> int:
    response = client.get(url, headers={**BROWSER, **(headers or {})})
    assert response.status_code == 200, url
    return len(response.data)


@pytest.mark.parametrize("url", ["/", "/pain/low-back", "/pain/knee?side=left"])
def test_a_page_with_everything_it_loads_stays_within_budget(client, url):
    page = soup(client.get(url))
    assets = [t.get("href") or t.get("src") for t in page.select("link[href^='/static/'], script[src]")]
    requests = 1 + len(assets)
    total = transferred(client, url) + sum(transferred(client, a) for a in assets)
    assert requests <= HOME_BUDGET_REQUESTS
    assert total <= HOME_BUDGET_BYTES, f"{total} bytes"


def test_every_panel_stays_within_budget(client, region_side):
    region, side = region_side
    url = f"/pain/{region.slug}/panel" + (f"?side={side}" if side else "")
    assert transferred(client, url, HTMX) <= PANEL_BUDGET_BYTES


def test_no_web_fonts_and_no_images_but_svg(client):
    css = client.get("/static/css/bodymap.css").get_data(as_text=True)
    # A url() in the stylesheet may only point into the page itself (the map's outline filters), never fetch.
    assert "@font-face" not in css and re.findall(r"url\(\s*([^)]*)\)", css) == re.findall(r"url\((#[\w-]+)\)", css)
    page = soup(client.get("/"))
    assert page.select("img") == []
    assert all(link["href"].endswith(".svg") for link in page.select('link[rel="icon"]'))


def test_no_script_blocks_rendering(client):
    for script in soup(client.get("/")).select("script[src]"):
        assert script.has_attr("defer") or script.has_attr("async")
