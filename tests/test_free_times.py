"""The clinic's next free times, read from a stand-in Cliniko or Cal.com on loopback: shown in the clinic's zone and
the page's language, each a link that books it; "call us" with the phone number whenever the scheduler is slow,
down, refuses or makes no sense; never the key, never anything a patient typed."""

from __future__ import annotations

import datetime
import logging
import time
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_time

from bodymap.booking.times import locale_for
from tests.helpers import HTMX, soup
from tests.schedulers import (
    CALCOM_EVENT_TYPE,
    CLINIKO_IDS,
    CLINIKO_KEY,
    ZONE,
    FakeCalcom,
    FakeCliniko,
    app_for,
)

UTC = datetime.UTC
LA = ZoneInfo(ZONE)


def local(day: int, hour: int, minute: int = 30, month: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LA)


WEEK = [local(day, hour) for day in (7, 8, 9, 10) for hour in (9, 11, 15)]


@pytest.fixture(params=["cliniko", "calcom"])
def fake(request):
    """A stand-in for each scheduler, offering a week of times."""
    with FakeCliniko() if request.param == "cliniko" else FakeCalcom() as running:
        running.offer(*WEEK)
        yield running


@pytest.fixture
def scheduler_app(make_app, clinic_file, tmp_path):
    """`scheduler_app(fake, now=..., **block_changes)`: an app whose clinic's scheduler is `fake`."""
    return lambda fake, **options: app_for(make_app, clinic_file, tmp_path, fake, **options)


def shown(response) -> list[tuple[str, str, str]]:
    """(label, datetime attribute, link) of each free time in a fragment or page."""
    page = soup(response)
    return [(a["aria-label"], a.time["datetime"], a["href"]) for a in page.select(".free-times-list a")]


def clock(time: datetime.datetime, lang: str, content) -> str:
    return format_time(time.astimezone(LA), "short", locale=locale_for(lang, content.clinic.country))


def state(response) -> str:
    return soup(response).select_one("[data-free-times]")["data-free-times"]


def test_a_region_page_loads_the_times_after_the_page_from_one_address(scheduler_app, fake, content):
    client = scheduler_app(fake).test_client()
    region = content.regions[0]
    page = soup(client.get(f"/pain/{region.slug}"))
    [placeholder] = page.select('[data-section="booking"] [data-free-times="loading"]')
    assert (placeholder["hx-get"], placeholder["hx-trigger"], placeholder["hx-swap"]) == (
        "/free-times",
        "load",
        "outerHTML",
    )
    assert placeholder["hx-target"] == "this", "not the panel that the map around it targets"
    assert placeholder.select_one("a")["href"] == "/free-times", "without JavaScript, a plain link to the times"
    assert fake.calls == 0, "the page itself never waits on the scheduler"


