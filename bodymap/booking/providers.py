"""What each scheduler is asked, and how its answer is read: Cliniko's available times and Cal.com's slots.

The requests are built from the clinic's content (ids), the settings (key, address) and the clock alone: nothing a
patient typed or picked could reach them, since nothing of the request that asks for the times is an argument.

- Cliniko: `GET {CLINIKO_API_URL}/businesses/{business}/practitioners/{practitioner}/appointment_types/{type}/
  available_times?from=YYYY-MM-DD&to=YYYY-MM-DD`, one request per practitioner, HTTP Basic with the API key as the
  user name and no password, `Accept: application/json` and a `User-Agent` naming the app and a contact. `from` and
  `to` are days in the practitioner's (the clinic's) time zone, at most 7 days apart: today and the 6 days after.
  The answer: `{"available_times": [{"appointment_start": "2026-12-08T17:30:00Z"}], "total_entries": 1, ...}`.
- Cal.com (API v2): `GET {CALCOM_API_URL}/v2/slots?eventTypeId=ID&start=YYYY-MM-DD&end=YYYY-MM-DD&timeZone=IANA`
  with `cal-api-version: 2024-09-04` (and `Authorization: Bearer <key>` when one is set). Its days are UTC days, so
  they are chosen to cover the clinic's week. The answer: `{"status": "success", "data": {"2026-12-08":
  [{"start": "2026-12-08T09:00:00.000-08:00"}]}}`.

Anything else in an answer is refused as a whole (`Unreadable`), never half used.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bodymap.content.scheduler import Scheduler

DAYS = 7  # the times shown: today and the six days after it, in the clinic's time zone
CALCOM_API_VERSION = "2024-09-04"
USER_AGENT = "bodymap"
LONGEST_TIME = 40  # characters: "2026-12-08T09:00:00.000000+05:45" and the like
MOST_TIMES = 2000  # in one answer: a week of 5-minute slots for several practitioners fits


class Unreadable(Exception):
    """The answer is not what the scheduler's documentation says it sends."""


@dataclass(frozen=True)
class Request:
    """One GET to a scheduler: its address, query, headers and (for Cliniko) the Basic credentials."""

    url: str
    params: dict[str, str]
    headers: dict[str, str]
    auth: tuple[str, str] | None = field(default=None, repr=False)  # never printed: it holds the key


@dataclass(frozen=True)
class Keys:
    """The settings a scheduler is asked with."""

    cliniko_key: str = field(repr=False)
    cliniko_url: str
    calcom_key: str = field(repr=False)
    calcom_url: str


def window(now: datetime.datetime, zone: ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
    """From now to the end of the clinic's seventh day (today counts as the first), in UTC."""
    today = now.astimezone(zone).date()
    end = datetime.datetime.combine(today + datetime.timedelta(days=DAYS), datetime.time(), zone)
    return now.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def requests(scheduler: Scheduler, keys: Keys, now: datetime.datetime, zone: ZoneInfo) -> list[Request]:
    """What to ask the clinic's scheduler for the week starting now."""
    if scheduler.provider == "cliniko":
        return _cliniko(scheduler, keys, now, zone)
    return [_calcom(scheduler, keys, now, zone)]


def reader(scheduler: Scheduler) -> Callable[[Any], list[datetime.datetime]]:
    """How the provider's answer is read."""
    return read_cliniko if scheduler.provider == "cliniko" else read_calcom


def _cliniko(scheduler: Scheduler, keys: Keys, now: datetime.datetime, zone: ZoneInfo) -> list[Request]:
    today = now.astimezone(zone).date()
    params = {"from": today.isoformat(), "to": (today + datetime.timedelta(days=DAYS - 1)).isoformat()}
    headers = {"Accept": "application/json", "User-Agent": f"{USER_AGENT} ({scheduler.contact_email})"}
    path = "{}/businesses/{}/practitioners/{}/appointment_types/{}/available_times"
    return [
        Request(
            path.format(keys.cliniko_url, scheduler.business_id, practitioner, scheduler.appointment_type_id),
            params,
            headers,
            (keys.cliniko_key, ""),
        )
        for practitioner in scheduler.practitioner_ids
    ]


def _calcom(scheduler: Scheduler, keys: Keys, now: datetime.datetime, zone: ZoneInfo) -> Request:
    start, end = window(now, zone)
    local_today = now.astimezone(zone).date()
    last_day = (end - datetime.timedelta(seconds=1)).astimezone(zone).date()
    params = {
        "eventTypeId": scheduler.event_type_id,
        # UTC days (as the API reads them) that cover the clinic's week whichever way the API counts them.
        "start": min(start.date(), local_today).isoformat(),
        "end": max((end - datetime.timedelta(seconds=1)).date(), last_day).isoformat(),
        "timeZone": zone.key,
    }
    headers = {"cal-api-version": CALCOM_API_VERSION, "Accept": "application/json", "User-Agent": USER_AGENT}
    if keys.calcom_key:
        headers["Authorization"] = f"Bearer {keys.calcom_key}"
    return Request(f"{keys.calcom_url}/v2/slots", params, headers)


def instant(value: Any) -> datetime.datetime:
    """A time the scheduler wrote (ISO 8601 with its offset or Z), in UTC."""
    if not isinstance(value, str) or len(value) > LONGEST_TIME:
        raise Unreadable("a time is not written as ISO 8601 text")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise Unreadable("a time is not written as ISO 8601 text") from None
    if parsed.tzinfo is None:
        raise Unreadable("a time has no offset from UTC")
    return parsed.astimezone(datetime.UTC)


def read_cliniko(answer: Any) -> list[datetime.datetime]:
    """The start of every available time in one practitioner's answer."""
    if not isinstance(answer, dict) or not isinstance(answer.get("available_times"), list):
        raise Unreadable("the answer has no list of available_times")
    times = answer["available_times"]
    if len(times) > MOST_TIMES or not all(isinstance(item, dict) for item in times):
        raise Unreadable("the available_times are not a list of times")
    return [instant(item.get("appointment_start")) for item in times]


def read_calcom(answer: Any) -> list[datetime.datetime]:
    """The start of every slot in the answer, whatever day it is listed under."""
    if not isinstance(answer, dict) or answer.get("status") != "success" or not isinstance(answer.get("data"), dict):
        raise Unreadable("the answer is not a successful map of days to slots")
    days = answer["data"].values()
    if not all(isinstance(slots, list) and all(isinstance(slot, dict) for slot in slots) for slots in days):
        raise Unreadable("a day's slots are not a list of slots")
    if sum(len(slots) for slots in days) > MOST_TIMES:
        raise Unreadable("the answer holds more slots than a week can")
    return [instant(slot.get("start")) for slots in days for slot in slots]
