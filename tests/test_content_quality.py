"""The region text itself: complete, plain enough to read in pain, safe, and traceable to its sources."""

from __future__ import annotations

import re

import textstat

from tests.helpers import CONTENT

MAX_GRADE = 6.0
# The one way every cold or warm pack is described: the towel and the time limit, in the same words.
PACK_SAFETY = "Wrap it in a towel and use it for about 20 minutes at a time."


def sentences(items) -> str:
    """List items read as the sentences they are, so a list is not measured as one long sentence."""
    return " ".join(str(item).rstrip(".") + "." for item in items)


def patient_text(region) -> str:
    parts = [region.summary, *region.self_care, region.not_improving.text]
    parts.append(sentences([*region.red_flags.emergency, *region.red_flags.urgent]))
    parts += [f"{c.name}. {c.about}" for c in region.conditions]
    parts += [t.description for t in region.treatments]
    return " ".join(parts)


def every_statement():
    """Each red flag, caution and 'not getting better' line, with where it comes from."""
    for treatment in CONTENT.treatments:
        for item in treatment.contraindications:
            yield f"treatment {treatment.id}", item
    for region in CONTENT.regions:
        for item in (*region.red_flags.emergency, *region.red_flags.urgent, region.not_improving):
            yield f"region {region.slug}", item


def test_each_region_reads_at_grade_6_or_below(region):
    assert textstat.flesch_kincaid_grade(patient_text(region)) <= MAX_GRADE
    assert textstat.flesch_kincaid_grade(region.summary) <= MAX_GRADE


def test_treatment_and_clinic_text_reads_at_grade_6_or_below():
    for treatment in CONTENT.treatments:
        text = treatment.description + " " + sentences(treatment.contraindications)
        assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, treatment.id
    clinic = CONTENT.clinic
    for text in (clinic.appointments, clinic.disclaimer, clinic.direct_access.text):
        assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text


def test_each_region_offers_passive_and_active_treatment(region):
    kinds = [t.kind for t in region.treatments]
    assert kinds.count("passive") >= 2 and kinds.count("active") >= 2


def test_each_region_is_complete(region):
    assert region.summary and region.conditions and region.self_care and region.sources
    assert region.red_flags.emergency and region.red_flags.urgent and region.not_improving.text
    assert region.reviewed.by and region.reviewed.date.year >= 2026
    assert region.reviewed.draft or region.reviewed.role


def test_staff_have_a_question_for_every_red_flag(region):
    assert len(region.screening.emergency) == len(region.red_flags.emergency)
    assert len(region.screening.urgent) == len(region.red_flags.urgent)
    assert all(q.endswith("?") for q in [*region.screening.emergency, *region.screening.urgent])


def test_every_red_flag_caution_and_not_improving_line_names_a_source():
    catalogue = set(CONTENT.sources)
    for owner, item in every_statement():
        assert item.sources, (owner, item.text)
        assert set(item.sources) <= catalogue, (owner, item.text)


def test_only_the_upper_back_cites_the_clinics_upper_back_page():
    clinic_page = next(s for s in CONTENT.sources if CONTENT.clinic.name in s.citation)
    citing = [r.slug for r in CONTENT.regions if clinic_page in r.footnotes]
    assert citing == ["upper-back"]


def test_age_alone_is_never_an_urgent_sign():
    """NICE NG59 does not support age on its own; IFOMPT weighs it with other risk factors."""
    for region in CONTENT.regions:
        for text in [flag.text for flag in region.red_flags.urgent] + list(region.screening.urgent):
            assert not re.search(r"\b(over|under|after|age)\s*\d\d\b|\bage\b", text, re.IGNORECASE), (region.slug, text)


def test_the_calf_signs_read_the_same_wherever_they_appear():
    """A swollen, warm, painful calf: a doctor today; with breathlessness or chest pain: 911."""
    emergency, urgent = {}, {}
    for region in CONTENT.regions:
        for tier, found in (("emergency", emergency), ("urgent", urgent)):
            flags = [f for f in getattr(region.red_flags, tier) if "calf" in f.text.lower()]
            if flags:
                [found[region.slug]] = flags
    assert {"knee", "ankle"} <= set(urgent) and set(urgent) == set(emergency)
    assert len(set(urgent.values())) == 1 and len(set(emergency.values())) == 1
    [today] = set(urgent.values())
    [now] = set(emergency.values())
    assert all(word in today.text for word in ("swollen", "warm", "painful"))
    assert "short of breath" in now.text and "chest pain" in now.text
    assert {s.id for s in today.sources} == {s.id for s in now.sources} == {"nhs-dvt", "nice-ng158"}


def test_heat_and_cold_share_one_set_of_cautions():
    heat = next(t for t in CONTENT.treatments if t.id == "heat")
    cold = next(t for t in CONTENT.treatments if t.id == "cold")
    shared = {c.text for c in heat.contraindications} & {c.text for c in cold.contraindications}
    for words in ("blood flow", "cannot feel", "skin there is broken"):
        assert any(words in text.lower() for text in shared), words
    assert any("swollen" in c.text for c in heat.contraindications)
    assert any("Raynaud" in c.text for c in cold.contraindications)
    for treatment in (heat, cold):
        assert treatment.description.lower().endswith(PACK_SAFETY.lower())


def test_every_self_care_tip_about_a_pack_gives_the_same_safety(region):
    tips = [tip for tip in region.self_care if re.search(r"\b(pack|ice|warmth)\b", tip, re.IGNORECASE)]
    assert tips, "each region offers a cold or warm pack"
    assert all(tip.endswith(PACK_SAFETY) for tip in tips), tips


def test_every_region_says_when_to_get_checked_if_it_is_not_improving(region):
    text = region.not_improving.text
    assert "not getting better" in text and "doctor" in text and "physical therapist" in text


def test_cautions_read_as_plain_items_under_one_heading():
    for treatment in CONTENT.treatments:
        for item in treatment.contraindications:
            assert not re.match(r"not\b", item.text, re.IGNORECASE), (treatment.id, item.text)
            assert "not used" not in item.text.lower() and "not placed" not in item.text.lower()


def test_tens_names_its_contraindications():
    tens = next(t for t in CONTENT.treatments if t.id == "tens")
    text = " ".join(c.text for c in tens.contraindications).lower()
    for word in ("pacemaker", "pregnant", "cancer", "water", "neck", "epilepsy", "skin", "feel"):
        assert word in text, word


def test_the_low_back_names_the_emergency_signs_of_a_squeezed_nerve_bundle():
    flags = " ".join(f.text for f in CONTENT.region("low-back").red_flags.emergency).lower()
    assert "bladder" in flags and "bowel" in flags and "both legs" in flags


def test_the_seed_clinic_is_configured():
    clinic = CONTENT.clinic
    assert clinic.name == "Stride Strong Physical Therapy"
    assert clinic.phone == "(503) 208-6278" and clinic.tel == "tel:+15032086278"
    assert "same-day" in clinic.appointments.lower() or "same day" in clinic.appointments.lower()


def test_the_seed_clinic_names_no_hours_address_or_logo_it_did_not_give():
    clinic = CONTENT.clinic
    assert clinic.hours == () and clinic.logo is None and clinic.website is None
    assert all(location.address == () for location in clinic.locations)
