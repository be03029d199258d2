"""The content in Spanish: complete, easy to read, the same facts and sources as the English, and refused
with file and line when a Spanish field is missing, empty, extra or of the wrong length.

The reading and completeness tests hold for any clinic whose file lists es (both of the suite's files do);
the file-format tests use small files of their own.
"""

from __future__ import annotations

import re

import pytest
import textstat
from flask import g, render_template_string

from bodymap import content as bodymap_content
from bodymap import create_app
from bodymap.content import ContentError, drawing, load
from tests.helpers import CLINICS, soup
from tests.test_content_quality import patient_text, sentences
from tests.test_content_validation import MINIMAL, line_of, run_check

EASY = 70.0  # Fernández-Huerta: 70 to 80 is "fácil" (easy), above 80 easier still
PACK = re.compile(r"\bcompresa\b", re.IGNORECASE)
SPANISH = {name: loaded.in_language("es") for name, loaded in CLINICS.items() if "es" in loaded.clinic.languages}


@pytest.fixture
def spanish(content):
    """This run's clinic in Spanish."""
    if "es" not in content.clinic.languages:
        pytest.skip("this clinic's file has no Spanish")
    return next(SPANISH[name] for name, loaded in CLINICS.items() if loaded is content)


@pytest.fixture
def in_spanish():
    """textstat measuring Spanish (syllables by Spanish hyphenation), then English again for the other tests."""
    textstat.set_lang("es")
    yield textstat.fernandez_huerta
    textstat.set_lang("en_US")


def test_both_clinic_files_of_the_suite_are_in_english_and_spanish():
    """So every test below runs on both files, and the shipped seed offers the site in Spanish."""
    assert all(loaded.clinic.languages == ("en", "es") for loaded in CLINICS.values())
    assert set(SPANISH) == set(CLINICS)


# Reading ease ----------------------------------------------------------------------------------------------------


def test_each_region_reads_as_easy_spanish(region, spanish, in_spanish):
    """Measured like the English grade: summary, causes, self-care, when to get checked, red flags, treatments."""
    es = spanish.region(region.slug)
    assert in_spanish(patient_text(es)) >= EASY
    assert in_spanish(es.summary) >= EASY


def test_treatment_and_clinic_spanish_reads_as_easy(spanish, in_spanish):
    for treatment in spanish.treatments:
        text = treatment.description + " " + sentences(treatment.contraindications)
        assert in_spanish(text) >= EASY, treatment.id
    clinic = spanish.clinic
    notices = [n.text for n in (clinic.direct_access, clinic.language_help) if n]
    for text in (clinic.appointments, clinic.disclaimer, *notices):
        assert in_spanish(text) >= EASY, text


def test_the_easy_score_is_the_one_textstat_gives_for_spanish(in_spanish):
    """A long sentence of long words is not easy: the bar can be failed."""
    hard = (
        "La interpretación administrativa correspondiente a las contraindicaciones terapéuticas"
        " establecidas internacionalmente imposibilita categóricamente cualquier aplicación."
    )
    assert in_spanish(hard) < EASY
    assert in_spanish("Llame al 911. Siga en movimiento. Use una compresa fría.") >= EASY


# The same facts, places and sources --------------------------------------------------------------------------------


def test_the_spanish_content_is_the_english_with_its_text_swapped(content, spanish):
    assert spanish.language == "es" and content.language == "en"
    assert spanish.sources == content.sources
    assert [t.id for t in spanish.treatments] == [t.id for t in content.treatments]
    assert [t.kind for t in spanish.treatments] == [t.kind for t in content.treatments]
    clinic, english = spanish.clinic, content.clinic
    assert (clinic.name, clinic.phone, clinic.tel, clinic.booking_url) == (
        english.name,
        english.phone,
        english.tel,
        english.booking_url,
    )
    assert clinic.disclaimer == english.es.disclaimer != english.disclaimer
    assert clinic.appointments == english.es.appointments
    if english.direct_access:
        assert clinic.direct_access.text == english.es.direct_access
        assert clinic.direct_access.as_of == english.direct_access.as_of
    assert clinic.hours == english.hours  # the days are data: each language names them in its own words


def test_each_spanish_region_keeps_the_english_places_treatments_and_footnotes(content, spanish):
    assert [r.slug for r in spanish.regions] == [r.slug for r in content.regions]
    for english, es in zip(content.regions, spanish.regions, strict=True):
        assert es.markers == english.markers and es.sides == english.sides
        assert [t.id for t in es.treatments_shown] == [t.id for t in english.treatments_shown]
        assert es.treatments == tuple(
            spanish.treatments[[t.id for t in spanish.treatments].index(t.id)] for t in english.treatments
        )
        assert es.footnotes == english.footnotes, english.slug
        assert es.summary == english.es.summary != english.summary


