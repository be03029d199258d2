"""The free times never cost a patient: one scheduler call a minute however many pages load (kept in Redis or in
memory, one asker at a time), public pages unchanged and cacheable, the key in no response or log line, nothing a
patient typed sent anywhere, and an outage told to the log once a minute and to /readyz (still 200)."""

from __future__ import annotations

import base64
import datetime
import logging
import threading
import time
import uuid
from types import SimpleNamespace

import pytest

from bodymap.booking import LOGGER
from bodymap.booking.answers import STORE_DOWN_WARNING, STORE_LOGGER
from bodymap.web import caching, log_filters
from tests.conftest import redis_url
from tests.helpers import HTMX, add_staff, own_soup, send_callback, sign_in, soup
from tests.hung_server import hung_server
from tests.schedulers import CLINIKO_KEY, NOW, ZONE, FakeCalcom, FakeCliniko, app_for

UTC = datetime.UTC
LA = datetime.timezone(datetime.timedelta(hours=-8))


def week() -> list[datetime.datetime]:
    return [datetime.datetime(2026, 12, day, hour, 30, tzinfo=LA) for day in (7, 8, 9) for hour in (9, 11, 15)]


@pytest.fixture(params=["cliniko", "calcom"])
def fake(request):
    """A stand-in for each scheduler; Cliniko's with one practitioner, so each look is one call."""
    if request.param == "cliniko":
        ids = {"business_id": "1201", "appointment_type_id": "77", "practitioner_ids": ["31"]}
        running = FakeCliniko(ids=ids)
    else:
        running = FakeCalcom()
    with running:
        running.offer(*week())
        yield running


def one_practitioner(fake) -> dict:
    if isinstance(fake, FakeCliniko):
        return {"business_id": "1201", "appointment_type_id": "77", "practitioner_ids": ["31"]}
    return {}


@pytest.fixture
def scheduler_app(make_app, clinic_file, tmp_path):
    return lambda fake, **options: app_for(make_app, clinic_file, tmp_path, fake, **one_practitioner(fake), **options)


def state(response) -> str:
    return soup(response).select_one("[data-free-times]")["data-free-times"]


def test_fifty_loads_in_a_minute_make_one_scheduler_call_and_the_next_minute_another(scheduler_app, fake, content):
    now = [NOW]
    client = scheduler_app(fake, now=now).test_client()
    region = content.regions[0].slug
    addresses = ["/free-times", "/embed/free-times", *(["/es/free-times"] if "es" in content.clinic.languages else [])]
    for load in range(50):
        now[0] = NOW + datetime.timedelta(seconds=load * 1.2)  # 50 loads over 59 seconds
        assert client.get(f"/pain/{region}").status_code == 200
        # A query string of its own for each: no HTTP cache (nor the app's store of pages) answers for the app.
        response = client.get(f"{addresses[load % len(addresses)]}?load={load}", headers=HTMX)
        assert state(response) == "times"
    assert fake.calls == 1
    now[0] = NOW + datetime.timedelta(seconds=61)
    client.get("/free-times?load=late", headers=HTMX)
    assert fake.calls == 2, "a minute later the scheduler is asked again"


