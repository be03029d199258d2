"""Security from day one: strict headers everywhere, no inline code, nothing third-party."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.helpers import HTMX, soup

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

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
        if {"canonical", "alternate"} & set(tag.get("rel", [])):
            assert address.startswith("http://localhost/")  # this site's own address (hreflang twins too)
            continue
        assert address.startswith("/"), f"third-party or unexpected address: {address}"


def test_the_vendored_htmx_is_the_release_we_pinned():
    assert hashlib.sha256(HTMX_FILE.read_bytes()).hexdigest() == HTMX_SHA256
    assert (STATIC / "vendor" / "htmx-4.0.1.LICENSE").read_text().startswith("Zero-Clause BSD")


def test_htmx_is_told_not_to_inject_styles_the_policy_would_block(client):
    page = soup(client.get("/"))
    config = page.select_one('meta[name="htmx-config"]')["content"]
    assert '"includeIndicatorCSS": false' in config
    assert page.select_one('script[src*="/htmx-4.0.1.min."]').has_attr("defer")


def every_route(app):
    """One URL for each route in Flask's URL map, with sample arguments."""
    samples = {"slug": "knee", "request_id": 1, "filename": "css/bodymap.css", "language": "en", "member_id": 1,
               "session_id": "0" * 64, "token": "x" * 43}  # fmt: skip
    for rule in app.url_map.iter_rules():
        yield rule.build({k: v for k, v in samples.items() if k in rule.arguments})[1], rule


def assert_security_headers(response, https=False):
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    if https:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_every_route_and_every_error_page_sends_the_security_headers(client, app, https):
    base = "https://localhost" if https else "http://localhost"
    checked = 0
    for url, rule in every_route(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, base_url=base, buffered=True)
            assert_security_headers(response, https)
            checked += 1
    for url in ("/no-such-page", "/pain/spleen", "/staff/callbacks?status=lost"):
        assert_security_headers(client.get(url, base_url=base), https)
    assert checked > 25


def test_a_server_error_page_sends_the_security_headers_too(make_app):
    app = make_app(TESTING=False)

    @app.get("/test-failure")
    def fail():
        raise RuntimeError("boom")

    assert_security_headers(app.test_client().get("/test-failure"))


def test_behind_a_trusted_proxy_https_is_recognised(app, make_app, monkeypatch):
    assert "Strict-Transport-Security" not in app.test_client().get("/", headers={"X-Forwarded-Proto": "https"}).headers
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    proxied = make_app()
    response = proxied.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