def test_each_spanish_statement_cites_what_its_english_cites(content, spanish):
    for english, es in zip(content.regions, spanish.regions, strict=True):
        pairs = [(english.not_improving, es.not_improving)]
        pairs += zip(english.red_flags.emergency, es.red_flags.emergency, strict=True)
        pairs += zip(english.red_flags.urgent, es.red_flags.urgent, strict=True)
        for said, dicho in pairs:
            assert dicho.sources == said.sources and dicho.text != said.text, (english.slug, said.text)
            assert es.cites(dicho) == english.cites(said)
        assert len(es.screening.emergency) == len(es.red_flags.emergency)
        assert len(es.screening.urgent) == len(es.red_flags.urgent)
        assert all(q.endswith("?") for q in [*es.screening.emergency, *es.screening.urgent, *es.screening.general])
    for english, es in zip(content.treatments, spanish.treatments, strict=True):
        assert [c.sources for c in es.contraindications] == [c.sources for c in english.contraindications]


def test_one_english_sentence_has_one_spanish_wording_across_regions(content):
    """A red flag, question or 'not getting better' line shared by regions reads the same in each."""
    wordings: dict[str, set[str]] = {}
    for region in content.regions:
        pairs = [(region.not_improving.text, region.es.not_improving)]
        for tier in ("emergency", "urgent"):
            pairs += zip(
                [f.text for f in getattr(region.red_flags, tier)], getattr(region.es.red_flags, tier), strict=True
            )
        for tier in ("emergency", "urgent", "general"):
            pairs += zip(getattr(region.screening, tier), getattr(region.es.screening, tier), strict=True)
        for english, spanish in pairs:
            wordings.setdefault(english, set()).add(spanish)
    assert {english: said for english, said in wordings.items() if len(said) > 1} == {}


def test_the_spanish_disclaimer_still_says_call_911(spanish):
    assert "911" in spanish.clinic.disclaimer


def test_every_spanish_self_care_tip_about_a_pack_gives_the_same_safety(spanish):
    heat, cold = (next(t for t in spanish.treatments if t.id == i).description.lower() for i in ("heat", "cold"))
    safety = re.split(r"[.,;:] ", heat)[-1]
    assert cold.endswith(safety) and "toalla" in safety and "minutos" in safety
    for region in spanish.regions:
        tips = [tip for tip in region.self_care if PACK.search(tip)]
        assert tips and all(tip.lower().endswith(safety) for tip in tips), (region.slug, tips)


def test_spanish_says_usted_not_tu(spanish):
    texts = [spanish.clinic.appointments, spanish.clinic.disclaimer]
    texts += [text for t in spanish.treatments for text in (t.description, *(c.text for c in t.contraindications))]
    for r in spanish.regions:
        texts += [r.summary, *r.self_care, r.not_improving.text, *(f"{c.name} {c.about}" for c in r.conditions)]
        texts += [f.text for f in (*r.red_flags.emergency, *r.red_flags.urgent)]
        texts += [*r.screening.emergency, *r.screening.urgent, *r.screening.general]
    informal = re.compile(r"\b(tú|tienes|puedes|quieres|haz|tu|tus|te|ti|contigo)\b", re.IGNORECASE)
    assert [t for t in texts if informal.search(t)] == []


def test_a_paired_region_names_its_side_after_the_noun_in_spanish(content, spanish):
    for english, es in zip(content.regions, spanish.regions, strict=True):
        assert es.label(None) == es.name == english.es.name
        for side, word in (("left", "izquierd"), ("right", "derech")):
            if side in english.sides:
                label = es.label(side)
                assert label.split()[0] == es.name.split()[0] and word in label.lower(), label
                assert english.label(side).lower().startswith(side)


def test_every_spanish_name_fits_on_the_map_beside_its_circle(spanish):
    """The map draws each circle's name (20 characters at most fit across it): Spanish names run longer."""
    for view in ("front", "back"):
        spots = drawing.spots(spanish.markers(view))
        assert sorted(spot.text for spot in spots) == sorted(
            r.label(None if m.side == "centre" else m.side) for r, m in spanish.markers(view)
        )
        assert all(drawing.in_picture(spot.label.box) for spot in spots)


# The file format ----------------------------------------------------------------------------------------------------

