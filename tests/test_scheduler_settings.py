"""The clinic's scheduler: a `scheduler` block in the content (its mistakes named with their lines) and its key and
address in settings (a scheduler without its key stops the app, naming the setting; no message repeats a key)."""

from __future__ import annotations

import pytest

from bodymap.content import ContentError, load
from bodymap.settings import ConfigError, from_environment
from tests.helpers import CLINIC_FILES
from tests.schedulers import CALCOM_EVENT_TYPE, CLINIKO_IDS, calcom_block, clinic_with_scheduler, cliniko_block

pytestmark = pytest.mark.one_clinic  # the block and the settings, whatever else the clinic's file says


def written(tmp_path, block: dict, **options):
    return clinic_with_scheduler(CLINIC_FILES["shipped"], tmp_path, block, **options)


def problems(path) -> list[str]:
    with pytest.raises(ContentError) as refused:
        load(path)
    return refused.value.problems


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_cliniko_scheduler_is_read_with_its_ids_as_text(tmp_path):
    scheduler = load(written(tmp_path, cliniko_block(business_id=1201))).clinic.scheduler
    assert scheduler.provider == "cliniko"
    assert (scheduler.business_id, scheduler.appointment_type_id) == ("1201", CLINIKO_IDS["appointment_type_id"])
    assert scheduler.practitioner_ids == tuple(CLINIKO_IDS["practitioner_ids"])
    assert scheduler.asked_per_refresh == len(CLINIKO_IDS["practitioner_ids"])


def test_a_calcom_scheduler_needs_only_its_event_type(tmp_path):
    scheduler = load(written(tmp_path, calcom_block())).clinic.scheduler
    assert (scheduler.provider, scheduler.event_type_id, scheduler.asked_per_refresh) == (
        "calcom",
        CALCOM_EVENT_TYPE,
        1,
    )


def test_the_scheduler_is_the_same_in_every_language(tmp_path):
    content = load(written(tmp_path, calcom_block()))
    assert content.in_language("es").clinic.scheduler == content.clinic.scheduler


@pytest.mark.parametrize(
    ("block", "field", "message"),
    [
        (cliniko_block(business_id=None), "scheduler.business_id", "is needed when the provider is cliniko"),
        (cliniko_block(practitioner_ids=[]), "scheduler.practitioner_ids", "is needed when the provider is cliniko"),
        (cliniko_block(contact_email=None), "scheduler.contact_email", "is needed when the provider is cliniko"),
        (cliniko_block(event_type_id=5), "scheduler.event_type_id", "belongs to the other provider, not cliniko"),
        (calcom_block(event_type_id=None), "scheduler.event_type_id", "is needed when the provider is calcom"),
        (calcom_block(business_id=3), "scheduler.business_id", "belongs to the other provider, not calcom"),
        (cliniko_block(practitioner_ids=["31", "31"]), "scheduler.practitioner_ids", "names a practitioner twice"),
        (cliniko_block(practitioner_ids=list(range(1, 12))), "scheduler.practitioner_ids", "at most 10"),
        (cliniko_block(business_id="12/../34"), "scheduler.business_id", "must be an id made of digits"),
        (calcom_block(event_type_id=True), "scheduler.event_type_id", "must be an id made of digits"),
        (cliniko_block(contact_email="the front desk"), "scheduler.contact_email", "must be an email address"),
        ({"provider": "acuity"}, "scheduler.provider", "must be one of: cliniko, calcom"),
        (calcom_block(booking_link="http://cal.example/x"), "scheduler.booking_link", "must be a web address"),
        (
            calcom_block(booking_link="https://cal.example/x?slot={start}&name={name}"),
            "scheduler.booking_link",
            "may hold only the placeholders {start} and {date}, not {name}",
        ),
        (calcom_block(api_key="cal_live_x"), "scheduler.api_key", "is not a known field"),
    ],
)
def test_a_mistake_in_the_scheduler_block_is_named_with_its_line(tmp_path, block, field, message):
    path = written(tmp_path, block)
    found = [p for p in problems(path) if f"field '{field}'" in p]
    assert found and message in found[0], problems(path)
    assert found[0].startswith(f"{path}:"), found[0]
    assert int(found[0].split(":")[1]) >= line_of(path, "  scheduler:")


