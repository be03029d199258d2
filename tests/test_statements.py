"""The privacy notice and the accessibility statement: in both languages, linked from every public page's footer,
the same for everyone (kept like any public page), and saying what the app really does."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers import soup

PAGES = {"/privacy": "Privacy notice", "/accessibility": "Accessibility"}
SPANISH = {"/privacy": "Aviso de privacidad", "/accessibility": "Accesibilidad"}


def text_of(page) -> str:
    return " ".join(page.select_one("main").get_text(" ").split())


@pytest.mark.parametrize("url", PAGES)
def test_each_statement_is_a_public_page_in_both_languages(client, content, url):
    for lang, address, heading in (("en", url, PAGES[url]), ("es", f"/es{url}", SPANISH[url])):
        response = client.get(address)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=300, s-maxage=3600"
        assert "Set-Cookie" not in response.headers
        page = soup(response)
        assert page.html["lang"] == lang
        assert page.h1.get_text() == heading
        assert page.title.get_text() == f"{heading} · {content.clinic.name}"
        twin = page.select_one("a.header-language")
        assert twin["href"] == (f"/es{url}" if lang == "en" else url)


@pytest.mark.parametrize(
    "url", ["/", "/pain/knee", "/callback", "/list", "/es/", "/es/pain/knee", "/es/callback", "/privacy", "/nowhere"]
)
def test_every_public_page_links_both_from_its_footer_in_its_language(client, url):
    response = client.get(url)
    footer = soup(response).select_one("footer.site-footer")
    spanish = url.startswith("/es/")
    links = [(a["href"], a.get_text()) for a in footer.select(".about-links a")]
    if spanish:
        assert links == [("/es/privacy", "Privacidad"), ("/es/accessibility", "Accesibilidad")]
    else:
        assert links == [("/privacy", "Privacy"), ("/accessibility", "Accessibility")]


def test_the_widget_links_both_in_a_tab_of_their_own(make_app):
    app = make_app(EMBED_ORIGINS=("https://www.clinic.example",))
    for url, prefix in (("/embed?host=https://www.clinic.example", ""), ("/es/embed", "/es")):
        footer = soup(app.test_client().get(url)).select_one("footer.embed-footer")
        links = footer.select(".about-links a")
        assert [a["href"] for a in links] == [f"{prefix}/privacy", f"{prefix}/accessibility"]
        assert all(a["target"] == "_blank" and a["rel"] == ["noopener"] for a in links)
        assert all(a.select_one(".visually-hidden") for a in links)


def test_the_privacy_notice_says_what_a_request_keeps_who_sees_it_and_for_how_long(make_app, content):
    app = make_app(RETENTION_DAYS=30)
    said = text_of(soup(app.test_client().get("/privacy")))
    for fact in (
        "your name, your phone number, when to call, where it hurts",
        "Only our front desk and the staff who run this site can see it, after they sign in with a password.",
        "We delete it 30 days after you send it.",
        "These pages set no cookie.",
        "Your pain list stays in this browser tab.",
        "The email has no name, phone number or note.",
        f"call {content.clinic.name} at {content.clinic.phone}",
    ):
        assert fact in said
    spanish = text_of(soup(app.test_client().get("/es/privacy")))
    assert "Lo borramos 30 días después de que lo manda." in spanish
    assert "Solo nuestra recepción y el personal que maneja este sitio lo pueden ver" in spanish


def test_the_privacy_notice_follows_the_settings(make_app):
    quiet = text_of(soup(make_app(VIEW_COUNTING=False, RETENTION_DAYS=1).test_client().get("/privacy")))
    assert "We delete it 1 day after you send it." in quiet
    assert "We count how many times each area is opened" not in quiet
    assert "On our own website" not in quiet
    widget = text_of(soup(make_app(EMBED_ORIGINS=("https://www.clinic.example",)).test_client().get("/privacy")))
    assert "It never learns your scores or anything you type." in widget
    assert "We count how many times each area is opened each day." in widget


def test_a_clinic_adds_its_own_privacy_paragraphs_in_each_language(make_app, clinic_file, tmp_path):
    data = yaml.safe_load(clinic_file.read_text(encoding="utf-8"))
    data["clinic"]["privacy"] = ["Our privacy officer reads every letter. Write to us at our front desk."]
    data["clinic"]["es"]["privacy"] = ["Nuestra encargada de privacidad lee cada carta. Escríbanos a la recepción."]
    path = tmp_path / "regions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    client = make_app(CONTENT_PATH=str(path)).test_client()
    english = soup(client.get("/privacy")).select("section[aria-labelledby=privacy-questions] p")
    assert english[-1].get_text() == "Our privacy officer reads every letter. Write to us at our front desk."
    spanish = soup(client.get("/es/privacy")).select("section[aria-labelledby=privacy-questions] p")
    assert spanish[-1].get_text() == "Nuestra encargada de privacidad lee cada carta. Escríbanos a la recepción."


def test_the_accessibility_statement_names_its_target_tests_limits_contact_and_date(client, content):
    page = soup(client.get("/accessibility"))
    said = text_of(page)
    assert "We aim to meet WCAG 2.2 AA" in said
    for method in ("axe", "keyboard alone", "JavaScript turned off", "screen reader"):
        assert method in said
    assert page.select("section[aria-labelledby=accessibility-limits] li")
    assert page.select_one(f'section[aria-labelledby=accessibility-contact] a[href="{content.clinic.tel}"]')
    assert page.select_one("section[aria-labelledby=accessibility-contact] time")["datetime"] == "2026-12-07"
