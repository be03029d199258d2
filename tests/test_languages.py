"""English and Spanish by address: every public route (walked from the URL map) answers at its own address and under
/es/, says its language in <html lang>, names its twins for search engines and links to its twin for patients; the
pages stay the same for everyone (no cookie, nothing varies by Accept-Language); the footer says in both languages
that help in one's language is free; a clinic whose content has no Spanish has no Spanish pages at all."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from babel.dates import format_date

from bodymap.web import languages
from tests.helpers import GOOD_CALLBACK, HTMX, hidden_fields, own_soup, soup

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"
ROOT = "http://localhost"
# The routes with one address whatever the language: for machines, or the same bytes in every language.
ONE_ADDRESS = {"public.sitemap", "public.robots", "embed.loader", "embed.accent_css"}
TWIN_LANGUAGE = {"en": "es", "es": "en"}


@pytest.fixture
def spanish(content):
    """The clinic's content in Spanish; a clinic whose file has no Spanish skips (its own test is below)."""
    if "es" not in content.clinic.languages:
        pytest.skip("this clinic's content has no Spanish")
    return content.in_language("es")


def english_get_paths(app, content) -> list[str]:
    """The English address of every GET route that has one per language, with real values for its arguments."""
    slug = content.regions[0].slug
    paths = []
    for rule in app.url_map.iter_rules():
        if (rule.defaults or {}).get("lang") == "en" and "GET" in rule.methods:
            paths.append(rule.rule.replace("<slug>", slug))
    return paths


def in_language(path: str, lang: str) -> str:
    return languages.prefix(lang) + path


def page_in(client, path: str, lang: str):
    """The page at `path` in `lang`, following a redirect that keeps to the language (a panel opened directly)."""
    response = client.get(in_language(path, lang))
    for _ in range(3):  # a trailing slash, then a panel opened without htmx
        if response.status_code not in (301, 303, 308):
            break
        location = urlsplit(response.headers["Location"]).path
        assert location.startswith("/es/") == (lang == "es"), f"{path} in {lang} sent on to {location}"
        response = client.get(response.headers["Location"])
    assert response.status_code == 200, in_language(path, lang)
    return response


def without_query(url: str) -> str:
    return urlsplit(url).path


def test_every_public_callback_and_embed_route_has_an_address_in_each_language_and_staff_one(app):
    by_endpoint: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        by_endpoint.setdefault(rule.endpoint, []).append(rule)
    localized = set()
    for endpoint, rules in by_endpoint.items():
        blueprint = endpoint.split(".", 1)[0]
        if blueprint in ("public", "callback", "embed") and endpoint not in ONE_ADDRESS:
            english = [r.rule for r in rules if r.defaults == {"lang": "en"}]
            spanish = [r.rule for r in rules if r.defaults == {"lang": "es"}]
            assert english and spanish == ["/es" + rule for rule in english], endpoint
            assert len(english) + len(spanish) == len(rules), endpoint
            localized.add(endpoint)
        else:
            assert all(not r.rule.startswith("/es/") and not r.defaults for r in rules), endpoint
    assert {"public.index", "public.region_page", "public.region_panel", "public.pain_list_page", "callback.new"} <= (
        localized
    )
    assert {"embed.index", "embed.region_panel", "callback.from_list", "callback.sent"} <= localized
    assert localized == languages.LOCALIZED & set(by_endpoint)


