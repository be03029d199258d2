"""Every string a patient reads has its Spanish: the catalogs are complete, match the code, are compiled, and no
English UI string is left on a Spanish page (every public route from the URL map, the pain list, the print sheet,
the callback form, its errors and its confirmation, and every error page).

"English left on a Spanish page" is read against the catalog: a source string (msgid) of the code or templates
found in a Spanish page's visible text or its read-aloud attributes means a string that was not marked, or whose
translation did not reach the page."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from flask import render_template

from bodymap.content import reading
from bodymap.web import languages
from bodymap.web.errors import wait_in_words
from tests.helpers import GOOD_CALLBACK, HTMX, hidden_fields, own_soup, soup

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "bodymap" / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
SPANISH = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
# As the Makefile's `translations` target collects them: `_l` and `lazy_gettext` are the lazy strings of forms.
KEYWORDS = ("lazy_gettext", "_l")
# Where a page's words are read aloud or shown outside its text.
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "label")
READ_META = ("description", "og:title", "og:description")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"<[^>]+>")


def catalog(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def messages(path: Path) -> dict:
    """msgid (a tuple for a plural) -> msgstr (a tuple for a plural), the header left out."""
    return {message.id: message.string for message in catalog(path) if message.id}


def extracted(tmp_path: Path) -> set:
    """The msgids of the code and templates now, collected as `make translations` collects them."""
    pot = tmp_path / "messages.pot"
    keywords = [arg for keyword in KEYWORDS for arg in ("--keyword", keyword)]
    mapping = str(ROOT / "babel.cfg")
    command = ["pybabel", "--quiet", "extract", "--mapping-file", mapping, *keywords, "--output-file", str(pot)]
    CommandLineInterface().run([*command, str(ROOT / "bodymap"), str(ROOT / "templates")])  # pybabel, in-process
    return set(messages(pot))


# The catalogs ------------------------------------------------------------------------------------------------------


def test_there_is_a_spanish_catalog():
    assert SPANISH in CATALOGS
    assert len(messages(SPANISH)) > 100, "every string a patient reads is in it"


@pytest.mark.one_clinic
@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_message_is_translated_and_none_is_fuzzy(po):
    loaded = catalog(po)
    fuzzy = [message.id for message in loaded if message.id and message.fuzzy]
    empty = [
        message.id
        for message in loaded
        if message.id and not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert not fuzzy, f"fuzzy (a guess pybabel made, not a translation) in {po.name}: {fuzzy}"
    assert not empty, f"no translation in {po.parts[-3]}: {empty}"


@pytest.mark.one_clinic
@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_each_translation_keeps_the_placeholders_of_its_source(po):
    for source, translation in messages(po).items():
        for one in translation if isinstance(translation, tuple) else (translation,):
            wanted = set(PLACEHOLDER.findall(" ".join(source) if isinstance(source, tuple) else source))
            assert set(PLACEHOLDER.findall(one)) == wanted, (source, one)


@pytest.mark.one_clinic
@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_the_catalog_holds_exactly_the_strings_of_the_code(po, tmp_path):
    in_code = extracted(tmp_path)
    in_catalog = set(messages(po))
    assert in_code, "the strings were collected"
    missing, stale = in_code - in_catalog, in_catalog - in_code
    assert not missing, f"strings with no place in {po.parts[-3]} (run `make translations`, then translate): {missing}"
    assert not stale, f"strings the code no longer has (run `make translations`): {stale}"


@pytest.mark.one_clinic
@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_the_compiled_catalog_is_the_one_the_po_file_makes(po, tmp_path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: `make catalogs` (make run and make test do it) compiles it"
    fresh = tmp_path / "messages.mo"
    with fresh.open("wb") as file:
        write_mo(file, catalog(po))
    assert mo.read_bytes() == fresh.read_bytes(), f"{mo} is older than its .po: run `make catalogs`"


@pytest.mark.one_clinic
def test_the_spanish_of_the_pages_reads_easy():
    """The words around the clinic's content read as easily as the content must (Fernández-Huerta 70 or more), taken
    together and, for each sentence-long message, with some room for a short one's noisy score."""
    sentences = []
    for translation in messages(SPANISH).values():
        text = PLACEHOLDER.sub("X", TAG.sub("", translation[0] if isinstance(translation, tuple) else translation))
        if len(text.split()) >= 6:
            sentences.append(text if text.rstrip().endswith((".", "?", ":", "!")) else text + ".")
    assert sentences
    hard = [(round(reading.score("es", s)), s) for s in sentences if reading.score("es", s) < 60]
    assert not hard, f"hard to read: {hard}"
    assert reading.score("es", " ".join(sentences)) >= 70