def test_a_scheduler_needs_the_clinics_booking_page(tmp_path):
    path = written(tmp_path, calcom_block())
    path.write_text(path.read_text().replace("  booking_url: https://book.clinic.example/new-patient\n", ""))
    [problem] = problems(path)
    assert "clinic: field 'booking_url' is needed with a scheduler" in problem


def test_a_cliniko_scheduler_without_its_key_stops_the_app_naming_the_setting(make_app, tmp_path):
    with pytest.raises(ConfigError, match=r"^CLINIKO_API_KEY is empty while the clinic's scheduler is cliniko"):
        make_app(CONTENT_PATH=str(written(tmp_path, cliniko_block())))


def test_a_calcom_scheduler_starts_without_a_key(make_app, tmp_path):
    app = make_app(CONTENT_PATH=str(written(tmp_path, calcom_block())))
    assert app.extensions["bodymap.booking"].scheduler.provider == "calcom"


def test_a_clinic_without_a_scheduler_starts_without_any_of_it(app):
    assert "bodymap.booking" not in app.extensions


@pytest.mark.parametrize(
    ("key", "address"),
    [
        ("MS0xLWl4SzYY-uk1", "https://api.uk1.cliniko.com/v1"),
        ("MS0xLWl4SzYY-us1", "https://api.us1.cliniko.com/v1"),
        ("MS0xLWl4SzYY", "https://api.au1.cliniko.com/v1"),  # keys made before shards were au1's
        ("", "https://api.au1.cliniko.com/v1"),
    ],
)
def test_cliniko_is_reached_on_the_shard_its_key_names(monkeypatch, tmp_path, key, address):
    monkeypatch.setenv("CLINIKO_API_KEY", key)
    assert from_environment(str(tmp_path))["CLINIKO_API_URL"] == address


def test_the_schedulers_addresses_and_keys_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CLINIKO_API_KEY", "  MS0xLWl4SzYY-uk1 ")
    monkeypatch.setenv("CLINIKO_API_URL", "https://cliniko-proxy.clinic.example/v1/")
    monkeypatch.setenv("CALCOM_API_KEY", "cal_live_abc")
    settings = from_environment(str(tmp_path))
    assert settings["CLINIKO_API_KEY"] == "MS0xLWl4SzYY-uk1"
    assert settings["CLINIKO_API_URL"] == "https://cliniko-proxy.clinic.example/v1"
    assert (settings["CALCOM_API_KEY"], settings["CALCOM_API_URL"]) == ("cal_live_abc", "https://api.cal.com")


@pytest.mark.parametrize(
    "address",
    [
        "http://api.cal.com",  # a key over plain HTTP: only this machine's stand-ins may be spoken to so
        "ftp://api.cal.com",
        "https://cal_live_secret@api.cal.com",
        "https://api.cal.com/?apiKey=cal_live_secret",
        "api.cal.com",
        "http://127.0.0.1:99999",
    ],
)
def test_a_scheduler_address_that_cannot_be_used_is_refused_without_repeating_it(monkeypatch, tmp_path, address):
    monkeypatch.setenv("CALCOM_API_URL", address)
    with pytest.raises(ConfigError) as refused:
        from_environment(str(tmp_path))
    assert str(refused.value).startswith("CALCOM_API_URL must be an https address")
    assert "secret" not in str(refused.value)


def test_a_loopback_stand_in_may_be_spoken_to_over_plain_http(monkeypatch, tmp_path):
    monkeypatch.setenv("CALCOM_API_URL", "http://127.0.0.1:8123")
    assert from_environment(str(tmp_path))["CALCOM_API_URL"] == "http://127.0.0.1:8123"


@pytest.mark.parametrize("name", ["CLINIKO_API_KEY", "CALCOM_API_KEY"])
def test_a_key_that_is_not_one_word_is_refused_without_repeating_it(monkeypatch, tmp_path, name):
    monkeypatch.setenv(name, "cal_live_secret and more")
    with pytest.raises(ConfigError) as refused:
        from_environment(str(tmp_path))
    assert str(refused.value).startswith(f"{name} must be the API key alone")
    assert "secret" not in str(refused.value)