def test_patients_loading_at_once_make_one_call(scheduler_app, fake):
    fake.delay = 0.3
    app = scheduler_app(fake)
    states: list[str] = []

    def load(n: int) -> None:  # each thread parses its own page: the shared parser is for one thread
        page = own_soup(app.test_client().get(f"/free-times?load={n}", headers=HTMX))
        states.append(page.select_one("[data-free-times]")["data-free-times"])

    threads = [threading.Thread(target=load, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert states == ["times"] * 12 and fake.calls == 1


def test_workers_sharing_redis_share_the_answer(scheduler_app, fake, content):
    """Five apps stand for five gunicorn workers (or servers) on one Redis: one of them asks, for all of them."""
    config = {"RATELIMIT_STORAGE_URI": redis_url(), "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}:"}
    now = [NOW]
    workers = [scheduler_app(fake, now=now, config=config).test_client() for _ in range(5)]
    for load in range(50):
        now[0] = NOW + datetime.timedelta(seconds=load)
        assert state(workers[load % 5].get(f"/free-times?load={load}", headers=HTMX)) == "times"
    assert fake.calls == 1


def test_with_redis_down_the_times_are_kept_in_memory_and_the_log_says_so_once(scheduler_app, fake, caplog):
    app = scheduler_app(fake, config={"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    budget_fresh(STORE_LOGGER)
    with caplog.at_level(logging.WARNING):
        states = [state(app.test_client().get(f"/free-times?load={n}", headers=HTMX)) for n in range(5)]
    assert states == ["times"] * 5 and fake.calls == 1
    assert [r.getMessage() for r in caplog.records if r.name == STORE_LOGGER] == [STORE_DOWN_WARNING]


@pytest.mark.slow
def test_a_hung_redis_costs_the_times_under_two_seconds(scheduler_app, fake):
    with hung_server() as port:
        app = scheduler_app(fake, config={"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/0"})
        started = time.monotonic()
        response = app.test_client().get("/free-times", headers=HTMX)
        assert time.monotonic() - started < 2.0
    assert state(response) == "times"


def test_pages_stay_the_same_for_everyone_and_the_fragment_is_public_while_its_answer_is_fresh(
    scheduler_app, fake, content
):
    now = [NOW]
    client = scheduler_app(fake, now=now).test_client()
    page = client.get(f"/pain/{content.regions[0].slug}")
    assert page.cache_control.public and page.cache_control.s_maxage == caching.SHARED_MAX_AGE
    response = client.get("/free-times", headers=HTMX)
    control = response.cache_control
    assert (control.public, control.max_age, control.s_maxage) == (True, 60, 60)
    assert "Set-Cookie" not in response.headers and "HX-Request" in response.headers["Vary"]
    now[0] = NOW + datetime.timedelta(seconds=45)
    later = client.get("/free-times?again", headers=HTMX).cache_control
    assert (later.max_age, later.s_maxage) == (15, 15), "kept only until the app would ask the scheduler again"


def test_the_store_of_public_responses_lets_the_times_go_when_they_are_due(scheduler_app, fake, monkeypatch):
    ticks = [1000.0]
    monkeypatch.setattr(caching, "time", SimpleNamespace(monotonic=lambda: ticks[0]))
    now = [NOW]
    client = scheduler_app(fake, now=now).test_client()
    first = client.get("/free-times", headers=HTMX)
    fake.offer(*week()[3:])
    now[0], ticks[0] = NOW + datetime.timedelta(seconds=30), 1030.0
    assert client.get("/free-times", headers=HTMX).get_data() == first.get_data(), "kept while fresh"
    now[0], ticks[0] = NOW + datetime.timedelta(seconds=61), 1061.0
    assert client.get("/free-times", headers=HTMX).get_data() != first.get_data(), "and asked again after"
    assert fake.calls == 2


def test_without_javascript_the_times_are_a_page_of_their_own(scheduler_app, fake, content):
    client = scheduler_app(fake).test_client()
    page = soup(client.get("/free-times"))
    assert page.select_one("h1").get_text(strip=True) == "Our next free times"
    assert len(page.select(".free-times-list a")) == 6
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert page.select_one(".site-header .header-call")["href"] == content.clinic.tel


def test_every_place_a_patient_decides_loads_the_times(scheduler_app, fake, content):
    client = scheduler_app(fake).test_client()
    region = content.regions[0]
    list_form = {"areas-0-region": region.slug, "areas-0-side": "", "areas-0-pain": "4"}
    places = {
        "region page": (client.get(f"/pain/{region.slug}"), "/free-times"),
        "panel": (client.get(f"/pain/{region.slug}/panel", headers=HTMX), "/free-times"),
        "map": (client.get("/"), "/free-times"),
        "widget panel": (client.get(f"/embed/pain/{region.slug}/panel", headers=HTMX), "/embed/free-times"),
        "pain list": (client.post("/list", data=list_form), "/free-times"),
        "widget pain list": (client.post("/embed/list", data=list_form, headers=HTMX), "/embed/free-times"),
        "callback confirmation": (send_callback(client, htmx=True), "/free-times"),
        "callback confirmation page": (client.get(send_callback(client).headers["Location"]), "/free-times"),
    }
    if "es" in content.clinic.languages:
        places["Spanish region page"] = (client.get(f"/es/pain/{region.slug}"), "/es/free-times")
        places["Spanish widget panel"] = (client.get(f"/es/embed/pain/{region.slug}"), "/es/embed/free-times")
    for place, (response, address) in places.items():
        placeholders = soup(response).select('[data-free-times="loading"]')
        assert [p["hx-get"] for p in placeholders] == [address], place
    assert fake.calls == 0, "none of those pages asked the scheduler"


def test_in_the_widget_the_times_open_a_tab_of_their_own(scheduler_app, fake, content):
    client = scheduler_app(fake).test_client()
    page = soup(client.get(f"/embed/pain/{content.regions[0].slug}"))
    no_js = page.select_one('[data-free-times="loading"] a')
    assert (no_js["href"], no_js["target"]) == ("/free-times", "_blank")
    links = soup(client.get("/embed/free-times", headers=HTMX)).select(".free-times a")
    assert len(links) == 7 and all(a["target"] == "_blank" and a["rel"] == ["noopener"] for a in links)


def test_the_desk_sees_the_same_times_on_the_call_guide(scheduler_app, fake, content):
    app = scheduler_app(fake)
    add_staff(app)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    guide = soup(client.get(f"/staff/guide/{content.regions[0].slug}"))
    [placeholder] = guide.select('[data-step="booking"] [data-free-times="loading"]')
    assert placeholder["hx-get"] == "/staff/free-times"
    response = client.get("/staff/free-times", headers=HTMX)
    assert response.headers["Cache-Control"] == "no-store"
    desk = [t.get_text() for t in soup(response).select(".free-times-list time")]
    assert desk == [t.get_text() for t in soup(client.get("/free-times", headers=HTMX)).select(".free-times-list time")]
    assert len(desk) == 6
    assert app.test_client().get("/staff/free-times").status_code in (302, 303), "staff only"


def test_without_a_scheduler_no_page_loads_times_and_their_address_says_to_call(client, content):
    assert soup(client.get(f"/pain/{content.regions[0].slug}")).select("[data-free-times]") == []
    for address in ("/free-times", "/embed/free-times"):
        response = client.get(address, headers=HTMX)
        assert response.status_code == 200 and state(response) == "unavailable"
        assert soup(response).select_one(".free-times a")["href"] == content.clinic.tel
        assert response.cache_control.s_maxage == caching.SHARED_MAX_AGE, "it never changes"


def secrets_of(key: str) -> list[str]:
    return [key, base64.b64encode(f"{key}:".encode()).decode(), key.rsplit("-", 1)[0]]


@pytest.mark.parametrize("refused", [False, True], ids=["accepted", "refused"])
def test_the_api_key_reaches_no_page_log_line_or_readyz(make_app, clinic_file, tmp_path, caplog, refused):
    with FakeCliniko(key=CLINIKO_KEY if not refused else "another-key-us1") as cliniko:
        cliniko.offer(*week())
        app = app_for(make_app, clinic_file, tmp_path, cliniko, config={"CLINIKO_API_KEY": CLINIKO_KEY})
        add_staff(app)
        client = app.test_client()
        with caplog.at_level(logging.DEBUG):
            responses = [client.get("/free-times", headers=HTMX), client.get("/free-times"), client.get("/readyz")]
            responses += [client.get("/embed/free-times", headers=HTMX), client.get("/", headers={"Accept": "*/*"})]
            sign_in(client)
            responses += [client.get("/staff/free-times", headers=HTMX), client.get("/staff/guide")]
        assert cliniko.calls >= 1
    assert state(responses[0]) == ("unavailable" if refused else "times")
    if refused:
        assert secrets_of(CLINIKO_KEY)[1] in str(cliniko.seen[0].headers), "the stand-in was sent the key"
    for response in responses:
        said = response.get_data(as_text=True) + str(response.headers)
        assert not [secret for secret in secrets_of(CLINIKO_KEY) if secret in said], response.request.path
    for record in caplog.records:
        said = record.getMessage() + str(record.exc_info and record.exc_info[1])
        assert not [secret for secret in secrets_of(CLINIKO_KEY) if secret in said], said


def test_nothing_a_patient_typed_or_picked_reaches_the_scheduler(scheduler_app, fake, content):
    now = [NOW]
    client = scheduler_app(fake, now=now).test_client()
    region = content.regions[-1]
    typed = ["Ana Lima", "5035550142", "stairs", region.slug]
    actions = [
        lambda: client.get(f"/pain/{region.slug}?side=left&name=Ana+Lima"),
        lambda: client.post("/list", data={"areas-0-region": region.slug, "areas-0-pain": "7"}),
        lambda: send_callback(client, htmx=True, note="It hurts on the stairs."),
        lambda: client.get(f"/free-times?region={region.slug}&note=stairs&phone=5035550142", headers=HTMX),
        lambda: client.get(f"/es/free-times?region={region.slug}", headers={**HTMX, "Referer": f"/pain/{region.slug}"}),
    ]
    for step, action in enumerate(actions):
        now[0] = NOW + datetime.timedelta(minutes=2 * step)  # each a new minute: the scheduler is asked each time
        action()
        client.get(f"/free-times?step={step}", headers=HTMX)
    assert fake.calls == len(actions)
    asked = {(seen.path, str(sorted(seen.query.items())), str(sorted(seen.headers.items()))) for seen in fake.seen}
    assert len(asked) == 1, "every request the same, whatever the patient did"
    assert not [word for word in typed if word.lower() in str(asked).lower()]


def budget_fresh(logger_name: str) -> None:
    for log_filter in logging.getLogger(logger_name).filters:
        if isinstance(log_filter, log_filters.OncePerMinute):
            log_filter.last = float("-inf")


def test_while_the_scheduler_is_down_the_log_gets_one_warning_a_minute_without_the_key(
    scheduler_app, fake, caplog, monkeypatch
):
    ticks = [5000.0]
    monkeypatch.setattr(log_filters, "time", SimpleNamespace(monotonic=lambda: ticks[0]))
    budget_fresh(LOGGER)
    fake.fail(500)
    now = [NOW]
    client = scheduler_app(fake, now=now).test_client()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for load in range(6):
            now[0] = NOW + datetime.timedelta(minutes=load)  # a new look each minute of the app's clock
            ticks[0] = 5000.0 + (61 if load >= 3 else 0)  # the log's own minute passes after the third
            assert state(client.get(f"/free-times?load={load}", headers=HTMX)) == "unavailable"
    assert fake.calls == 6
    warnings = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    provider = "cliniko" if isinstance(fake, FakeCliniko) else "calcom"
    expected = f"The {provider} scheduler could not be used (HTTP 500): patients are asked to call for a time."
    assert warnings == [expected, expected]


def test_readyz_says_how_the_scheduler_is_doing_and_stays_200(scheduler_app, fake):
    now = [NOW]
    client = scheduler_app(fake, now=now).test_client()
    provider = "cliniko" if isinstance(fake, FakeCliniko) else "calcom"
    before = client.get("/readyz")
    assert before.get_data(as_text=True).splitlines()[-1] == f"scheduler ({provider}): not asked yet"
    client.get("/free-times", headers=HTMX)
    assert client.get("/readyz").get_data(as_text=True).splitlines()[-1] == f"scheduler ({provider}): ok"
    fake.fail(429)
    now[0] = NOW + datetime.timedelta(seconds=61)
    client.get("/free-times?again", headers=HTMX)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_data(as_text=True).splitlines()[0] == "ready"
    assert response.get_data(as_text=True).splitlines()[-1] == (
        f"scheduler ({provider}): unavailable (HTTP 429: too many requests); the pages ask patients to call"
    )


def test_a_clinic_in_another_zone_is_asked_for_its_own_week(make_app, clinic_file, tmp_path):
    with FakeCalcom() as calcom:
        calcom.offer(datetime.datetime(2026, 12, 8, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=11))))
        app = app_for(make_app, clinic_file, tmp_path, calcom, timezone="Australia/Sydney")
        page = soup(app.test_client().get("/free-times", headers=HTMX))
        labels = [a["aria-label"] for a in page.select(".free-times-list a")]
        [seen] = calcom.seen
    assert seen.query["timeZone"] == ["Australia/Sydney"] and ZONE not in str(seen.query)
    assert seen.query["start"] == ["2026-12-07"] and seen.query["end"] == ["2026-12-14"]
    assert labels == ["Today, 9:00\u202fAM"], "NOW is 3 AM on Tuesday the 8th in Sydney"
