"""The region text itself: complete, plain enough to read in pain, safe, and traceable to its sources.

Every rule here holds for any clinic's valid file (each runs against both clinic files): the safety rules
apply to a region or treatment when the clinic offers it, and no test leans on one clinic's wording.
"""

from __future__ import annotations

import os
import re

import phonenumbers
import pytest
import yaml

from bodymap.content import reading
from tests.helpers import CLINICS

MAX_GRADE = 6.0
PACK = re.compile(r"\b(pack|ice|warmth)\b", re.IGNORECASE)


def english_grade(text: str) -> float:
    """Flesch-Kincaid grade, from the app's own English reader: textstat's module-level one has one language at a
    time for the whole process, and another test may have set it to Spanish."""
    return reading.score("en", text)


def sentences(items) -> str:
    """List items read as the sentences they are, so a list is not measured as one long sentence."""
    return " ".join(str(item).rstrip(".") + "." for item in items)


def patient_text(region) -> str:
    parts = [region.summary, *region.self_care, region.not_improving.text]
    parts.append(sentences([*region.red_flags.emergency, *region.red_flags.urgent]))
    parts += [f"{c.name}. {c.about}" for c in region.conditions]
    parts += [t.description for t in region.treatments]
    return " ".join(parts)


def every_statement(content):
    """Each red flag, caution and 'not getting better' line, with where it comes from."""
    for treatment in content.treatments:
        for item in treatment.contraindications:
            yield f"treatment {treatment.id}", item
    for region in content.regions:
        for item in (*region.red_flags.emergency, *region.red_flags.urgent, region.not_improving):
            yield f"region {region.slug}", item


def test_each_region_reads_at_grade_6_or_below(region):
    assert english_grade(patient_text(region)) <= MAX_GRADE
    assert english_grade(region.summary) <= MAX_GRADE


def test_treatment_and_clinic_text_reads_at_grade_6_or_below(content):
    for treatment in content.treatments:
        text = treatment.description + " " + sentences(treatment.contraindications)
        assert english_grade(text) <= MAX_GRADE, treatment.id
    clinic = content.clinic
    notices = [notice.text for notice in (clinic.direct_access, clinic.language_help) if notice]
    for text in (clinic.appointments, clinic.disclaimer, *notices):
        assert english_grade(text) <= MAX_GRADE, text


def test_each_region_offers_passive_and_active_treatment(region):
    kinds = [t.kind for t in region.treatments]
    assert kinds.count("passive") >= 2 and kinds.count("active") >= 2


def test_each_region_is_complete(region):
    assert region.summary and region.conditions and region.self_care and region.sources
    assert region.red_flags.emergency and region.red_flags.urgent and region.not_improving.text


def test_staff_have_a_question_for_every_red_flag(region):
    assert len(region.screening.emergency) == len(region.red_flags.emergency)
    assert len(region.screening.urgent) == len(region.red_flags.urgent)
    assert all(q.endswith("?") for q in [*region.screening.emergency, *region.screening.urgent])


def test_every_red_flag_caution_and_not_improving_line_names_a_source(content):
    catalogue = set(content.sources)
    for owner, item in every_statement(content):
        assert item.sources, (owner, item.text)
        assert set(item.sources) <= catalogue, (owner, item.text)


def test_the_clinics_own_pages_are_cited_only_by_the_regions_they_are_about(content):
    """A page of the clinic's own (its name in the citation) backs only the regions it names."""
    for page in [s for s in content.sources if content.clinic.name in s.citation]:
        citing = [r for r in content.regions if page in r.footnotes]
        assert all(r.label(None).lower() in page.citation.lower() for r in citing), (page.id, [r.slug for r in citing])


def test_age_alone_is_never_an_urgent_sign(content):
    """NICE NG59 does not support age on its own; IFOMPT weighs it with other risk factors."""
    for region in content.regions:
        for text in [flag.text for flag in region.red_flags.urgent] + list(region.screening.urgent):
            assert not re.search(r"\b(over|under|after|age)\s*\d\d\b|\bage\b", text, re.IGNORECASE), (region.slug, text)


def test_the_calf_signs_read_the_same_wherever_they_appear(content):
    """A swollen, warm, painful calf: a doctor today; with breathlessness or chest pain: 911."""
    emergency, urgent = {}, {}
    for region in content.regions:
        for tier, found in (("emergency", emergency), ("urgent", urgent)):
            flags = [f for f in getattr(region.red_flags, tier) if "calf" in f.text.lower()]
            if flags:
                [found[region.slug]] = flags
    legs = {"knee", "ankle"} & {r.slug for r in content.regions}
    assert legs <= set(urgent) and set(urgent) == set(emergency)
    if not urgent:
        return
    assert len(set(urgent.values())) == 1 and len(set(emergency.values())) == 1
    [today] = set(urgent.values())
    [now] = set(emergency.values())
    assert all(word in today.text for word in ("swollen", "warm", "painful"))
    assert "short of breath" in now.text and "chest pain" in now.text
    assert {s.id for s in today.sources} == {s.id for s in now.sources} == {"nhs-dvt", "nice-ng158"}


