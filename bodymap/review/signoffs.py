"""Which region is signed off, in which language, for exactly which text; and how every process learns of a new one.

A sign-off row holds a digest of the region's patient text as the panel showed it (`content.patient_text`). A region
in a language is:

- **signed off** while a sign-off's digest is that of the text the file says now (the newest such sign-off names
  the reviewer and the day);
- **changed** when it was signed off for other text: the file changed since, so it is a draft again;
- **draft** when nobody has signed it off.

Public pages never ask the database (a CDN and each process keep them). Each process reads every sign-off at
start-up, and a thread of its own asks a cheap question every SIGN_OFF_CHECK_SECONDS (how many sign-offs there are,
and the newest id); when the answer changes it reads them again and clears the process's store of public pages, so
the next patient gets a panel drawn with the new reviewer. The process where a clinician signs off does this at once.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bodymap import content
from bodymap.content import Content, Region, patient_text
from bodymap.data.models import SignOff
from bodymap.web.caching import stored_responses


@dataclass(frozen=True)
class Record:
    """One sign-off, as pages show it."""

    id: int
    region: str
    language: str
    digest: str
    signed_by: str
    signed_at: datetime.datetime

    @property
    def day(self) -> datetime.date:
        return self.signed_at.date()

    @classmethod
    def of(cls, row: SignOff) -> Record:
        return cls(row.id, row.region, row.language, row.digest, row.signed_by, row.signed_at)


@dataclass(frozen=True)
class State:
    """Where a region's text stands in one language."""

    kind: Literal["draft", "signed", "changed"]
    record: Record | None = None  # the sign-off of this text; for "changed", the last one of earlier text

    @property
    def signed(self) -> bool:
        return self.kind == "signed"


DRAFT = State("draft")


@dataclass
class Register:
    """Every sign-off, looked up by the text it vouches for and by region and language."""

    by_text: dict[tuple[str, str, str], Record] = field(default_factory=dict)  # (region, lang, digest): newest
    latest: dict[tuple[str, str], Record] = field(default_factory=dict)  # (region, lang): newest of any text

    @classmethod
    def of(cls, records: Iterable[Record]) -> Register:
        register = cls()
        for record in sorted(records, key=lambda r: r.id):
            register.by_text[(record.region, record.language, record.digest)] = record
            register.latest[(record.region, record.language)] = record
        return register

    def state(self, region: Region, lang: str, digest: str | None = None) -> State:
        """The state of `region` (its copy in `lang`) for the text it holds now (`digest`, worked out if not given)."""
        digest = digest or patient_text.digest(region)
        record = self.by_text.get((region.slug, lang, digest))
        if record is not None:
            return State("signed", record)
        earlier = self.latest.get((region.slug, lang))
        return State("changed", earlier) if earlier is not None else DRAFT


def read(db_session: Session) -> Register:
    """Every sign-off in the database."""
    return Register.of(Record.of(row) for row in db_session.scalars(select(SignOff).order_by(SignOff.id)))


def mark(db_session: Session) -> tuple[int, int]:
    """The cheap question: how many sign-offs, and the newest id. A new sign-off (or one taken away) changes it."""
    count, newest = db_session.execute(select(func.count(SignOff.id), func.max(SignOff.id))).one()
    return count or 0, newest or 0


def unsigned(loaded: Content, register: Register) -> list[tuple[int, str, State]]:
    """(the region's index in the file, language, state) for every region and language not signed off for its text."""
    found = []
    for lang in loaded.clinic.languages:
        in_language = loaded.in_language(lang)
        for i, region in enumerate(in_language.regions):
            state = register.state(region, lang)
            if not state.signed:
                found.append((i, lang, state))
    return found


class SignOffs:
    """This process's copy of every sign-off, kept up to date by a thread of its own."""

    def __init__(self, app: Flask):
        self.app = app
        self.seconds = app.config["SIGN_OFF_CHECK_SECONDS"]
        self.register = Register()
        self.seen: tuple[int, int] | None = None
        self.lock = threading.Lock()
        self.watcher_pid: int | None = None  # the process whose thread runs: a forked worker starts its own
        self.stopped = threading.Event()
        self.failing = False
        self._digests: tuple[object, dict[tuple[str, str], str]] | None = None

    def refresh(self, force: bool = False) -> bool:
        """Read the sign-offs again if the cheap question says they changed (or `force`: this process just added
        one); then clear the stored public pages. True when read again. Database errors are the caller's."""
        with self.app.extensions["bodymap.sessions"]() as db_session:
            now = mark(db_session)
            if now == self.seen and not force:
                return False
            register = read(db_session)
        with self.lock:
            self.register, self.seen = register, now
        stored_responses(self.app).clear()
        return True

    def load(self) -> None:
        """Read them at start-up; a database that is down or not migrated yet is tried again by the thread."""
        try:
            self.refresh()
        except SQLAlchemyError as error:
            self.app.logger.warning(
                "Could not read the sign-offs (%s); panels say draft until they can be read", type(error).__name__
            )

    def watch(self) -> None:
        """Start this process's thread, once per process (gunicorn forks workers after the app is built)."""
        if not self.seconds or self.watcher_pid == os.getpid():
            return
        with self.lock:
            if self.watcher_pid == os.getpid():
                return
            self.watcher_pid = os.getpid()
        threading.Thread(target=self._watch, name="sign-off-watcher", daemon=True).start()

    def _watch(self) -> None:
        while not self.stopped.wait(self.seconds):
            try:
                self.refresh()
            except Exception as error:  # noqa: BLE001 - the thread must outlive any failure; it asks again later
                if not self.failing:
                    self.app.logger.warning(
                        "Could not check for new sign-offs (%s); will try again", type(error).__name__
                    )
                self.failing = True
            else:
                if self.failing:
                    self.app.logger.warning("Checking for new sign-offs works again")
                self.failing = False

    def digests(self) -> dict[tuple[str, str], str]:
        """The digest of every region's text in every language, worked out once for the content served."""
        served = content.served(self.app)
        kept = self._digests
        if kept is None or kept[0] is not served:
            found = {
                (region.slug, lang): patient_text.digest(region)
                for lang, in_language in served.by_language.items()
                for region in in_language.regions
            }
            kept = self._digests = (served, found)
        return kept[1]

    def state(self, region: Region, lang: str) -> State:
        """A region's state in `lang` for the text served now, from this process's copy: no database call."""
        digest = self.digests().get((region.slug, lang))
        return self.register.state(region, lang, digest)


class Watching:
    """WSGI middleware: the first request a process answers starts its sign-off thread (it costs a comparison)."""

    def __init__(self, wsgi_app, sign_offs: SignOffs):
        self.wsgi_app = wsgi_app
        self.sign_offs = sign_offs

    def __call__(self, environ, start_response):
        if self.sign_offs.watcher_pid != os.getpid():
            self.sign_offs.watch()
        return self.wsgi_app(environ, start_response)
