"""Security from day one: strict headers everywhere, no inline code, nothing third-party."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.helpers import HTMX, soup

STATIC = Path(__file__).resolve().parent.parent / "static"
HTMX_FILE = STATIC / "vendor" / "htmx-4.0.1.min.js"
HTMX_SHA256 = "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"

PAGES = ["/", "/pain/knee?side=left", "/pain/neck", "/callback", "/pain/nowhere", "/static/css/bodymap.css"]


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_a_strict_content_security_policy(client, url):
    response = client.get(url, buffered=True)
    directives = csp_directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_panel_fragment_carries_the_headers_too(client):
    response = client.get("/pain/knee/panel?side=left", headers=HTMX)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/", "/pain/knee?side=left", "/pain/nowhere", "/callback"])
def test_pages_have_no_inline_script_or_style_and_nothing_third_party(client, url):
    page = soup(client.get(url))
    for script in page.find_all("script"):
        assert script.get("src", "").startswith("/static/"), script
        assert not script.string
    assert not page.find_all("style")
    assert not page.select("[style]")
    assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert not [tag for tag in page.find_all(True) if any(k.startswith("hx-on") for k in tag.attrs)]
    for tag in page.find_all(["link", "img", "iframe", "script"]):
        address = tag.get("href") or tag.get("src") or ""
        assert address.startswith("/"), f"third-party or unexpected address: {address}"


def test_the_vendored_htmx_is_the_release_we_pinned():
    assert hashlib.sha256(HTMX_FILE.read_bytes()).hexdigest() == HTMX_SHA256
    assert (STATIC / "vendor" / "htmx-4.0.1.LICENSE").read_text().startswith("Zero-Clause BSD")


def test_htmx_is_told_not_to_inject_styles_the_policy_would_block(client):
    page = soup(client.get("/"))
    config = page.select_one('meta[name="htmx-config"]')["content"]
    assert '"includeIndicatorCSS": false' in config
    assert page.select_one('script[src$="htmx-4.0.1.min.js"]').has_attr("defer")
