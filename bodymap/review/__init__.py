"""Clinicians' sign-offs of the content: a feature the public panel, the staff's review pages and the launch check
share. The content file stays the one source of the text; the database holds who vouched for which text, when.

`signoffs` says where each region stands in each language and keeps every process up to date; `sign_off` records
one. The panel asks `state_of(region)` (from memory, never the database).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from bodymap.content import Region, patient_text
from bodymap.data.models import SignOff, utcnow
from bodymap.review.signoffs import DRAFT, Record, Register, SignOffs, State, Watching, read, unsigned
from bodymap.web import languages

__all__ = [
    "DRAFT",
    "Record",
    "Register",
    "State",
    "TextChanged",
    "init_app",
    "read",
    "sign_off",
    "sign_offs",
    "unsigned",
]


class TextChanged(Exception):
    """The region's text changed between the clinician's reading and the sign-off: they read it again first."""


def sign_offs(app: Flask | None = None) -> SignOffs:
    return (app or current_app).extensions["bodymap.sign_offs"]


def state_of(region: Region, lang: str | None = None) -> State:
    """Where `region` (the copy in the page's language) stands, for the panel: from this process's copy."""
    return sign_offs().state(region, lang or languages.current())


def sign_off(
    db_session: Session,
    region: Region,
    lang: str,
    seen: str,
    staff_id: int,
    signed_by: str,
    with_it: Callable[[SignOff], None] | None = None,
) -> Record:
    """Record that `signed_by` vouches for `region`'s text in `lang`, as they saw it (`seen`, its digest). Refused
    (TextChanged) when the text is no longer what they saw. This process's pages show it at once; others within
    SIGN_OFF_CHECK_SECONDS. `with_it(row)` adds what goes in the same transaction (its audit row)."""
    digest = patient_text.digest(region)
    if seen != digest:
        raise TextChanged(region.slug)
    already = db_session.scalar(
        select(SignOff).where(
            SignOff.region == region.slug,
            SignOff.language == lang,
            SignOff.digest == digest,
            SignOff.staff_id == staff_id,
        )
    )
    if already is not None:  # a double click, or signing again what one already signed: once is the record
        return Record(
            already.id, already.region, already.language, already.digest, already.signed_by, already.signed_at
        )
    row = SignOff(region=region.slug, language=lang, digest=digest, staff_id=staff_id, signed_by=signed_by)
    row.signed_at = utcnow()
    db_session.add(row)
    if with_it is not None:
        db_session.flush()
        with_it(row)
    db_session.commit()
    sign_offs().refresh(force=True)
    return Record.of(row)


def init_app(app: Flask, serving: bool = True) -> None:
    """Each process reads the sign-offs at start-up (when it serves) and keeps them up to date."""
    found = SignOffs(app)
    app.extensions["bodymap.sign_offs"] = found
    if serving:
        found.load()
    app.wsgi_app = Watching(app.wsgi_app, found)
    app.context_processor(lambda: {"review_state": state_of})
