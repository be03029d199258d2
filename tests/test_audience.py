"""Who the advice is for: adults, with a line for a child and one for pregnancy and their sources, on the home page
and every panel (site and widget), in each language; nothing when the clinic's file says nothing."""

from __future__ import annotations

import pytest
import yaml

from bodymap import content
from tests.helpers import HTMX, soup

AUDIENCE = {
    "adults": "This advice is for adults.",
    "children": {"text": "For a child, call the child's doctor.", "source": None},
    "pregnancy": {"text": "If you are pregnant, tell your midwife or doctor.", "source": None},
    "es": {
        "adults": "Estos consejos son para adultos.",
        "children": "Si es para un niño, llame al médico del niño.",
        "pregnancy": "Si está embarazada, dígaselo a su partera o a su médico.",
    },
}


def clinic_with(clinic_file, folder, audience):
    """The run's clinic file with `audience` as its audience block (None: without one)."""
    data = yaml.safe_load(clinic_file.read_text(encoding="utf-8"))
    data.pop("audience", None)
    if audience is not None:
        first, second = (source["id"] for source in data["sources"][:2])
        block = {**audience, "children": {**audience["children"], "source": first}}
        block["pregnancy"] = {**audience["pregnancy"], "source": [first, second]}
        if "es" not in data["clinic"].get("languages", ["en"]):
            block.pop("es")
        data = {"clinic": data.pop("clinic"), "sources": data.pop("sources"), "audience": block, **data}
    path = folder / "regions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def told(clinic_file, make_app, tmp_path_factory):
    """A client of the run's clinic with an audience block, and the loaded content in each of its languages."""
    app = make_app(CONTENT_PATH=str(clinic_with(clinic_file, tmp_path_factory.mktemp("audience"), AUDIENCE)))
    return app.test_client(), {lang: content.get(app, lang=lang) for lang in content.languages(app)}


def check_note(article, audience, footnotes):
    """The note says the three lines, each of the two cited lines linking to its own sources in `footnotes`."""
    note = article.select_one("[data-audience]")
    assert note is not None
    assert note.select_one(".audience-adults").get_text(strip=True) == audience.adults
    for key in ("children", "pregnancy"):
        item = getattr(audience, key)
        line = note.select_one(f'li[data-audience="{key}"]')
        assert line.get_text(" ", strip=True).startswith(item.text)
        cited = [footnotes.select_one(a["href"]).get_text(strip=True) for a in line.select("sup.cite a")]
        assert cited == [source.citation for source in item.sources]


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_home_page_says_who_the_advice_is_for_with_its_sources(told, prefix):
    client, contents = told
    lang = prefix.strip("/") or "en"
    if lang not in contents:
        pytest.skip("this clinic has no Spanish")
    page = soup(client.get(prefix + "/"))
    intro = page.select_one("#region-panel article.intro")
    check_note(intro, contents[lang].audience, intro.select_one("ol.sources"))


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_every_panel_says_who_the_advice_is_for_right_after_the_red_flags(told, region, prefix):
    client, contents = told
    lang = prefix.strip("/") or "en"
    if lang not in contents:
        pytest.skip("this clinic has no Spanish")
    shown = contents[lang].region(region.slug)
    for url, headers in [
        (f"{prefix}/pain/{region.slug}", {}),
        (f"{prefix}/pain/{region.slug}/panel", HTMX),
        (f"{prefix}/embed/pain/{region.slug}", {}),
    ]:
        article = soup(client.get(url, headers=headers)).select_one("article.region")
        note = article.select_one("[data-audience]")
        assert note.find_previous_sibling("section")["data-section"] == "red-flags", url
        check_note(article, contents[lang].audience, article.select_one("ol.sources"))
        numbers = [a.get_text() for a in article.select("sup.cite a")]
        listed = [li.get_text(strip=True) for li in article.select("ol.sources > li")]
        assert len(listed) == len(shown.footnotes_with(contents[lang].audience.statements)), url
        assert max(int(n) for n in numbers) <= len(listed)


def test_a_clinic_file_without_an_audience_shows_none(clinic_file, make_app, tmp_path, content):
    client = make_app(CONTENT_PATH=str(clinic_with(clinic_file, tmp_path, None))).test_client()
    slug = content.regions[0].slug
    for url in ["/", f"/pain/{slug}", "/embed"]:
        assert soup(client.get(url)).select("[data-audience]") == [], url