MINIMAL_ES = (
    MINIMAL.replace("clinic:\n", "clinic:\n  languages: [en, es]\n")
    .replace(
        '  disclaimer: "This is general health advice. It is not a diagnosis. In an emergency, call 911."\n',
        '  disclaimer: "This is general health advice. It is not a diagnosis. In an emergency, call 911."\n'
        "  es:\n"
        '    appointments: "A menudo tenemos citas el mismo día."\n'
        '    disclaimer: "Son consejos generales de salud. No son un diagnóstico. En una emergencia, llame al 911."\n'
        '    direct_access: "No necesita un referido."\n',
    )
    .replace(
        '      - {text: "The skin there is broken", source: leaflet}\n',
        '      - {text: "The skin there is broken", source: leaflet}\n'
        "    es:\n"
        '      name: "Calor"\n'
        '      description: "Una compresa caliente."\n'
        '      contraindications: ["La piel de esa zona está abierta"]\n',
    )
    .replace(
        '    description: "Short walks."\n    contraindications: []\n',
        '    description: "Short walks."\n    contraindications: []\n'
        '    es: {name: "Caminar", description: "Paseos cortos.", contraindications: []}\n',
    )
    .replace(
        "    sources: [guide]\n  - slug: knee\n",
        "    sources: [guide]\n"
        "    es:\n"
        '      name: "Cuello"\n'
        '      summary: "El dolor de cuello es común."\n'
        '      conditions: [{name: "Tirón", about: "Un músculo estirado."}]\n'
        '      self_care: ["Siga en movimiento."]\n'
        '      not_improving: "¿No mejora en unas semanas? Vea a un médico."\n'
        '      red_flags: {emergency: ["Dificultad para hablar."], urgent: ["Fiebre."]}\n'
        "      screening:\n"
        '        emergency: ["¿Tiene dificultad para hablar?"]\n'
        '        urgent: ["¿Tiene fiebre?"]\n'
        '        general: ["¿Cuándo empezó?"]\n'
        "  - slug: knee\n",
    )
    + "    es:\n"
    '      name: "Rodilla"\n'
    '      sides: {left: "Rodilla izquierda", right: "Rodilla derecha"}\n'
    '      summary: "El dolor de rodilla es común."\n'
    '      conditions: [{name: "Esguince", about: "Un ligamento estirado."}]\n'
    '      self_care: ["Descanse."]\n'
    '      not_improving: "¿No mejora en 2 semanas? Vea a un médico."\n'
    "      red_flags:\n"
    '        emergency: ["La pierna se ve deforme."]\n'
    '        urgent: ["No puede apoyar su peso."]\n'
    "      screening:\n"
    '        emergency: ["¿Se ve deforme la pierna?"]\n'
    '        urgent: ["¿Puede apoyar su peso?"]\n'
    '        general: ["¿Cómo empezó?"]\n'
)


def problems_in(tmp_path, text: str) -> list[str]:
    path = tmp_path / "regions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load(path)
    return caught.value.problems


