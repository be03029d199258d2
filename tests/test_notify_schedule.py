"""The clinic's week: hours on the weekdays the content names, "when to call" windows in the clinic's time,
time counted only while open, the morning summary's moment. Fixed times, passed in: no clock is patched."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from bodymap.notify.schedule import Schedule

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

MON, TUE, WED, THU, FRI, SAT, SUN, NEXT_MON = range(8)


def hours(days: set[int], opens: str, closes: str):
    return SimpleNamespace(
        weekdays=tuple(sorted(days)), open=datetime.time.fromisoformat(opens), close=datetime.time.fromisoformat(closes)
    )


# A clinic on the US west coast: weekdays 8 to 6, Saturday mornings. 2026-11-30 is a Monday.
WEST = Schedule.of(
    SimpleNamespace(
        timezone="America/Los_Angeles",
        hours=(hours({MON, TUE, WED, THU, FRI}, "08:00", "18:00"), hours({SAT}, "09:00", "12:00")),
    )
)
ANYWHERE = Schedule.of(SimpleNamespace(timezone="UTC", hours=()))


def at(schedule: Schedule, day: int, clock: str) -> datetime.datetime:
    """A database time (UTC, no zone) for a weekday of the week of 2026-11-30 and a clinic-local clock time."""
    return schedule.utc(datetime.date(2026, 11, 30) + datetime.timedelta(days=day), datetime.time.fromisoformat(clock))


@pytest.mark.parametrize(
    ("created", "preferred", "deadline"),
    [
        ((MON, "09:00"), "morning", (MON, "12:00")),
        ((MON, "13:00"), "morning", (TUE, "12:00")),  # this morning is over: tomorrow's
        ((MON, "13:00"), "afternoon", (MON, "17:00")),
        ((MON, "13:00"), "evening", (MON, "18:00")),  # the evening ends when the clinic closes
        ((MON, "13:00"), "any", (MON, "18:00")),
        ((FRI, "19:00"), "evening", (SAT, "12:00")),  # Saturday closes at noon
        ((FRI, "19:00"), "afternoon", (SAT, "12:00")),
        ((SAT, "13:00"), "morning", (NEXT_MON, "12:00")),  # closed on Sunday
        ((SUN, "10:00"), "any", (NEXT_MON, "18:00")),
    ],
)
def test_a_window_ends_in_the_clinics_time_on_a_day_it_opens(created, preferred, deadline):
    found = WEST.deadline(at(WEST, *created), preferred)
    assert found.at == at(WEST, *deadline)
    assert found.local.strftime("%H:%M") == deadline[1]


def test_without_hours_the_evening_ends_at_eight_every_day():
    assert ANYWHERE.deadline(at(ANYWHERE, SUN, "15:00"), "evening").at == at(ANYWHERE, SUN, "20:00")
    assert ANYWHERE.deadline(at(ANYWHERE, SUN, "21:00"), "any").at == at(ANYWHERE, NEXT_MON, "20:00")
    assert ANYWHERE.deadline(at(ANYWHERE, SUN, "11:00"), "morning").at == at(ANYWHERE, SUN, "12:00")


def test_a_window_is_overdue_from_thirty_minutes_before_it_ends():
    deadline = WEST.deadline(at(WEST, MON, "09:00"), "morning")
    assert not deadline.overdue(at(WEST, MON, "11:29"))
    assert deadline.overdue(at(WEST, MON, "11:30")) and not deadline.past(at(WEST, MON, "11:59"))
    assert deadline.past(at(WEST, MON, "12:00")) and deadline.overdue(at(WEST, TUE, "09:00"))


def test_the_clinics_time_zone_is_used_not_utc():
    created = at(WEST, MON, "09:00")
    assert created == datetime.datetime(2026, 11, 30, 17, 0)  # 9 AM in Los Angeles in winter is 17:00 UTC
    assert WEST.deadline(created, "morning").at == datetime.datetime(2026, 11, 30, 20, 0)


def test_time_waited_counts_only_while_the_clinic_is_open():
    friday_late = at(WEST, FRI, "17:00")
    assert WEST.open_time_between(friday_late, at(WEST, FRI, "23:00")) == datetime.timedelta(hours=1)
    assert WEST.open_time_between(friday_late, at(WEST, SAT, "11:00")) == datetime.timedelta(hours=3)
    assert WEST.open_time_between(friday_late, at(WEST, SUN, "23:00")) == datetime.timedelta(hours=4)
    assert WEST.open_time_between(friday_late, at(WEST, NEXT_MON, "09:00")) == datetime.timedelta(hours=5)
    assert ANYWHERE.open_time_between(at(ANYWHERE, FRI, "17:00"), at(ANYWHERE, SAT, "01:00")) == datetime.timedelta(
        hours=8
    )


def test_open_time_follows_the_clocks_when_they_change():
    """In March the clinic's day is still 10 open hours, though the UTC offset moves by one."""
    saturday, monday = datetime.date(2027, 3, 13), datetime.date(2027, 3, 15)  # clocks go forward on Sunday the 14th
    start = WEST.utc(saturday, datetime.time(12, 0))
    assert WEST.open_time_between(start, WEST.utc(monday, datetime.time(18, 0))) == datetime.timedelta(hours=10)


def test_the_summary_is_due_from_opening_to_closing_on_open_days():
    assert WEST.summary_due(at(WEST, MON, "07:59")) is None
    assert WEST.summary_due(at(WEST, MON, "08:00")) == datetime.date(2026, 11, 30)
    assert WEST.summary_due(at(WEST, MON, "17:59")) == datetime.date(2026, 11, 30)
    assert WEST.summary_due(at(WEST, MON, "18:00")) is None
    assert WEST.summary_due(at(WEST, SUN, "10:00")) is None
    assert ANYWHERE.summary_due(at(ANYWHERE, SUN, "08:00")) == datetime.date(2026, 12, 6)


def test_a_schedule_remembers_the_deadlines_it_worked_out_and_no_more_than_it_may(monkeypatch):
    from bodymap.notify import schedule

    monkeypatch.setattr(schedule, "DEADLINES_KEPT", 3)
    clinic = SimpleNamespace(timezone="America/Los_Angeles", hours=(hours({MON, TUE}, "08:00", "18:00"),))
    kept = Schedule.of(clinic)
    created = [at(kept, MON, f"0{hour}:00") for hour in range(1, 8)]
    found = [kept.deadline(moment, "morning") for moment in created]
    assert found == [Schedule.of(clinic).deadline(moment, "morning") for moment in created]  # each worked out anew
    assert kept.deadline(created[-1], "morning") is found[-1], "the last one is remembered"
    assert len(kept._deadlines) <= 3
