"""Consent is recorded: each request keeps when the patient agreed to be called, on a form in which language, and
the digest of the exact words the box showed; every wording is kept, so the call guide still says what an old request
agreed to after the words change."""

from __future__ import annotations

import datetime
import hashlib

from bs4 import BeautifulSoup
from sqlalchemy import select

from bodymap import content as content_module
from bodymap.data.models import CallbackRequest, ConsentWording, utcnow
from tests.helpers import GOOD_CALLBACK, add_rows, callback_request, hidden_fields, soup, stored


def sent_from(client, lang: str):
    url = "/callback" if lang == "en" else f"/{lang}/callback"
    form = client.get(url)
    words = " ".join(
        BeautifulSoup(form.get_data(as_text=True), "lxml").select_one("label.choice:has(#consent)").get_text().split()
    )
    response = client.post(url, data={**hidden_fields(form), **GOOD_CALLBACK})
    assert response.status_code == 303
    return words


def wordings(app) -> dict[str, ConsentWording]:
    with app.extensions["bodymap.sessions"]() as session:
        return {row.digest: row for row in session.scalars(select(ConsentWording))}


def test_a_request_keeps_when_in_which_language_and_which_words_the_patient_agreed_to(db_client, db_app):
    before = utcnow()
    languages = content_module.languages(db_app)
    shown = {lang: sent_from(db_app.test_client(), lang) for lang in languages}
    sent_from(db_client, "en")  # the same words again: kept once
    kept = wordings(db_app)
    assert len(kept) == len(languages)
    for request in stored(db_app):
        lang = request.consent_language
        assert before <= request.consent_at <= utcnow()
        assert request.consent_digest == hashlib.sha256(shown[lang].encode()).hexdigest()
        assert kept[request.consent_digest].wording == shown[lang]
        assert kept[request.consent_digest].language == lang == request.language
    if "es" in languages:
        assert shown["es"] != shown["en"]


def test_the_call_guide_says_when_the_patient_agreed_and_to_which_words(staff_client, db_app, content):
    sent_from(staff_client, "es" if "es" in content_module.languages(db_app) else "en")
    [request] = stored(db_app)
    page = soup(staff_client.get(f"/staff/callbacks/{request.id}/guide"))
    line = " ".join(page.select_one(".request-facts .consent").get_text().split())
    local = _clinic_clock(request.consent_at, content)
    since = wordings(db_app)[request.consent_digest].first_seen.date()
    language = {"es": "Spanish", "en": "English"}[request.consent_language]
    assert (
        line
        == f"Agreed to be called on {_long(local.date())}, {local:%-I:%M %p} (wording of {_long(since)}, {language})."
    )
    words = page.select_one(".consent-wording p")
    assert words["lang"] == request.consent_language
    assert words.get_text() == f'"{wordings(db_app)[request.consent_digest].wording}"'


def _long(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def test_a_changed_wording_leaves_old_requests_with_the_words_they_agreed_to(staff_client, db_app, content):
    old_words = "You may ring me on this number."
    old_digest = hashlib.sha256(old_words.encode()).hexdigest()
    agreed = datetime.datetime(2026, 3, 2, 17, 30)
    add_rows(
        db_app,
        ConsentWording(digest=old_digest, wording=old_words, language="es", first_seen=datetime.datetime(2026, 1, 5)),
        callback_request(
            name="Old",
            region="knee",
            language="es",
            consent_at=agreed,
            consent_language="es",
            consent_digest=old_digest,
        ),  # fmt: skip
    )
    sent_from(staff_client, "en")
    old, new = stored(db_app)
    assert new.consent_digest != old_digest
    page = soup(staff_client.get(f"/staff/callbacks/{old.id}/guide"))
    line = " ".join(page.select_one(".request-facts .consent").get_text().split())
    local = _clinic_clock(agreed, content)
    assert (
        line
        == f"Agreed to be called on {_long(local.date())}, {local:%-I:%M %p} (wording of January 5, 2026, Spanish)."
    )
    assert page.select_one(".consent-wording p").get_text() == f'"{old_words}"'


def _clinic_clock(moment: datetime.datetime, content) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(content.clinic.timezone))


def test_a_request_from_before_consent_was_stored_says_so(staff_client, db_app):
    add_rows(db_app, callback_request(name="Earlier", region="knee"))
    with db_app.extensions["bodymap.sessions"]() as session:
        request_id = session.scalar(select(CallbackRequest.id))
    page = soup(staff_client.get(f"/staff/callbacks/{request_id}/guide"))
    assert page.select_one(".request-facts .consent").get_text() == (
        "No consent on record: this request came before the form's consent was stored."
    )