def test_a_file_in_english_and_spanish_loads_with_its_spanish(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(MINIMAL_ES, encoding="utf-8")
    loaded = load(path)
    assert loaded.clinic.languages == ("en", "es")
    es = loaded.in_language("es")
    assert es.region("knee").label("left") == "Rodilla izquierda" and loaded.region("knee").label("left") == "Left knee"
    assert es.region("neck").red_flags.urgent[0].sources == loaded.region("neck").red_flags.urgent[0].sources
    assert [t.name for t in es.region("knee").treatments] == ["Calor", "Caminar"]
    assert es.clinic.direct_access.text == "No necesita un referido."


SPANISH_FIELDS = "conditions, lasts, name, not_improving, red_flags, screening, self_care, sides, summary"
# Every kind of Spanish mistake, in one file: each is named with its line, owner and field, in file order.
BROKEN_ES = (
    MINIMAL_ES.replace('    direct_access: "No necesita un referido."\n', "")
    .replace('      contraindications: ["La piel de esa zona está abierta"]\n', "")
    .replace('    es: {name: "Caminar", description: "Paseos cortos.", contraindications: []}\n', "")
    .replace('summary: "El dolor de cuello es común."', 'sumario: "El dolor de cuello es común."')
    .replace('self_care: ["Siga en movimiento."]', 'self_care: ["Siga en movimiento.", "Descanse."]')
    .replace('name: "Rodilla"', 'name: ""')
    .replace('      sides: {left: "Rodilla izquierda", right: "Rodilla derecha"}\n', "")
    .replace('urgent: ["No puede apoyar su peso."]', 'urgent: ["No puede apoyar su peso.", "Fiebre."]')
    .replace('general: ["¿Cómo empezó?"]', "general: []")
)
BROKEN_ES_PROBLEMS = [
    ('appointments: "A menudo', "clinic: field 'es.direct_access' is missing"),
    ('name: "Calor"', "treatment heat: field 'es.contraindications' is missing"),
    (
        "id: walking",
        "treatment walking: field 'es' is missing: the clinic's languages list es, so this needs its Spanish",
    ),
    ('name: "Cuello"', "region 'neck': field 'es.summary' is missing"),
    ("sumario", f"region 'neck': field 'es.sumario' is not a known field (known: {SPANISH_FIELDS})"),
    (
        '"Descanse."]',
        "region 'neck': field 'es.self_care' has 2 entries, the English has 1: one for each, in the same order",
    ),
    ('name: ""', "region 'knee': field 'es.name' must not be empty"),
    (
        'name: ""',
        "region 'knee': field 'es.sides' is missing:"
        ' name each side, e.g. {left: "Rodilla izquierda", right: "Rodilla derecha"}',
    ),
    (
        'su peso.", "Fiebre."]',
        "region 'knee': field 'es.red_flags.urgent' has 2 entries, the English has 1: one for each, in the same order",
    ),
    ("general: []", "region 'knee': field 'es.screening.general' must not be empty"),
]


def test_a_file_with_many_kinds_of_spanish_mistake_names_each_with_file_line_owner_and_field(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(BROKEN_ES, encoding="utf-8")
    expected = [f"{path}:{line_of(BROKEN_ES, needle)}: {problem}" for needle, problem in BROKEN_ES_PROBLEMS]
    assert problems_in(tmp_path, BROKEN_ES) == expected
    result = run_check(str(path), real=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == expected


ENGLISH_ONLY_WITH_SPANISH = MINIMAL_ES.replace("  languages: [en, es]\n", "").replace(
    '    es: {name: "Caminar", description: "Paseos cortos.", contraindications: []}\n', ""
)


def test_spanish_on_a_clinic_that_does_not_list_es_is_refused_block_by_block(tmp_path):
    text = ENGLISH_ONLY_WITH_SPANISH
    refused = "is Spanish, but the clinic's languages do not list es: add es there, or delete this block"
    where = [("clinic", 'appointments: "A menudo'), ("treatment heat", 'name: "Calor"')]
    where += [("region 'neck'", 'name: "Cuello"'), ("region 'knee'", 'name: "Rodilla"')]
    assert problems_in(tmp_path, text) == [
        f"{tmp_path}/regions.yaml:{line_of(text, needle)}: {owner}: field 'es' {refused}" for owner, needle in where
    ]


@pytest.mark.parametrize(
    ("languages", "problem"),
    [
        ("[es]", "field 'languages' must start with en: the file is written in English, and es adds its Spanish"),
        ("[en, fr]", "field 'languages[1]' must be one of: en, es"),
        ("[en, en]", "field 'languages' must list each language once"),
        ("[]", "field 'languages' must not be empty"),
    ],
)
def test_the_clinics_languages_are_english_then_spanish(tmp_path, languages, problem):
    text = MINIMAL.replace("clinic:\n", f"clinic:\n  languages: {languages}\n")
    # A clinic that writes es (even wrongly) is held to its Spanish blocks too: those problems follow, further down.
    assert problems_in(tmp_path, text)[0] == f"{tmp_path}/regions.yaml:{line_of(text, 'languages:')}: clinic: {problem}"


def test_a_paired_region_needs_its_sides_and_a_centre_region_has_none(tmp_path):
    text = MINIMAL_ES.replace(
        '      name: "Cuello"\n',
        '      name: "Cuello"\n      sides: {left: "Cuello izquierdo", right: "Cuello derecho"}\n',
    )
    assert problems_in(tmp_path, text) == [
        f"{tmp_path}/regions.yaml:{line_of(text, 'Cuello izquierdo')}: region 'neck':"
        " field 'es.sides' is not used: the region has no left and right"
    ]


def test_a_spanish_name_too_long_to_draw_on_the_map_is_refused(tmp_path):
    text = MINIMAL_ES.replace('right: "Rodilla derecha"', 'right: "Rodilla del lado derecho"')
    assert problems_in(tmp_path, text) == [
        f"{tmp_path}/regions.yaml:{line_of(text, 'Rodilla del lado')}: region 'knee': field 'es.sides.right'"
        " is too long to draw on the map: 20 characters at most"
    ]


def test_the_language_help_notice_holds_the_phone_placeholder_and_its_spanish(tmp_path):
    notice = '  language_help:\n    text: "Free help: call {phone}."\n    as_of: 2026-11-30\n'
    text = MINIMAL_ES.replace("  es:\n    appointments", notice + "  es:\n    appointments")
    assert problems_in(tmp_path, text) == [
        f"{tmp_path}/regions.yaml:{line_of(text, 'Free help')}: clinic: field 'language_help.es' is missing:"
        " the clinic's languages list es, so this needs its Spanish"
    ]
    text = MINIMAL_ES.replace(
        "  es:\n    appointments",
        notice.replace("{phone}", "us") + '    es: "Ayuda gratis: llame al {telefono}."\n  es:\n    appointments',
    )
    assert problems_in(tmp_path, text) == [
        f"{tmp_path}/regions.yaml:{line_of(text, 'Free help')}: clinic: field 'language_help.text'"
        " must say where the phone number goes with {phone}",
        f"{tmp_path}/regions.yaml:{line_of(text, 'Ayuda gratis')}: clinic: field 'language_help.es'"
        " must say where the phone number goes with {phone}",
    ]


def test_an_english_only_clinic_may_give_the_language_help_notice_in_spanish(tmp_path):
    """The notice is for people who may not read English, so it is welcome before the site is translated."""
    notice = (
        '  language_help:\n    text: "Free help in your language: call {phone}."\n    as_of: 2026-11-30\n'
        '    es: "Ayuda gratis en su idioma: llame al {phone}."\n'
    )
    path = tmp_path / "regions.yaml"
    path.write_text(MINIMAL.replace("sources:\n", notice + "sources:\n", 1), encoding="utf-8")
    help_ = load(path).clinic.language_help
    assert help_.notice("(541) 555-0100") == "Free help in your language: call (541) 555-0100."
    assert help_.es == "Ayuda gratis en su idioma: llame al {phone}."


def test_a_clinic_with_hours_needs_no_spanish_for_its_days_they_are_data(tmp_path, make_app):
    hours = '  hours:\n    - {days: [monday, tuesday, wednesday, thursday, friday], open: "07:00", close: "18:00"}\n'
    hours += '    - {days: saturday, open: "09:00", close: "12:00"}\n'
    text = MINIMAL_ES.replace("  booking_url: null\n", "  booking_url: null\n" + hours)
    path = tmp_path / "regions.yaml"
    path.write_text(text, encoding="utf-8")
    assert [hours.weekdays for hours in load(path).clinic.hours] == [(0, 1, 2, 3, 4), (5,)]
    app = make_app(CONTENT_PATH=str(path))
    for url, days in (("/", ["Monday to Friday", "Saturday"]), ("/es/", ["Lunes a viernes", "Sábado"])):
        rows = soup(app.test_client().get(url)).select("footer .clinic-hours dl > div")
        assert [row.dt.get_text() for row in rows] == days
    old = text.replace(
        "  es:\n    appointments", '  es:\n    hours_days: ["lunes a viernes", "sábado"]\n    appointments'
    )
    [problem] = problems_in(tmp_path, old)
    assert problem.startswith(
        f"{tmp_path}/regions.yaml:{line_of(old, 'lunes a viernes')}: clinic: field 'es.hours_days'"
    )
    assert "is not a known field" in problem


# Choosing the language -----------------------------------------------------------------------------------------


def test_the_app_gives_the_content_in_the_language_asked_for(app, content):
    assert bodymap_content.languages(app) == content.clinic.languages
    english, spanish = bodymap_content.get(app, "en"), bodymap_content.get(app, "es")
    assert english.language == "en" and english.clinic.disclaimer == content.clinic.disclaimer
    assert spanish.language == ("es" if "es" in content.clinic.languages else "en")
    assert bodymap_content.get(app) is english  # outside a request: English
    with app.test_request_context("/"):
        assert bodymap_content.get(app) is english
        g.lang = "es"
        assert bodymap_content.get(app) is spanish and bodymap_content.get(app, "en") is english
        shown = render_template_string("{{ content.language }}|{{ clinic.disclaimer }}")
        assert shown == f"{spanish.language}|{spanish.clinic.disclaimer}"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        bodymap_content.get(app, "fr")


def test_an_english_only_clinic_has_one_language_and_gives_english_when_asked_for_spanish(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    app = create_app({"TESTING": True, "CONTENT_PATH": str(path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    assert bodymap_content.languages(app) == ("en",)
    english = bodymap_content.get(app)
    assert english.clinic.languages == ("en",) and english.region("knee").es is None
    assert bodymap_content.get(app, "es") is english
    with app.test_request_context("/"):
        g.lang = "es"
        assert bodymap_content.get(app) is english
