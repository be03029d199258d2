"""The clinic's week in its own time zone: opening hours, the "when to call" windows, time counted while open.

Times in the database are UTC without a zone; everything the desk reads is in the clinic's local time
(`clinic.timezone` in the content file, UTC when it does not say).

The windows a patient picks from end at fixed local times: morning at 12:00, afternoon at 17:00, and
evening (or any time) when the clinic closes that day, 20:00 when the content gives no hours. When
hours are given, only days the clinic opens count, and a window ends no later than that day's closing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = datetime.UTC
MORNING_ENDS = datetime.time(12, 0)
AFTERNOON_ENDS = datetime.time(17, 0)
EVENING_ENDS = datetime.time(20, 0)  # when the content gives no hours
SUMMARY_AT = datetime.time(8, 0)  # the daily summary's hour when the content gives no hours
CLOSING_SOON = datetime.timedelta(minutes=30)  # a window this close to its end is overdue already
SEARCH_DAYS = 14  # a clinic open at least once a fortnight; past that, a day after the request
DEADLINES_KEPT = 10_000  # a schedule's remembered deadlines (about 2 MB)


@dataclass(frozen=True)
class Deadline:
    """When a request's "when to call" window ends, and how that stands at a moment."""

    at: datetime.datetime  # UTC, no zone, like the database
    local: datetime.datetime  # the same moment in the clinic's time

    def overdue(self, now: datetime.datetime) -> bool:
        """The window has ended, or ends within CLOSING_SOON."""
        return now >= self.at - CLOSING_SOON

    def past(self, now: datetime.datetime) -> bool:
        return now >= self.at


@dataclass(frozen=True)
class Schedule:
    """The clinic's opening hours by weekday in its time zone; `hours` None when the content gives none."""

    zone: ZoneInfo
    hours: dict[int, tuple[tuple[datetime.time, datetime.time], ...]] | None
    # Deadlines worked out already, by (created_at, preferred_time): the queue asks for the same few hundred waiting
    # requests' every time it is drawn. Emptied when full; a schedule lives as long as the content it was read from.
    _deadlines: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, clinic) -> Schedule:
        """The schedule of a loaded clinic (`content.get(app).clinic`)."""
        zone = ZoneInfo(clinic.timezone)
        if not clinic.hours:
            return cls(zone, None)
        by_day: dict[int, list[tuple[datetime.time, datetime.time]]] = {day: [] for day in range(7)}
        for entry in clinic.hours:
            for day in entry.weekdays:
                by_day[day].append((entry.open, entry.close))
        return cls(zone, {day: tuple(sorted(spans)) for day, spans in by_day.items()})

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        """A database time (UTC, no zone) in the clinic's time."""
        return moment.replace(tzinfo=UTC).astimezone(self.zone)

    def utc(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        """A clinic-local day and time as a database time."""
        return datetime.datetime.combine(day, time, tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)

    def open_on(self, day: datetime.date) -> bool:
        return self.hours is None or bool(self.hours[day.weekday()])

    def opening(self, day: datetime.date) -> datetime.time | None:
        """When the clinic first opens on `day` (SUMMARY_AT without hours); None when closed all day."""
        if self.hours is None:
            return SUMMARY_AT
        spans = self.hours[day.weekday()]
        return spans[0][0] if spans else None

    def closing(self, day: datetime.date) -> datetime.time | None:
        """When the clinic last closes on `day` (EVENING_ENDS without hours); None when closed all day."""
        if self.hours is None:
            return EVENING_ENDS
        spans = self.hours[day.weekday()]
        return max(close for _, close in spans) if spans else None

    def window_end(self, day: datetime.date, preferred_time: str) -> datetime.time | None:
        """When a window ends on `day` (clinic time); None when the clinic does not open for it that day."""
        opens, closes = self.opening(day), self.closing(day)
        if closes is None:
            return None
        nominal = {"morning": MORNING_ENDS, "afternoon": AFTERNOON_ENDS}.get(preferred_time, closes)
        end = min(nominal, closes)
        if self.hours is not None and opens is not None and end <= opens:
            return None
        return end

    def deadline(self, created_at: datetime.datetime, preferred_time: str) -> Deadline:
        """The end of the first window of the patient's choice that ends after the request came in."""
        found = self._deadlines.get((created_at, preferred_time))
        if found is None:
            if len(self._deadlines) >= DEADLINES_KEPT:
                self._deadlines.clear()
            found = self._deadlines[(created_at, preferred_time)] = self._deadline(created_at, preferred_time)
        return found

    def _deadline(self, created_at: datetime.datetime, preferred_time: str) -> Deadline:
        first_day = self.local(created_at).date()
        for offset in range(SEARCH_DAYS + 1):
            day = first_day + datetime.timedelta(days=offset)
            end = self.window_end(day, preferred_time)
            if end is not None:
                at = self.utc(day, end)
                if at > created_at:
                    return Deadline(at, self.local(at))
        at = created_at + datetime.timedelta(days=1)
        return Deadline(at, self.local(at))

    def open_spans(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The day's opening hours as database times, overlapping entries merged."""
        if self.hours is None:
            start = self.utc(day, datetime.time(0, 0))
            return [(start, self.utc(day + datetime.timedelta(days=1), datetime.time(0, 0)))]
        merged: list[tuple[datetime.datetime, datetime.datetime]] = []
        for opens, closes in self.hours[day.weekday()]:
            start, end = self.utc(day, opens), self.utc(day, closes)
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def open_time_between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """How much of [start, end] (database times) the clinic was open; all of it when no hours are given."""
        if end <= start:
            return datetime.timedelta(0)
        if self.hours is None:
            return end - start
        total = datetime.timedelta(0)
        day, last = self.local(start).date(), self.local(end).date()
        while day <= last:
            for opens, closes in self.open_spans(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > datetime.timedelta(0):
                    total += overlap
            day += datetime.timedelta(days=1)
        return total

    def summary_due(self, now: datetime.datetime) -> datetime.date | None:
        """The clinic-local day whose summary is due at `now`: opened today and not yet closed; None otherwise."""
        local = self.local(now)
        day = local.date()
        opens, closes = self.opening(day), self.closing(day)
        if opens is None or closes is None:
            return None
        return day if opens <= local.time() < closes else None


def clock(moment: datetime.datetime) -> str:
    """'9 AM', '12:30 PM': a local time the way the desk reads it."""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def day_and_clock(moment: datetime.datetime, today: datetime.date | None = None) -> str:
    """'today at 12 PM', 'Tue 3 Dec at 5 PM' (local times)."""
    if today is not None and moment.date() == today:
        return f"today at {clock(moment)}"
    if today is not None and moment.date() == today + datetime.timedelta(days=1):
        return f"tomorrow at {clock(moment)}"
    return f"{moment:%a} {moment.day} {moment:%b} at {clock(moment)}"