def test_every_page_says_its_language_names_its_twins_and_links_to_its_twin(client, content, spanish):
    paths = english_get_paths(client.application, content)
    assert len(paths) >= 8
    for path in paths:
        for lang in ("en", "es"):
            response = page_in(client, path, lang)
            page = soup(response)
            where = f"{path} in {lang}"
            assert page.html["lang"] == lang, where
            here, other = without_query(response.request.url), TWIN_LANGUAGE[lang]
            twin = in_language(here.removeprefix("/es"), other) if lang == "es" else in_language(here, other)
            links = page.select(f'a[hreflang="{other}"]')
            assert links and {a["href"] for a in links} == {twin}, where
            assert all(a["lang"] == other for a in links if a.get("lang")), where
            alternates = {link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"][hreflang]')}
            if here.startswith(("/embed", "/es/embed")):
                assert alternates == {}, "the widget is part of the clinic's page, not a page for search engines"
                continue
            english = here.removeprefix("/es") or "/"
            assert alternates == {
                "en": ROOT + english,
                "es": ROOT + in_language(english, "es"),
                "x-default": ROOT + english,
            }, where


def test_the_spanish_pages_link_to_spanish_pages(client, content, spanish):
    """Every link, form and htmx request of a Spanish page stays in Spanish; only the twin link leaves for English."""
    adapter = client.application.url_map.bind("localhost")
    for path in english_get_paths(client.application, content):
        page = soup(page_in(client, path, "es"))
        checked = 0
        for element in page.select("[href], [action], [formaction], [hx-get], [hx-post]"):
            for attribute in ("href", "action", "formaction", "hx-get", "hx-post"):
                url = element.get(attribute)
                if not url or not url.startswith("/") or url.startswith("//") or element.get("hreflang") == "en":
                    continue
                method = "POST" if attribute in ("hx-post", "formaction") or element.name == "form" else "GET"
                if element.name == "form" and (element.get("method") or "get").lower() == "get":
                    method = "GET"
                endpoint, values = adapter.match(without_query(url), method=method)
                if endpoint in languages.LOCALIZED:
                    assert values["lang"] == "es", f"{url} ({attribute}) on {path} in Spanish"
                    checked += 1
        assert checked, f"no link on {path} was checked"


def test_a_panel_asked_for_by_htmx_under_es_is_a_spanish_fragment(client, content, spanish):
    region = next((r for r in content.regions if r.sides), content.regions[0])
    side = region.sides[0] if region.sides else None
    query = f"?side={side}" if side else ""
    for prefix in ("", "/embed"):
        response = client.get(f"/es{prefix}/pain/{region.slug}/panel{query}", headers=HTMX)
        assert response.status_code == 200
        fragment = soup(response)
        assert fragment.find("html") is None and fragment.find("body") is None
        assert fragment.select_one("h2").get_text() == spanish.region(region.slug).label(side)
        assert fragment.select_one("h2").get_text() != region.label(side)
        browser = client.get(f"/es{prefix}/pain/{region.slug}/panel{query}")
        assert browser.status_code == 303
        assert without_query(browser.headers["Location"]) == f"/es{prefix}/pain/{region.slug}"


def same_page(one, other) -> bool:
    """The same bytes, but for the callback form's own token (signed with the time) and submission key."""
    if one.get_data() == other.get_data():
        return True
    pages = [own_soup(response) for response in (one, other)]
    for page in pages:
        for hidden in page.select('input[type="hidden"]'):
            hidden.decompose()
        for tag in page.select("[hx-headers]"):
            del tag["hx-headers"]
    return str(pages[0]) == str(pages[1])


def test_the_language_comes_from_the_address_alone_and_nothing_varies_by_it(client, content, spanish):
    for path in english_get_paths(client.application, content):
        for lang in ("en", "es"):
            url = in_language(path, lang)
            plain = client.get(url)
            asked = client.get(url, headers={"Accept-Language": TWIN_LANGUAGE[lang]})
            assert asked.status_code == plain.status_code and same_page(asked, plain), url
            for response in (plain, asked, client.get(url, headers=HTMX)):
                assert "accept-language" not in response.headers.get("Vary", "").lower(), url
                assert response.status_code < 300 or "Location" in response.headers, url
                if not path.startswith("/callback"):  # the form's session, with its CSRF token, is private anyway
                    assert "Set-Cookie" not in response.headers, url
                    assert response.cache_control.public, url


def test_only_a_browser_that_prefers_spanish_is_offered_it_at_the_top_of_the_english_page(client, spanish):
    english, spanish_page = soup(client.get("/")), soup(client.get("/es/"))
    offer = english.select_one("[data-suggest-language]")
    assert offer["data-suggest-language"] == "es" and offer["lang"] == "es"
    assert offer.has_attr("hidden"), "hidden until bodymap.js finds Spanish preferred"
    assert offer.select_one('a[hreflang="es"]')["href"] == "/es/"
    assert offer.find_previous("header") is None, "it comes before everything but the skip link"
    assert spanish_page.select("[data-suggest-language]") == []


def test_error_pages_follow_the_language_of_the_address(client, spanish):
    for url, lang in [("/es/no-such-page", "es"), ("/es/pain/nowhere", "es"), ("/no-such-page", "en")]:
        response = client.get(url)
        assert response.status_code == 404
        assert soup(response).html["lang"] == lang, url
    refused = client.post("/es/callback", data={**GOOD_CALLBACK})  # no CSRF token
    assert refused.status_code == 400 and soup(refused).html["lang"] == "es"


def test_forms_posted_under_es_answer_in_spanish_and_link_to_their_english_twin(make_app, content, spanish):
    client = make_app(EMBED_ORIGINS=("https://www.clinic.example",)).test_client()
    slug = content.regions[0].slug
    pain_list = client.post("/es/list", data={"action": "add", "areas-0-region": slug, "areas-0-side": ""})
    assert pain_list.status_code in (200, 422) and soup(pain_list).html["lang"] == "es"
    assert soup(pain_list).select_one('a[hreflang="en"]')["href"] == "/list"
    form = client.post("/es/callback/from-list", data={"areas-0-region": slug})
    page = soup(form)
    assert form.status_code == 200 and page.html["lang"] == "es"
    assert page.select_one('a[hreflang="en"]')["href"] == "/callback"
    assert page.select_one("#callback-form")["action"] == "/es/callback"
    widget = client.post("/es/embed/list?host=https%3A%2F%2Fwww.clinic.example&view=back", data={"action": "update"})
    twin = urlsplit(soup(widget).select_one('a[hreflang="en"]')["href"])
    assert twin.path == "/embed"
    assert parse_qs(twin.query) == {"host": ["https://www.clinic.example"], "view": ["back"]}


def test_a_spanish_callback_request_is_sent_to_the_spanish_address_and_confirmed_in_spanish(db_client, spanish):
    form = db_client.get("/es/callback")
    sent = db_client.post("/es/callback", data={**hidden_fields(form), **GOOD_CALLBACK})
    assert sent.status_code == 303 and sent.headers["Location"] == "/es/callback/sent"
    assert soup(db_client.get("/es/callback/sent")).html["lang"] == "es"


def test_switching_language_does_not_get_round_the_callback_limit_and_the_refusal_is_in_spanish(make_app, spanish):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    for lang in ("en", "es", "en", "es", "en"):  # the five an hour that reach the desk, in both languages
        form = client.get(in_language("/callback", lang))
        sent = client.post(in_language("/callback", lang), data={**hidden_fields(form), **GOOD_CALLBACK})
        assert sent.status_code == 303, lang
    form = client.get("/es/callback")
    refused = client.post("/es/callback", data={**hidden_fields(form), **GOOD_CALLBACK})
    assert refused.status_code == 429
    assert soup(refused).html["lang"] == "es"


def test_the_widget_keeps_its_options_in_its_twin(make_app, content, spanish):
    client = make_app(EMBED_ORIGINS=("https://www.clinic.example",)).test_client()
    query = "?host=https%3A%2F%2Fwww.clinic.example&view=back&promo=evil.example"
    for lang in ("en", "es"):
        page = soup(client.get(in_language("/embed", lang) + query))
        assert page.html["lang"] == lang
        other = TWIN_LANGUAGE[lang]
        twin = urlsplit(page.select_one(f'footer a[hreflang="{other}"]')["href"])
        assert twin.path == in_language("/embed", other)
        assert parse_qs(twin.query) == {"host": ["https://www.clinic.example"], "view": ["back"]}


def test_a_trailing_slash_still_moves_to_the_address_without_it_in_each_language(client, content):
    slug = content.regions[0].slug
    for lang in languages.offered(client.application):
        response = client.get(in_language(f"/pain/{slug}/", lang))
        assert response.status_code == 301 and response.headers["Location"] == in_language(f"/pain/{slug}", lang)


def test_the_sitemap_lists_every_page_in_both_languages_with_its_alternates(client, content, spanish):
    root = ET.fromstring(client.get("/sitemap.xml").data)
    entries = {
        url.findtext(f"{SITEMAP_NS}loc"): {
            link.get("hreflang"): link.get("href")
            for link in url.iter(f"{XHTML_NS}link")
            if link.get("rel") == "alternate"
        }
        for url in root.iter(f"{SITEMAP_NS}url")
    }
    english = [ROOT + "/"] + [f"{ROOT}/pain/{r.slug}" for r in content.regions]
    spanish_pages = [ROOT + "/es/"] + [f"{ROOT}/es/pain/{r.slug}" for r in content.regions]
    assert list(entries) == english + spanish_pages
    for en, es in zip(english, spanish_pages, strict=True):
        assert entries[en] == entries[es] == {"en": en, "es": es, "x-default": en}
    robots = client.get("/robots.txt").get_data(as_text=True).splitlines()
    assert {"Disallow: /es/callback", "Disallow: /es/embed", "Disallow: /es/list"} <= set(robots)


def expected_help(content, lang: str) -> str:
    notice = content.clinic.language_help
    return (notice.text if lang == "en" else notice.es).replace("{phone}", content.clinic.phone)


def test_every_page_says_in_english_and_spanish_that_language_help_is_free(client, content, spanish):
    notice = content.clinic.language_help
    assert notice is not None and notice.es
    for path in english_get_paths(client.application, content):
        for lang in ("en", "es"):
            page = soup(page_in(client, path, lang))
            where = f"{path} in {lang}"
            lines = page.select(".language-help p")
            assert [line["lang"] for line in lines] == [lang, TWIN_LANGUAGE[lang]], where
            assert lines[0].find_parent("footer") is not None, where
            for line in lines:
                said = line.get_text(" ", strip=True)
                assert re.sub(r"\s+", " ", said).startswith(expected_help(content, line["lang"])), where
                assert line.select_one(f'a[href="{content.clinic.tel}"]').get_text() == content.clinic.phone
                day = line.select_one(".as-of time")
                assert day["datetime"] == notice.as_of.isoformat(), where
                assert day.get_text() == format_date(notice.as_of, "long", locale=line["lang"]), where


def english_only(source: Path, folder: Path) -> Path:
    """A copy of the clinic's file without its Spanish: `languages: [en]` and no `es:` block anywhere."""

    def strip(node):
        if isinstance(node, dict):
            return {key: strip(value) for key, value in node.items() if key != "es"}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    document = strip(yaml.safe_load(source.read_text()))
    document["clinic"]["languages"] = ["en"]
    path = folder / "english-only.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return path


def test_a_clinic_without_spanish_has_no_spanish_pages_and_no_language_links(clinic_file, content, tmp_path):
    from tests.conftest import build_app

    app = build_app(english_only(Path(clinic_file), tmp_path), tmp_path)
    assert languages.offered(app) == ("en",)
    client = app.test_client()
    for path in english_get_paths(app, content):
        missing = client.get(in_language(path, "es"))
        assert missing.status_code == 404, path
        assert soup(missing).html["lang"] == "en"
        page = soup(page_in(client, path, "en"))
        assert page.select("[hreflang], [data-suggest-language]") == [], path
        assert [line["lang"] for line in page.select(".language-help p")] in ([], ["en"]), path
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    assert not any("/es/" in loc.text for loc in sitemap.iter(f"{SITEMAP_NS}loc"))
    assert list(sitemap.iter(f"{XHTML_NS}link")) == []
    assert "/es/" not in client.get("/robots.txt").get_data(as_text=True)


def test_staff_pages_stay_english_with_one_address(client):
    page = soup(client.get("/staff/login"))
    assert page.html["lang"] == "en"
    assert page.select("[hreflang]") == []
    assert client.get("/es/staff/login").status_code == 404
