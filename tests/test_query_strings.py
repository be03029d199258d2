"""A visitor's query string stays in their own answer: pages are kept for everyone (in this process's store and in a
CDN), so no link, redirect or form of any other response may carry what one visitor typed after the `?`."""

from __future__ import annotations

import pytest

from tests.helpers import HTMX

pytestmark = pytest.mark.one_clinic  # the same for any clinic's file

TRAP = "promo=evil.example&_anchor=x&_external=1"
# Query arguments the app's own `url_for` once took from the request: each must be ignored, never a 5xx.
REPRODUCERS = ["endpoint=x", "_method=POST", "lang=fr", "slug=x", "_external=1", "_scheme=https", "side=left&side=x"]


def public_get_urls(app) -> list[str]:
    """Every GET address patients reach (the site, its Spanish twin, the widget, the callback form), with a region."""
    urls = set()
    slug = app.extensions["bodymap.content"]["en"].regions[0].slug
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.split(".")[0] not in ("public", "embed", "callback"):
            continue
        values = {"slug": slug, **(rule.defaults or {})}
        urls.add(rule.build({k: v for k, v in values.items() if k in rule.arguments})[1])
    return sorted(urls)


@pytest.fixture(scope="module")
def query_app(clinic_file, tmp_path_factory):
    from tests.conftest import build_app

    return build_app(clinic_file, tmp_path_factory.mktemp("query"), EMBED_ORIGINS=("https://www.clinic.example",))


def test_every_public_route_is_listed(query_app):
    urls = public_get_urls(query_app)
    assert {"/", "/es/", "/embed", "/callback", "/sitemap.xml", "/robots.txt"} <= set(urls)
    assert any(url.startswith("/pain/") and url.endswith("/panel") for url in urls)


def test_no_response_carries_another_visitors_query_string(query_app):
    client = query_app.test_client()
    urls = public_get_urls(query_app)
    for url in urls:
        for headers in ({}, HTMX):
            response = client.get(f"{url}?{TRAP}", headers=headers)
            assert response.status_code < 500, url
    for url in urls:
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers)
            body = response.get_data(as_text=True)
            for trace in ("evil.example", "_anchor", "_external", "promo"):
                assert trace not in body, f"{url} carries {trace}"
                assert trace not in response.headers.get("Location", ""), url


@pytest.mark.parametrize("query", REPRODUCERS)
def test_query_arguments_the_app_did_not_choose_are_ignored_never_a_server_error(query_app, query):
    client = query_app.test_client()
    for url in public_get_urls(query_app):
        for headers in ({}, HTMX):
            response = client.get(f"{url}?{query}", headers=headers)
            assert response.status_code < 500, f"{url}?{query}"
            assert "evil.example" not in response.headers.get("Location", "")
