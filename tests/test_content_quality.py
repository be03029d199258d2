"""The region text itself: complete, plain enough to read in pain, and safe."""

from __future__ import annotations

import textstat

from tests.helpers import CONTENT

MAX_GRADE = 8.0


def patient_text(region) -> str:
    parts = [region.summary, *region.self_care, *region.red_flags.emergency, *region.red_flags.urgent]
    parts += [f"{c.name}. {c.about}" for c in region.conditions]
    parts += [t.description for t in region.treatments]
    return " ".join(parts)


def test_each_region_reads_at_grade_8_or_below(region):
    assert textstat.flesch_kincaid_grade(patient_text(region)) <= MAX_GRADE


def test_treatment_and_clinic_text_reads_at_grade_8_or_below():
    for treatment in CONTENT.treatments:
        text = " ".join([treatment.description, *treatment.contraindications])
        assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, treatment.id
    clinic = CONTENT.clinic
    for text in (clinic.appointments, clinic.disclaimer, clinic.direct_access.text):
        assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text


def test_each_region_offers_passive_and_active_treatment(region):
    kinds = [t.kind for t in region.treatments]
    assert kinds.count("passive") >= 2 and kinds.count("active") >= 2


def test_each_region_is_complete(region):
    assert region.summary and region.conditions and region.self_care and region.sources
    assert region.red_flags.emergency and region.red_flags.urgent
    assert region.reviewed.by and region.reviewed.date.year >= 2026


def test_staff_have_a_question_for_every_red_flag(region):
    assert len(region.screening.emergency) == len(region.red_flags.emergency)
    assert len(region.screening.urgent) == len(region.red_flags.urgent)
    assert all(q.endswith("?") for q in [*region.screening.emergency, *region.screening.urgent])


def test_tens_names_its_contraindications():
    tens = next(t for t in CONTENT.treatments if t.id == "tens")
    text = " ".join(tens.contraindications).lower()
    for word in ("pacemaker", "pregnant", "cancer", "water", "neck", "epilepsy", "skin", "feel"):
        assert word in text, word


def test_the_low_back_names_the_emergency_signs_of_a_squeezed_nerve_bundle():
    flags = " ".join(CONTENT.region("low-back").red_flags.emergency).lower()
    assert "bladder" in flags and "bowel" in flags and "both legs" in flags


def test_the_seed_clinic_is_configured():
    clinic = CONTENT.clinic
    assert clinic.name == "Stride Strong Physical Therapy"
    assert clinic.phone == "(503) 208-6278" and clinic.tel == "tel:+15032086278"
    assert "same-day" in clinic.appointments.lower() or "same day" in clinic.appointments.lower()
