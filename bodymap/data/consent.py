"""What a patient agreed to when they asked for a callback: when, on a form in which language, and the exact words.

The callback form's consent box says "The clinic may call me at this number." in the page's language (its words
live in `bodymap/callback/form.py`, translated in the catalogs). A request keeps the SHA-256 of the words shown, and
`consent_wordings` keeps each wording once, with the language and the moment it was first shown: when the words
change, new requests get the new digest and old requests still point at the words their patients saw.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bodymap.data.models import CallbackRequest, ConsentWording

INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def digest(wording: str) -> str:
    return hashlib.sha256(wording.encode("utf-8")).hexdigest()


def record(db_session: Session, callback: CallbackRequest, wording: str, language: str, at: datetime.datetime) -> None:
    """Mark `callback` as agreed to at `at` with `wording` (in `language`); the wording is kept once, in the same
    transaction (two first requests at once keep it once)."""
    found = digest(wording)
    insert = INSERTS[db_session.get_bind().dialect.name](ConsentWording)
    values = {"digest": found, "wording": wording, "language": language, "first_seen": at}
    db_session.execute(insert.values(**values).on_conflict_do_nothing(index_elements=["digest"]))
    callback.consent_at = at
    callback.consent_language = language
    callback.consent_digest = found


@dataclass(frozen=True)
class Consent:
    at: datetime.datetime  # UTC
    language: str
    wording: str | None  # None: the words are not on record
    wording_since: datetime.date | None  # the day these words were first shown


def of(db_session: Session, callback: CallbackRequest) -> Consent | None:
    """The consent `callback` records, or None for a request sent before consent was recorded."""
    if callback.consent_at is None or callback.consent_digest is None:
        return None
    wording = db_session.get(ConsentWording, callback.consent_digest)
    return Consent(
        at=callback.consent_at,
        language=callback.consent_language or callback.language,
        wording=wording.wording if wording else None,
        wording_since=wording.first_seen.date() if wording else None,
    )
