"""Safe behind a CDN: every public route (walked from the URL map) carries no cookie and never varies by one,
every staff route is `no-store`, and the responses the process keeps are exactly what the app would send."""

from __future__ import annotations

import re
import shutil

import pytest
from flask import url_for

from bodymap.web.caching import BROWSER_MAX_AGE, SHARED_MAX_AGE, stored_responses
from tests.helpers import HTMX, csrf_token_from, send_callback

pytestmark = pytest.mark.one_clinic  # headers and hosts: the same whatever the clinic's file says

BROWSER = {"Accept-Encoding": "br, gzip"}
# The blueprints whose pages hold personal data, a CSRF token or a signed-in member.
PRIVATE_BLUEPRINTS = ("staff", "callback")


def rule_urls(app, content, methods=("GET",), private: bool = False) -> list[tuple[str, str]]:
    """(method, URL) for every rule of the URL map, public or private, with real values for its arguments."""
    region = content.regions[0]
    values = {"slug": region.slug, "filename": "css/bodymap.css", "request_id": "1", "language": "en", "member_id": "1",
              "session_id": "0" * 64, "token": "x" * 43}  # fmt: skip
    urls = []
    for rule in app.url_map.iter_rules():
        if (rule.endpoint.split(".", 1)[0] in PRIVATE_BLUEPRINTS) != private:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: values[match[1]], rule.rule)
        assert "<" not in path, f"no value for an argument of {rule.rule}"
        urls += [(method, path) for method in sorted(rule.methods & set(methods))]
    return urls