# No English on a Spanish page ----------------------------------------------------------------------------------------


@functools.cache
def english_patterns() -> dict[str, tuple[str, re.Pattern]]:
    """For each source string a reader could spot (8 characters or more, or with a space, once its placeholders
    and tags are taken out) whose Spanish differs from it: a pattern that finds it in a page's text, with the
    longest piece of it a page's text must hold word for word for the pattern to be worth trying."""
    patterns = {}
    for source, translation in messages(SPANISH).items():
        sources = source if isinstance(source, tuple) else (source,)
        translations = translation if isinstance(translation, tuple) else (translation,)
        for one in sources:
            if one in translations:
                continue  # "911" reads the same
            text = " ".join(TAG.sub(" ", one).split())
            literal = " ".join(PLACEHOLDER.sub(" ", text).split())
            if len(literal) < 8 and " " not in literal:
                continue
            pieces = [" ".join(piece.split()) for piece in PLACEHOLDER.split(text)[::2]]
            parts = [r"\s+".join(map(re.escape, piece.split())) for piece in pieces]
            pattern = r"\s*.{1,200}?\s*".join(parts).strip()
            compiled = re.compile(rf"(?<!\w){pattern}(?!\w)" if literal[-1:].isalnum() else rf"(?<!\w){pattern}")
            patterns[one] = (max(pieces, key=len), compiled)
    return patterns


def read_texts(page) -> list[str]:
    """What a reader sees or hears of a page in Spanish: its text (with the title), and the words in its attributes.
    What the page marks as written in another language (the link to the English page, the English line of the
    language-help notice) is left out: it is meant to be read in that language."""
    for hidden in page.select("script, style"):
        hidden.decompose()
    for other in page.find_all(lambda tag: tag.name != "html" and tag.get("lang") and not tag["lang"].startswith("es")):
        other.decompose()
    texts = [page.get_text(" ")]
    for name in READ_ATTRIBUTES:
        texts += [tag[name] for tag in page.find_all(attrs={name: True})]
    for meta in page.find_all("meta"):
        if meta.get("name") in READ_META or meta.get("property") in READ_META:
            texts.append(meta.get("content", ""))
    return [" ".join(text.split()) for text in texts]


def english_in(page) -> list[str]:
    texts = read_texts(page)
    return sorted(
        {
            source
            for source, (piece, pattern) in english_patterns().items()
            if any(piece in text and pattern.search(text) for text in texts)
        }
    )


def spanish_offered(app) -> None:
    with app.app_context():
        if "es" not in languages.offered(app):
            pytest.skip("this clinic's content has no Spanish")


def spanish_get_urls(app, content) -> list[str]:
    """Every page a patient can open in Spanish, from the URL map (staff pages stay English), with each side."""
    region = next((r for r in content.regions if r.sides), content.regions[0])
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") or "GET" not in rule.methods or not rule.rule.startswith("/es/"):
            continue
        path = rule.rule.replace("<slug>", region.slug)
        assert "<" not in path, f"no value for an argument of {rule.rule}"
        urls += [path, *(f"{path}?side={side}" for side in region.sides)] if "<slug>" in rule.rule else [path]
    return urls


def list_fields(content, action: str, **extra) -> dict:
    """Two areas with scores, feelings and how long: the pain list as a browser posts it."""
    first, second = content.regions[0], content.regions[-1]
    return {
        "areas-0-region": first.slug,
        "areas-0-side": (first.sides or ("",))[0],
        "areas-0-pain": "0",
        "areas-0-feelings": ["aching", "tingling"],
        "areas-0-duration": "6-12-weeks",
        "areas-1-region": second.slug,
        "areas-1-side": (second.sides or ("",))[-1],
        "areas-1-pain": "10",
        "areas-1-duration": "over-3-months",
        "action": action,
        **extra,
    }


def assert_spanish(response, where: str) -> None:
    assert response.status_code < 500, where
    assert response.mimetype == "text/html", where
    left = english_in(own_soup(response))
    assert not left, f"English left on {where}: {left}"


def test_the_check_finds_the_english_of_an_english_page(client, content):
    """The check can fail: on the English pages it finds the catalog's strings."""
    assert {"Where's your pain?", "All areas of the body"} <= set(english_in(own_soup(client.get("/"))))
    assert "Please tell us your name." in english_in(
        own_soup(client.post("/callback", data=hidden_fields(client.get("/callback"))))
    )