def test_the_fragment_shows_the_fakes_times_in_the_clinics_zone_each_linked(scheduler_app, fake, content):
    client = scheduler_app(fake).test_client()
    response = client.get("/free-times", headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    expected = [local(7, 9), local(7, 11), local(8, 9), local(8, 11), local(9, 9), local(9, 11)]
    labels = [f"Today, {clock(t, 'en', content)}" for t in expected[:2]]
    labels += [f"Tomorrow, {clock(t, 'en', content)}" for t in expected[2:4]]
    labels += [f"Wednesday, {clock(t, 'en', content)}" for t in expected[4:]]
    booking = content.clinic.booking_url.replace("{areas}", "") if content.clinic.booking_url else None
    links = [booking or "https://book.clinic.example/new-patient"] * 6
    assert shown(response) == list(zip(labels, [t.isoformat() for t in expected], links, strict=True))
    assert clock(local(7, 9), "en", content) == "9:30\u202fAM"
    more = soup(response).select_one(".free-times-more a")
    assert (more.get_text(strip=True), more["href"]) == ("More times", links[0])


def test_each_time_links_to_the_page_that_books_it(scheduler_app, fake):
    link = "https://cal.com/clinic/new-patient?date={date}&slot={start}"
    client = scheduler_app(fake, booking_link=link).test_client()
    first = shown(client.get("/free-times", headers=HTMX))[0]
    assert first[2] == "https://cal.com/clinic/new-patient?date=2026-12-07&slot=2026-12-07T17:30:00Z"


def test_times_are_read_in_spanish_on_spanish_pages(scheduler_app, fake, content):
    if "es" not in content.clinic.languages:
        pytest.skip("this clinic has no Spanish pages")
    client = scheduler_app(fake).test_client()
    response = client.get("/es/free-times", headers=HTMX)
    labels = [label for label, _, _ in shown(response)]
    assert labels[0] == f"Hoy, {clock(local(7, 9), 'es', content)}"
    assert labels[2] == f"Mañana, {clock(local(8, 9), 'es', content)}"
    assert labels[4] == f"Miércoles, {clock(local(9, 9), 'es', content)}"
    assert clock(local(7, 9), "es", content) == "9:30\u202fa.m.", "as Spanish is written in the clinic's country"
    assert soup(response).select_one(".free-times-more a").get_text(strip=True) == "Más horarios"


@pytest.mark.parametrize(
    ("now", "offered", "labels", "offsets"),
    [
        # Clocks go back on Sunday, November 1, 2026 (2:00 PDT becomes 1:00 PST).
        (
            datetime.datetime(2026, 10, 30, 15, 0, tzinfo=UTC),  # Friday 8:00 AM PDT
            ["2026-10-31T16:30:00Z", "2026-11-01T17:30:00Z", "2026-11-02T17:30:00Z"],
            ["Tomorrow, 9:30", "Sunday, 9:30", "Monday, 9:30"],
            ["-07:00", "-08:00", "-08:00"],
        ),
        # Clocks go forward on Sunday, March 8, 2026 (2:00 PST becomes 3:00 PDT).
        (
            datetime.datetime(2026, 3, 6, 16, 0, tzinfo=UTC),  # Friday 8:00 AM PST
            ["2026-03-07T17:30:00Z", "2026-03-08T16:30:00Z", "2026-03-09T16:30:00Z"],
            ["Tomorrow, 9:30", "Sunday, 9:30", "Monday, 9:30"],
            ["-08:00", "-07:00", "-07:00"],
        ),
    ],
    ids=["autumn", "spring"],
)
def test_times_are_turned_into_the_clinics_zone_across_a_daylight_saving_change(
    scheduler_app, fake, now, offered, labels, offsets
):
    fake.offer(*(datetime.datetime.fromisoformat(t) for t in offered))
    found = shown(scheduler_app(fake, now=now).test_client().get("/free-times", headers=HTMX))
    assert [label.split("\u202f")[0] for label, _, _ in found] == labels, "9:30 on the clock either side of it"
    assert [stamp[-6:] for _, stamp, _ in found] == offsets


def test_cliniko_is_asked_for_seven_days_at_most_with_its_documented_request(scheduler_app, clinic_file):
    with FakeCliniko() as cliniko:
        cliniko.offer(*WEEK)
        scheduler_app(cliniko).test_client().get("/free-times", headers=HTMX)
        assert sorted(seen.path for seen in cliniko.seen) == [
            f"/v1/businesses/{CLINIKO_IDS['business_id']}/practitioners/{p}/appointment_types/"
            f"{CLINIKO_IDS['appointment_type_id']}/available_times"
            for p in CLINIKO_IDS["practitioner_ids"]
        ]
        for seen in cliniko.seen:
            assert seen.query == {"from": ["2026-12-07"], "to": ["2026-12-13"]}, "today and the six days after"
            assert seen.headers["Accept"] == "application/json"
            assert seen.headers["User-Agent"] == "bodymap (it@clinic.example)"


def test_the_cliniko_stand_in_refuses_a_window_longer_than_seven_days():
    """The stand-in holds the app to the documented limit: a request it would refuse fails the tests above."""
    import httpx

    with FakeCliniko() as cliniko:
        path = (
            f"http://127.0.0.1:{cliniko.port}/v1/businesses/{CLINIKO_IDS['business_id']}/practitioners/31/"
            f"appointment_types/{CLINIKO_IDS['appointment_type_id']}/available_times"
        )
        headers = {"Accept": "application/json", "User-Agent": "bodymap (it@clinic.example)"}
        ok = httpx.get(path, params={"from": "2026-12-07", "to": "2026-12-14"}, headers=headers, auth=(CLINIKO_KEY, ""))
        wide = httpx.get(
            path, params={"from": "2026-12-07", "to": "2026-12-15"}, headers=headers, auth=(CLINIKO_KEY, "")
        )
        keyless = httpx.get(path, params={"from": "2026-12-07", "to": "2026-12-08"}, headers=headers)
        extra = httpx.get(
            path,
            params={"from": "2026-12-07", "to": "2026-12-08", "q": "knee"},
            headers=headers,
            auth=(CLINIKO_KEY, ""),
        )
    assert (ok.status_code, wide.status_code, keyless.status_code, extra.status_code) == (200, 422, 401, 422)


def test_calcom_is_asked_with_its_version_header_and_the_clinics_zone(scheduler_app):
    with FakeCalcom() as calcom:
        calcom.offer(*WEEK)
        scheduler_app(calcom).test_client().get("/free-times", headers=HTMX)
        [seen] = calcom.seen
    assert seen.path == "/v2/slots"
    assert seen.query == {
        "eventTypeId": [CALCOM_EVENT_TYPE],
        "start": ["2026-12-07"],
        "end": ["2026-12-14"],
        "timeZone": [ZONE],
    }
    assert seen.headers["cal-api-version"] == "2024-09-04" and "Authorization" not in seen.headers


def test_calcom_gets_the_key_when_one_is_set(scheduler_app):
    with FakeCalcom(key="cal_live_0123456789abcdef") as calcom:
        calcom.offer(*WEEK)
        app = scheduler_app(calcom, config={"CALCOM_API_KEY": "cal_live_0123456789abcdef"})
        assert state(app.test_client().get("/free-times", headers=HTMX)) == "times"
        assert calcom.seen[0].headers["Authorization"] == "Bearer cal_live_0123456789abcdef"


def test_times_already_past_or_after_the_week_are_left_out(scheduler_app, fake):
    fake.offer(local(7, 7), local(7, 9), local(13, 16), local(14, 9))  # 7:30 has passed; the 14th is the 8th day
    found = [stamp for _, stamp, _ in shown(scheduler_app(fake).test_client().get("/free-times", headers=HTMX))]
    assert found == [local(7, 9).isoformat(), local(13, 16).isoformat()]


def test_an_empty_week_says_no_free_times_and_gives_the_phone(scheduler_app, fake, content):
    fake.offer()
    response = scheduler_app(fake).test_client().get("/free-times", headers=HTMX)
    page = soup(response)
    assert state(response) == "none" and page.select(".free-times-list") == []
    assert (
        page.select_one(".free-times").get_text(" ", strip=True)
        == f"No free times this week: call us at {content.clinic.phone} ."
    )
    assert page.select_one(".free-times a")["href"] == content.clinic.tel


@pytest.mark.parametrize("failure", [401, 429, 500, "malformed", "nonsense", "stopped"])
def test_a_scheduler_that_refuses_or_makes_no_sense_gives_the_phone_number(
    scheduler_app, fake, content, caplog, failure
):
    if failure == "stopped":
        fake.stop()
    else:
        fake.fail(failure)
    client = scheduler_app(fake).test_client()
    with caplog.at_level(logging.WARNING, logger="bodymap.booking"):
        response = client.get("/free-times", headers=HTMX)
    assert response.status_code == 200 and state(response) == "unavailable"
    link = soup(response).select_one(".free-times a")
    assert (link["href"], link.get_text()) == (content.clinic.tel, content.clinic.phone)
    assert "Call us for a time" in soup(response).get_text()


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["hang", "slow-drip"])
def test_a_scheduler_that_accepts_and_never_answers_costs_the_patient_under_two_seconds(
    scheduler_app, fake, content, failure
):
    fake.fail(failure)
    client = scheduler_app(fake).test_client()
    region = content.regions[0].slug
    for url, headers in [("/free-times", HTMX), (f"/pain/{region}", {}), ("/free-times", {})]:
        started = time.monotonic()
        response = client.get(url, headers=headers)
        assert time.monotonic() - started < 2.0, url
        assert response.status_code == 200, url
        assert content.clinic.tel in response.get_data(as_text=True), url
    assert state(client.get("/free-times", headers=HTMX)) == "unavailable"


