"""HTTP caching and compression: hashed static names, ETags and 304s, no-store for anything personal."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from flask import template_rendered

from tests.helpers import HTMX, send_callback, soup

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

BROWSER = {"Accept-Encoding": "br, gzip"}


def static_links(page) -> list[str]:
    return [t.get("href") or t.get("src") for t in page.select('link[rel="stylesheet"], link[rel="icon"], script[src]')]


def test_static_files_have_content_hashed_names_and_are_cached_for_a_year(client):
    links = static_links(soup(client.get("/")))
    assert len(links) == 4
    for link in links:
        assert re.match(r"^/static/.+\.[0-9a-f]{10}\.(css|js|svg)$", link), link
        response = client.get(link)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_plain_static_name_still_works_but_is_revalidated(client):
    response = client.get("/static/css/bodymap.css")
    assert response.status_code == 200 and "no-cache" in response.headers["Cache-Control"]
    assert client.get("/static/css/bodymap.0123456789.css").status_code == 404


@pytest.mark.parametrize(
    "url,headers", [("/", {}), ("/pain/knee?side=left", {}), ("/embed", {}), ("/pain/knee/panel?side=left", HTMX)]
)
def test_shared_pages_answer_if_none_match_with_304(client, url, headers):
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    compressed = client.get(url, headers={**headers, **BROWSER})
    repeat = client.get(url, headers={**headers, **BROWSER, "If-None-Match": compressed.headers["ETag"]})
    assert repeat.status_code == 304


def test_pages_and_panels_are_public_for_a_few_minutes_and_longer_for_a_cdn(client):
    for url, headers in [("/pain/knee", {}), ("/pain/knee/panel", HTMX), ("/", {})]:
        response = client.get(url, headers=headers)
        assert response.headers["Cache-Control"] == "public, max-age=300, s-maxage=3600"
    panel = client.get("/pain/knee/panel", headers=HTMX)
    assert "HX-Request" in panel.headers["Vary"] and "Accept-Encoding" in panel.headers["Vary"]
    redirect = client.get("/pain/knee/panel")
    assert "HX-Request" in redirect.headers["Vary"]


def test_anything_personal_or_with_a_token_is_never_stored(db_client, staff_client):
    for response in (
        db_client.get("/callback"),
        send_callback(db_client, htmx=True),
        staff_client.get("/staff/guide"),
        db_client.get("/staff/login"),
    ):
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


@pytest.mark.parametrize(
    "url,headers",
    [
        ("/", {}),
        ("/pain/knee/panel", HTMX),
        ("/static/css/bodymap.css", {}),
        ("/static/vendor/htmx-4.0.1.min.js", {}),
        ("/static/svg/front.svg", {}),
        ("/sitemap.xml", {}),
    ],
)
def test_text_goes_out_compressed_with_brotli_or_gzip(client, url, headers):
    plain = client.get(url, headers=headers).data
    with_br = client.get(url, headers={**headers, "Accept-Encoding": "br"})
    assert with_br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(with_br.data) == plain
    with_gzip = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})
    assert with_gzip.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(with_gzip.data) == plain
    assert len(with_br.data) < len(plain)


def test_pages_are_rendered_once_not_per_request(make_app):
    """One store of rendered responses: a page is drawn once per process, language and (without PUBLIC_URL) address,
    whatever the encoding asked for."""
    app = make_app()
    client = app.test_client()
    drawn = []

    def note(sender, template, context, **extra):
        drawn.append(template.name)

    with template_rendered.connected_to(note, app):
        for headers in ({}, {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "br"}, {}):
            assert client.get("/pain/hip?side=left", headers=headers).status_code == 200
        assert drawn == ["public/index.html"]
        client.get("/pain/hip?side=left", headers={"Host": "127.0.0.1:5000"})
        client.get("/es/pain/hip?side=left")
        client.get("/es/pain/hip?side=left")
    assert drawn == ["public/index.html"] * 3