def test_every_spanish_page_of_the_url_map_has_no_english_ui_string(app, client, content):
    spanish_offered(app)
    urls = spanish_get_urls(app, content)
    assert {"/es/", "/es/callback", "/es/embed", "/es/list"} <= {url.split("?")[0] for url in urls}
    for url in urls:
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers)
            if response.mimetype == "text/html":
                assert_spanish(response, f"{url} {headers}")


@pytest.mark.parametrize("action", ["show", "add", "update", "remove-0", "clear", "print"])
@pytest.mark.parametrize("url", ["/es/list", "/es/embed/list"])
def test_the_spanish_pain_list_and_its_sheet_have_no_english(app, client, content, url, action):
    spanish_offered(app)
    extra = {"new-region": content.regions[1].slug, "new-pain": "5"} if action == "add" else {}
    fields = list_fields(content, action, **extra)
    for headers in ({}, HTMX):
        assert_spanish(client.post(url, data=fields, headers=headers), f"{url} {action} {headers}")


def test_the_spanish_pain_lists_corrections_have_no_english(app, client, content):
    spanish_offered(app)
    middle = next((r for r in content.regions if not r.sides), content.regions[0])
    fields = list_fields(content, "update", **{"areas-0-region": middle.slug, "areas-0-side": "left"})
    fields |= {"areas-1-pain": "eleven", "areas-2-region": "spleen"}
    response = client.post("/es/list", data=fields)
    assert soup(response).select_one("[data-pain-list-message]"), "the corrections are said"
    assert_spanish(response, "the list's corrections")


def test_the_spanish_callback_form_its_errors_and_its_confirmation_have_no_english(app, client, content):
    spanish_offered(app)
    form = client.get("/es/callback")
    assert_spanish(form, "the form")
    errors = client.post("/es/callback", data={**hidden_fields(form), "phone": "12", "note": "x" * 600})
    assert errors.status_code == 422 and soup(errors).select(".error-summary li"), "the errors are listed"
    assert_spanish(errors, "the form's errors")
    twice = {**GOOD_CALLBACK, "areas-1-region": "knee", "areas-1-side": "left", "action": "add-area"}
    assert_spanish(client.post("/es/callback", data={**hidden_fields(form), **twice}), "a redrawn form")
    from_list = client.post("/es/callback/from-list", data=list_fields(content, "show"))
    assert_spanish(from_list, "the form filled in from the list")
    for headers in ({}, HTMX):
        data = {**hidden_fields(client.get("/es/callback")), **GOOD_CALLBACK}  # a new form each time: a new request
        sent = client.post("/es/callback", data=data, headers=headers)
        assert sent.status_code in (200, 201, 303), sent.status_code
        page = client.get(sent.headers["Location"]) if sent.status_code == 303 else sent
        assert soup(page).select_one(".confirmation"), "the confirmation"
        assert_spanish(page, f"the confirmation {headers}")


def test_the_spanish_error_answers_have_no_english(app, client, content):
    spanish_offered(app)
    slug = content.regions[0].slug
    assert_spanish(client.get("/es/nowhere"), "a 404 page")
    assert_spanish(client.get(f"/es/pain/{slug}?side=middle"), "a 404 for a side")
    assert_spanish(client.get(f"/es/pain/{slug}/panel?side=middle", headers=HTMX), "a 404 in the panel")
    assert_spanish(client.post("/es/callback", data=GOOD_CALLBACK), "a form with no token")
    big = client.post("/es/callback", data={"note": "x" * 20000})
    assert big.status_code == 413
    assert_spanish(big, "a 413")


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "templates" / "errors").glob("[0-9_]*.html")))
def test_every_error_template_in_spanish_has_no_english(app, content, name):
    """Every error page and panel fragment (500, 503 and 429 too, which a test can hardly cause), drawn for a
    Spanish address as its handler draws it."""
    spanish_offered(app)
    if name == "_region_index":
        pytest.skip("a part of the 404 pages, checked with them")
    with app.test_request_context("/es/"):
        app.preprocess_request()
        assert languages.current() == "es"
        html = render_template(f"errors/{name}.html", message="", wait=wait_in_words(90))
    left = english_in(BeautifulSoup(html, "lxml"))
    assert not left, f"English left on errors/{name}.html: {left}"
