"""Search engines and shared links: titles, descriptions, canonical addresses, a sitemap, robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.helpers import soup

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_each_region_page_has_its_own_title_description_canonical_and_open_graph(client, content, region_side):
    region, side = region_side
    page = soup(client.get(f"/pain/{region.slug}" + (f"?side={side}" if side else "")))
    assert page.title.get_text().startswith(f"{region.label(side)} pain")
    description = page.select_one('meta[name="description"]')["content"]
    assert description and len(description) <= 160 and region.summary.startswith(description.rstrip("…"))
    canonical = page.select_one('link[rel="canonical"]')["href"]
    assert canonical == f"http://localhost/pain/{region.slug}"
    og = {m["property"]: m["content"] for m in page.select('meta[property^="og:"]')}
    assert og["og:title"] == page.title.get_text()
    assert og["og:description"] == description
    assert og["og:url"] == canonical
    assert og["og:site_name"] == content.clinic.name


def test_titles_and_descriptions_differ_between_regions(client, content):
    pages = [soup(client.get(f"/pain/{r.slug}")) for r in content.regions]
    assert len({p.title.get_text() for p in pages}) == len(pages)
    assert len({p.select_one('meta[name="description"]')["content"] for p in pages}) == len(pages)


def test_the_sitemap_lists_every_region_page(client, content):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locations = [url.findtext(f"{SITEMAP_NS}loc") for url in root.iter(f"{SITEMAP_NS}url")]
    english = ["http://localhost/"] + [f"http://localhost/pain/{r.slug}" for r in content.regions]
    spanish = [url.replace("http://localhost/", "http://localhost/es/") for url in english]
    assert locations == english + (spanish if "es" in content.clinic.languages else [])  # see test_languages


def test_robots_points_to_the_sitemap_and_keeps_staff_pages_out(client):
    lines = client.get("/robots.txt").get_data(as_text=True).splitlines()
    assert "Disallow: /staff/" in lines
    assert "Disallow: /list" in lines, "the pain list's address holds nobody's list"
    assert "Sitemap: http://localhost/sitemap.xml" in lines


def test_public_url_sets_the_address_search_engines_see(make_app):
    client = make_app(PUBLIC_URL="https://pain.clinic.example").test_client()
    site = {"Host": "pain.clinic.example"}  # with PUBLIC_URL set, only its host is served
    assert soup(client.get("/pain/neck", headers=site)).select_one('link[rel="canonical"]')["href"] == (
        "https://pain.clinic.example/pain/neck"
    )
    robots = client.get("/robots.txt", headers=site).get_data(as_text=True)
    assert "Sitemap: https://pain.clinic.example/sitemap.xml" in robots.splitlines()
    sitemap = ET.fromstring(client.get("/sitemap.xml", headers=site).data)
    assert "https://pain.clinic.example/pain/neck" in [loc.text for loc in sitemap.iter(f"{SITEMAP_NS}loc")]


def test_the_sitemap_and_robots_may_be_kept_by_a_cdn_and_set_no_cookie(client):
    for url in ("/sitemap.xml", "/robots.txt"):
        response = client.get(url)
        assert response.cache_control.public and response.cache_control.s_maxage
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