def hashed(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def assert_cookie_free(response, url: str) -> None:
    assert "Set-Cookie" not in response.headers, url
    assert "cookie" not in response.headers.get("Vary", "").lower(), url


def test_the_walk_finds_every_kind_of_public_route(app, content):
    paths = {path for _, path in rule_urls(app, content)}
    slug = content.regions[0].slug
    assert {"/", f"/pain/{slug}", f"/pain/{slug}/panel", "/embed", "/embed.js", "/sitemap.xml", "/healthz"} <= paths


def test_no_public_route_sets_or_varies_by_a_cookie(app, client, content):
    for _, url in rule_urls(app, content):
        for headers in ({}, HTMX, BROWSER, {**HTMX, **BROWSER}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            assert_cookie_free(response, url)


def test_public_routes_stay_cookie_free_for_a_signed_in_member_and_leave_her_session_alone(
    db_app, staff_client, content
):
    for _, url in rule_urls(db_app, content):
        assert_cookie_free(staff_client.get(url), url)
        assert_cookie_free(staff_client.get(url, headers=HTMX), url)
    assert staff_client.get("/staff/callbacks").status_code == 200, "still signed in"


def test_a_patient_with_the_form_open_gets_cookie_free_public_pages(client, content):
    assert "Set-Cookie" in client.get("/callback").headers  # the form's session, with its CSRF token
    for _, url in rule_urls(client.application, content):
        assert_cookie_free(client.get(url), url)


def test_pages_and_panels_may_be_kept_by_browsers_briefly_and_by_a_cdn_longer(client, content):
    slug = content.regions[0].slug
    for url, headers in [("/", {}), (f"/pain/{slug}", {}), (f"/pain/{slug}/panel", HTMX), ("/embed", {})]:
        control = client.get(url, headers=headers).cache_control
        assert control.public and control.max_age == BROWSER_MAX_AGE and control.s_maxage == SHARED_MAX_AGE, url
        assert SHARED_MAX_AGE > BROWSER_MAX_AGE


def test_hashed_static_files_are_immutable_for_a_year(app, client):
    response = client.get(hashed(app, "css/bodymap.css"))
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert_cookie_free(response, "static")


def test_every_staff_route_is_never_stored_when_signed_in(db_app, staff_client, content):
    token = csrf_token_from(staff_client.get("/staff/callbacks"))
    urls = rule_urls(db_app, content, methods=("GET", "POST"), private=True)
    staff = [(method, url) for method, url in urls if url.startswith("/staff") and url != "/staff/logout"]
    assert len(staff) >= 8
    for method, url in staff:
        response = staff_client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code < 500, url
        assert response.headers["Cache-Control"] == "no-store", f"{method} {url}"
    assert staff_client.post("/staff/logout", data={"csrf_token": token}).headers["Cache-Control"] == "no-store"


def test_the_callback_form_is_never_stored(client):
    response = client.get("/callback")
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def headers_but_the_id(response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.items() if name != "X-Request-ID"]


def test_a_stored_response_is_exactly_what_the_app_sent(make_app, content):
    """Of every response a shared cache may keep, the first is answered by the app and the next from memory: same
    status, headers and body (but the request id, which names each request)."""
    app = make_app(EMBED_ORIGINS=("https://www.clinic.example",))
    client = app.test_client()
    slug = content.regions[0].slug
    cases = [(url, {}) for _, url in rule_urls(app, content)]
    cases += [(f"/pain/{slug}/panel", HTMX), (f"/embed/pain/{slug}/panel", HTMX), (hashed(app, "js/bodymap.js"), {})]
    kept = 0
    for url, headers in cases:
        for extra in ({}, {"Accept-Encoding": "br"}, {"Accept-Encoding": "gzip"}):
            first = client.get(url, headers={**headers, **extra})
            again = client.get(url, headers={**headers, **extra})
            assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
            if not first.cache_control.public:
                continue  # asked of the app each time (/metrics and /readyz read the dependencies as they are now)
            kept += 1
            assert (again.status, again.get_data()) == (first.status, first.get_data()), url
            assert sorted(headers_but_the_id(again)) == sorted(headers_but_the_id(first)), url
    assert len(stored_responses(app).entries) > 10 and kept > 30


def test_stored_responses_keep_the_security_headers_and_the_embed_keeps_its_frame_ancestors(make_app, content):
    app = make_app(EMBED_ORIGINS=("https://www.clinic.example",))
    client = app.test_client()
    slug = content.regions[0].slug
    for _ in range(2):
        page = client.get(f"/pain/{slug}")
        embedded = client.get(f"/embed/pain/{slug}")
        panel = client.get(f"/embed/pain/{slug}/panel", headers=HTMX)
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        for response in (embedded, panel):
            assert "frame-ancestors https://www.clinic.example" in response.headers["Content-Security-Policy"]
        for response in (page, embedded, panel):
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "same-origin"


def test_htmx_and_plain_requests_are_kept_apart(client, content):
    slug = content.regions[0].slug
    for _ in range(2):
        fragment = client.get(f"/pain/{slug}/panel", headers=HTMX)
        plain = client.get(f"/pain/{slug}/panel")
        assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
        assert plain.status_code == 303 and plain.headers["Location"] == f"/pain/{slug}"
        assert "HX-Request" in fragment.headers["Vary"] and "HX-Request" in plain.headers["Vary"]


def test_each_encoding_has_its_own_etag_and_answers_if_none_match_with_304(client, content):
    url = f"/pain/{content.regions[0].slug}"
    tags = set()
    for encoding in ("", "br", "gzip"):
        headers = {"Accept-Encoding": encoding} if encoding else {}
        response = client.get(url, headers=headers)
        assert response.headers.get("Content-Encoding", "") == encoding
        tags.add(response.headers["ETag"])
        again = client.get(url, headers={**headers, "If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == response.headers["ETag"]
        assert "Content-Security-Policy" in again.headers and again.cache_control.public
        weak = client.get(url, headers={**headers, "If-None-Match": "W/" + response.headers["ETag"]})
        assert weak.status_code == 304
    assert len(tags) == 3
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_head_answers_with_the_same_headers_and_no_body(client, content):
    url = f"/pain/{content.regions[0].slug}"
    for _ in range(2):
        head = client.head(url, headers=BROWSER)
        get = client.get(url, headers=BROWSER)
        assert head.status_code == 200 and head.data == b""
        assert head.headers["ETag"] == get.headers["ETag"]
        assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_the_etag_changes_when_the_content_file_changes(make_app, content, clinic_file, tmp_path):
    url = f"/pain/{content.regions[0].slug}"
    before = make_app().test_client().get(url)
    changed = tmp_path / "regions.yaml"
    shutil.copy(clinic_file, changed)
    changed.write_text(changed.read_text() + "\n# reviewed again\n")
    after = make_app(CONTENT_PATH=str(changed)).test_client().get(url)
    assert after.get_data() == before.get_data(), "the comment changes no page"
    assert after.headers["ETag"] != before.headers["ETag"], "but a CDN must not keep the old copy as if it were new"
    assert make_app().test_client().get(url).headers["ETag"] == before.headers["ETag"], "stable between processes"


def test_public_pages_are_rendered_and_compressed_once(make_app, content):
    app = make_app()
    client = app.test_client()
    store = stored_responses(app)
    url = f"/pain/{content.regions[0].slug}"
    first = client.get(url, headers={"Accept-Encoding": "br"})
    [stored] = [entry for key, entry in store.entries.items() if key[3] == url and key[4] == ""]
    compressed = stored.variants["br"][2]
    again = client.get(url, headers={"Accept-Encoding": "br"})
    assert again.get_data() == first.get_data() and stored.variants["br"][2] is compressed
    tracked = client.get(url + "?utm_source=newsletter", headers={"Accept-Encoding": "br"})
    assert tracked.headers["ETag"] == first.headers["ETag"], "the same page under another query string"
    [other] = [entry for key, entry in store.entries.items() if key[4] == "utm_source=newsletter"]
    assert other is not stored and other.variants["br"][2] is compressed, "and its bytes were compressed once"


def test_rate_limits_are_checked_only_on_routes_that_have_them(make_app, content, monkeypatch):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    calls = []
    storage = app.extensions["bodymap.rate_limits"].shared
    for name in ("incr", "get", "get_expiry", "acquire_entry", "get_moving_window", "acquire_sliding_window_entry"):
        if hasattr(storage, name):
            method = getattr(storage, name)
            monkeypatch.setattr(storage, name, lambda *a, _m=method, _n=name, **k: calls.append(_n) or _m(*a, **k))
    for _, url in rule_urls(app, content):
        client.get(url)
        client.get(url, headers=HTMX)
    assert calls == [], "no public route has a limit, so none asks the store"
    send_callback(client)
    assert calls, "the callback form has its limits, and they are checked"
