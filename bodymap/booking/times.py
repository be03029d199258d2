"""The next free times as a patient reads them: 3 to 6 of them within the week, in the clinic's time zone and the
page's language ("Tomorrow, 9:30 AM", "Mañana, 9:30 a.m."), each a link that books it, and "More times".

Which times: the first six still ahead, at most two on one day so that more than one day is offered; when the
week holds fewer than three days with times, the next times of those days fill the list up to three. Times are
written by Babel in the clinic's own conventions (`es_US`: "9:30 a.m."; `en_GB`: "09:30").
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel import Locale, localedata
from babel.dates import format_date, format_time
from flask_babel import gettext

from bodymap.booking.providers import window
from bodymap.content import Clinic
from bodymap.content.scheduler import DATE, START

MOST = 6
FEWEST = 3
PER_DAY = 2


@dataclass(frozen=True)
class FreeTime:
    """One free time: when (in the clinic's zone), its day and clock as a patient reads them, and the link that books
    it. `label` says both: "Tomorrow, 9:30 AM"."""

    start: datetime.datetime
    day: str
    clock: str
    label: str
    url: str


@dataclass(frozen=True)
class NextTimes:
    """What the times' fragment shows: the times, or that there are none this week, or that the scheduler could not
    be asked (then the phone number is the way to book)."""

    times: tuple[FreeTime, ...]
    answered: bool  # False: the scheduler was slow, down, refused or made no sense
    more_url: str  # the clinic's booking page
    fresh_for: int  # seconds until the app asks the scheduler again: how long a browser or CDN may keep this

    @property
    def days(self) -> list[tuple[str, list[FreeTime]]]:
        """The times by day, in order: ("Today", [9:30 AM, 2:00 PM]), ("Tomorrow", [...])."""
        grouped: list[tuple[str, list[FreeTime]]] = []
        for time in self.times:
            if grouped and grouped[-1][0] == time.day:
                grouped[-1][1].append(time)
            else:
                grouped.append((time.day, [time]))
        return grouped

    @property
    def state(self) -> str:
        """'times', 'none' (no free time this week) or 'unavailable' (call us)."""
        if not self.answered:
            return "unavailable"
        return "times" if self.times else "none"


def chosen(times: Sequence[datetime.datetime], zone: ZoneInfo) -> list[datetime.datetime]:
    """The times to show, in order: see the module's docstring."""
    picked: list[datetime.datetime] = []
    per_day: Counter = Counter()
    for time in times:
        day = time.astimezone(zone).date()
        if per_day[day] < PER_DAY:
            picked.append(time)
            per_day[day] += 1
            if len(picked) == MOST:
                break
    for time in times:
        if len(picked) >= FEWEST:
            break
        if time not in picked:
            picked.append(time)
    return sorted(picked)


def locale_for(lang: str, country: str) -> Locale:
    """The page's language as the clinic's country writes it (`es` in the US: `es_US`), else the language alone."""
    regional = f"{lang}_{country.upper()}"
    return Locale.parse(regional if localedata.exists(regional) else lang)


def day_name(day: datetime.date, today: datetime.date, locale: Locale) -> str:
    """'Today', 'Tomorrow', 'Thursday' (the week holds each weekday once)."""
    days = (day - today).days
    if days == 0:
        return gettext("Today")
    if days == 1:
        return gettext("Tomorrow")
    name = format_date(day, "EEEE", locale=locale)
    return name[:1].upper() + name[1:]


def free_time(start: datetime.datetime, today: datetime.date, locale: Locale, url: str) -> FreeTime:
    """A time as a patient reads it: its day, its clock ('9:30 AM', '9:30 a.m.'), and both ('Tomorrow, 9:30 AM')."""
    day = day_name(start.date(), today, locale)
    clock = format_time(start, "short", locale=locale)
    return FreeTime(start, day, clock, gettext("%(day)s, %(time)s", day=day, time=clock), url)


def link(clinic: Clinic, start: datetime.datetime) -> str:
    """The page that books this time: the scheduler's `booking_link` with the time in it, else the booking page."""
    template = clinic.scheduler.booking_link if clinic.scheduler else None
    if not template:
        return clinic.booking_link()
    utc = start.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    local_day = start.astimezone(ZoneInfo(clinic.timezone)).date().isoformat()
    return template.replace(START, quote(utc, safe=":")).replace(DATE, local_day)


def next_times(
    clinic: Clinic, lang: str, times: Sequence[datetime.datetime] | None, now: datetime.datetime, fresh_for: int
) -> NextTimes:
    """The view of the scheduler's answer (`times`, UTC; None when it could not be used) at `now`."""
    more = clinic.booking_link()
    if times is None:
        return NextTimes((), False, more, fresh_for)
    zone = ZoneInfo(clinic.timezone)
    local_now = now.astimezone(zone)
    start, end = window(now, zone)
    ahead = [t for t in times if start < t < end]
    locale = locale_for(lang, clinic.country)
    shown = []
    for time in chosen(ahead, zone):
        shown.append(free_time(time.astimezone(zone), local_now.date(), locale, link(clinic, time)))
    return NextTimes(tuple(shown), True, more, fresh_for)