def test_the_scheduler_is_asked_even_where_the_thread_already_runs_an_event_loop(scheduler_app, fake):
    """An async server (or a browser driver in the same process) keeps an event loop running in its thread: the look
    then runs in a thread of its own, within the same deadline."""
    import asyncio
    import threading

    client = scheduler_app(fake).test_client()
    answered = []

    async def inside_a_loop():
        answered.append(client.get("/free-times", headers=HTMX))

    # A thread of its own, whose loop runs while the app is asked (the suite's own thread may be running one).
    thread = threading.Thread(target=asyncio.run, args=(inside_a_loop(),))
    thread.start()
    thread.join(timeout=10)
    assert [state(response) for response in answered] == ["times"]


@pytest.mark.one_clinic
@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        # A full week: the first two of each day, six in all.
        (
            [(day, hour) for day in (7, 8, 9, 10) for hour in (9, 10, 11)],
            [(7, 9), (7, 10), (8, 9), (8, 10), (9, 9), (9, 10)],
        ),
        # One day holds every time: three of them, not two.
        ([(8, hour) for hour in (9, 10, 11, 12)], [(8, 9), (8, 10), (8, 11)]),
        # Two days: two of the first and two of the second; nothing needs filling.
        ([(7, 9), (7, 10), (7, 11), (9, 9), (9, 10), (9, 11)], [(7, 9), (7, 10), (9, 9), (9, 10)]),
        # Fewer than three in the week: all of them.
        ([(11, 16)], [(11, 16)]),
        ([], []),
    ],
    ids=["week", "one-day", "two-days", "one-time", "none"],
)
def test_three_to_six_times_are_chosen_at_most_two_a_day_unless_fewer_days_have_times(offered, expected):
    from bodymap.booking.times import chosen

    picked = chosen([local(day, hour) for day, hour in offered], LA)
    assert picked == [local(day, hour) for day, hour in expected]