def offered(content, treatment_id):
    """The clinic's treatment with this id; the test is skipped for a clinic that does not offer it."""
    found = next((t for t in content.treatments if t.id == treatment_id), None)
    if found is None:
        pytest.skip(f"this clinic does not offer {treatment_id}")
    return found


def pack_safety(content) -> str:
    """The words that end both the heat and the cold treatment: the towel and the time limit, said one way."""
    heat, cold = (offered(content, t).description.lower() for t in ("heat", "cold"))
    shared = heat[len(heat) - len(os.path.commonprefix([heat[::-1], cold[::-1]])) :]
    return re.split(r"[.,;:] ", shared)[-1]


def test_heat_and_cold_share_one_set_of_cautions(content):
    heat, cold = offered(content, "heat"), offered(content, "cold")
    shared = {c.text for c in heat.contraindications} & {c.text for c in cold.contraindications}
    for words in ("blood flow", "cannot feel", "skin there is broken"):
        assert any(words in text.lower() for text in shared), words
    assert any("swollen" in c.text for c in heat.contraindications)
    assert any("Raynaud" in c.text for c in cold.contraindications)
    safety = pack_safety(content)
    assert "towel" in safety and "minutes" in safety


def test_every_self_care_tip_about_a_pack_gives_the_same_safety(content, region):
    tips = [tip for tip in region.self_care if PACK.search(tip)]
    assert tips, "each region offers a cold or warm pack"
    safety = pack_safety(content)
    assert all(tip.lower().endswith(safety) for tip in tips), tips


def test_every_region_says_when_to_get_checked_if_it_is_not_improving(region):
    text = region.not_improving.text
    assert "not getting better" in text and "doctor" in text and "physical therapist" in text


def test_cautions_read_as_plain_items_under_one_heading(content):
    for treatment in content.treatments:
        for item in treatment.contraindications:
            assert not re.match(r"not\b", item.text, re.IGNORECASE), (treatment.id, item.text)
            assert "not used" not in item.text.lower() and "not placed" not in item.text.lower()


def test_tens_names_its_contraindications(content):
    tens = offered(content, "tens")
    text = " ".join(c.text for c in tens.contraindications).lower()
    for word in ("pacemaker", "pregnant", "cancer", "water", "neck", "epilepsy", "skin", "feel"):
        assert word in text, word


def test_the_low_back_names_the_emergency_signs_of_a_squeezed_nerve_bundle(content):
    low_back = content.region("low-back")
    if low_back is None:
        pytest.skip("this clinic has no low-back region")
    flags = " ".join(f.text for f in low_back.red_flags.emergency).lower()
    assert "bladder" in flags and "bowel" in flags and "both legs" in flags


def the_file_says(clinic_file) -> dict:
    return yaml.safe_load(clinic_file.read_text(encoding="utf-8"))["clinic"]


def test_the_clinic_is_configured_as_its_file_says(content, clinic_file):
    clinic, given = content.clinic, the_file_says(clinic_file)
    assert (clinic.name, clinic.city, clinic.phone) == (given["name"], given["city"], given["phone"])
    number = phonenumbers.parse(given["phone"], given["country"])
    assert clinic.tel == "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert clinic.appointments == given["appointments"]
    assert clinic.booking_url == given.get("booking_url")
    assert (clinic.direct_access is None) == (given.get("direct_access") is None)
    assert clinic.languages == tuple(given.get("languages") or ["en"])
    assert (clinic.language_help is None) == (given.get("language_help") is None)


def test_the_clinic_names_no_hours_address_or_logo_its_file_did_not_give(content, clinic_file):
    clinic, given = content.clinic, the_file_says(clinic_file)
    assert (clinic.hours == ()) == (not given.get("hours"))
    assert (clinic.logo is None) == (not given.get("logo"))
    assert (clinic.website is None) == (not given.get("website"))
    given_locations = given.get("locations") or []
    assert [bool(location.address) for location in clinic.locations] == [
        bool(place.get("address")) for place in given_locations
    ]


def test_the_second_clinic_shows_the_other_way_a_clinic_may_be_set_up():
    """The suite's second clinic gives a booking address and no direct-access notice, unlike the shipped seed."""
    clinic = CLINICS["riverbend"].clinic
    assert clinic.direct_access is None and clinic.booking_url.startswith("https://")
    assert clinic.name != CLINICS["shipped"].clinic.name and clinic.phone != CLINICS["shipped"].clinic.phone
