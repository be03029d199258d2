"""The clinic's next free times, from its online scheduler (Cliniko or Cal.com), where a patient decides.

A feature the audiences share: the site's and the widget's panels, the pain list and the callback confirmation show
the times to patients, and the desk's call guide while on the phone. Each audience gives the times an address of
its own (`fragment.respond`); this package knows none of them.

- `providers`: what each scheduler is asked (paths, auth, parameters) and how its answer is read.
- `asking`: one look over HTTP, within 1.5 s in all, never retried.
- `answers`: the last answer, kept a minute per scheduler in Redis or this process's memory, one asker at a time.
- `times`: what a patient reads: 3 to 6 times in the clinic's zone and the page's language, each a link.
- `fragment`: the answer to a request for the times, a fragment for htmx or a page without JavaScript.

The scheduler is named in the clinic's content (`scheduler:`); its key and address are settings, checked at start
(a scheduler whose key is missing stops the app, naming the setting). The key goes only into the request's
Authorization header: never into a page, a log line, an error message or `/readyz`.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import Flask

from bodymap import content
from bodymap.booking import answers, asking, providers
from bodymap.booking.answers import Answer
from bodymap.booking.times import NextTimes, next_times
from bodymap.content.scheduler import Scheduler
from bodymap.settings import ConfigError
from bodymap.web import health
from bodymap.web.log_filters import OncePerMinute

STATE = "bodymap.booking"
LOGGER = "bodymap.booking"
ANSWER_WITHIN_SECONDS = 1.8  # everything a request for the times may wait on: the store and the scheduler


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def stand_in(now: datetime.datetime, why: str) -> Answer:
    """No answer for this page: "call us", already out of date, so no cache keeps it."""
    return Answer(now.timestamp() - answers.KEEP_SECONDS, None, why)


@dataclass
class Booking:
    """The clinic's scheduler in this app: how to ask it, where its answers are kept, and the clock (tests move it)."""

    scheduler: Scheduler
    keys: providers.Keys = field(repr=False)
    zone: ZoneInfo
    store: answers.Shared
    key: str  # where this scheduler's answers are kept
    clock: Callable[[], datetime.datetime] = utcnow

    def answer(self) -> Answer:
        """The scheduler's answer to show now: kept for a minute, asked again after that (by one asker at a time)."""
        started = time.monotonic()
        now = self.clock()

        def ask() -> Answer:
            budget = min(asking.DEADLINE_SECONDS, ANSWER_WITHIN_SECONDS - (time.monotonic() - started))
            requests = providers.requests(self.scheduler, self.keys, now, self.zone)
            try:
                found = asking.ask(requests, providers.reader(self.scheduler), max(budget, 0.1))
            except asking.Unavailable as error:
                logging.getLogger(LOGGER).warning(
                    "The %s scheduler could not be used (%s): patients are asked to call for a time.",
                    self.scheduler.provider,
                    error,
                )
                return Answer(now.timestamp(), None, str(error))
            return Answer(now.timestamp(), tuple(found))

        wait = ANSWER_WITHIN_SECONDS - (time.monotonic() - started)
        found = answers.current(self.store, self.key, now.timestamp(), ask, wait)
        return found or stand_in(now, "another process is asking the scheduler")

    def ready_line(self) -> str:
        """What /readyz says of the scheduler (it never decides readiness: the pages do without the times)."""
        name = f"scheduler ({self.scheduler.provider})"
        kept = self.store.get(self.key)
        if kept is None:
            return f"{name}: not asked yet"
        if kept.times is None:
            return f"{name}: unavailable ({kept.problem}); the pages ask patients to call"
        return f"{name}: ok"


def _keys(app: Flask, scheduler: Scheduler) -> providers.Keys:
    config = app.config
    if scheduler.provider == "cliniko" and not config["CLINIKO_API_KEY"]:
        raise ConfigError(
            "CLINIKO_API_KEY is empty while the clinic's scheduler is cliniko (the content's `scheduler:` block): "
            "set it to an API key of the clinic's Cliniko account, or take the block out"
        )
    return providers.Keys(
        config["CLINIKO_API_KEY"], config["CLINIKO_API_URL"], config["CALCOM_API_KEY"], config["CALCOM_API_URL"]
    )


def _store_key(scheduler: Scheduler, keys: providers.Keys, zone: ZoneInfo) -> str:
    """The same scheduler, asked the same way, shares its answers; another one never does."""
    base = keys.cliniko_url if scheduler.provider == "cliniko" else keys.calcom_url
    what = "|".join([scheduler.model_dump_json(exclude={"booking_link", "contact_email"}), base, zone.key])
    return "bodymap:free-times:" + hashlib.sha256(what.encode()).hexdigest()[:24]


def init_app(app: Flask) -> None:
    """Set up the clinic's scheduler, if its content names one; a missing key stops the app, named."""
    clinic = content.get(app, lang="en").clinic
    if clinic.scheduler is None:
        return
    keys = _keys(app, clinic.scheduler)
    zone = ZoneInfo(clinic.timezone)
    store = answers.Shared(app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_KEY_PREFIX"])
    booking = Booking(clinic.scheduler, keys, zone, store, _store_key(clinic.scheduler, keys, zone))
    app.extensions[STATE] = booking
    health.add_note(app, booking.ready_line)
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(f, OncePerMinute) for f in logger.filters):
        logger.addFilter(OncePerMinute())


def view(app: Flask, lang: str) -> NextTimes | None:
    """The next free times as the page in `lang` shows them; None when the clinic has no scheduler."""
    booking: Booking | None = app.extensions.get(STATE)
    if booking is None:
        return None
    try:
        answer = booking.answer()
    except Exception:  # noqa: BLE001 - whatever went wrong, the patient is given the phone number, never a 500
        logging.getLogger(LOGGER).exception("The free times could not be shown: patients are asked to call.")
        answer = stand_in(booking.clock(), "could not be shown")
    now = booking.clock()
    fresh_for = max(0, math.ceil(answers.KEEP_SECONDS - answer.age(now.timestamp())))
    return next_times(content.get(app, lang).clinic, lang, answer.times, now, fresh_for)
