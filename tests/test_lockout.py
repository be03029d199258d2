"""Failed sign-ins are counted per account and address, so nobody can lock a colleague out from elsewhere;
an account under attack from many addresses is slowed, not refused; the page says the real wait."""

from __future__ import annotations

import math

import pytest
from limits import parse

from bodymap.staff import signin
from tests.helpers import STAFF_EMAIL, add_staff, sign_in, soup

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
HER_DESK = {"REMOTE_ADDR": "192.0.2.10"}


def at(client, address: dict):
    """A client whose requests come from `address`."""
    client.environ_base.update(address)
    return client


@pytest.fixture
def limited(make_app, quick_hashes):
    app = make_app(RATELIMIT_ENABLED=True)
    add_staff(app)
    return app


def test_a_strangers_failures_do_not_lock_a_colleague_out_at_her_own_desk(limited):
    attacker = at(limited.test_client(), ATTACKER)
    for _ in range(5):
        assert sign_in(attacker, password="not the password").status_code == 401
    assert sign_in(attacker).status_code == 429  # the pair that failed waits, even with the right password
    assert sign_in(at(limited.test_client(), HER_DESK)).status_code == 303


def test_the_refusal_states_the_real_wait(limited):
    attacker = at(limited.test_client(), ATTACKER)
    for _ in range(5):
        sign_in(attacker, password="not the password")
    refused = sign_in(attacker, password="not the password")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 60, "five failures in a minute: the per-minute window is what refuses"
    minutes = math.ceil(wait / 60)
    expected = "1 minute" if minutes == 1 else f"{minutes} minutes"
    alert = soup(refused).select_one('[role="alert"]').get_text()
    assert f"wait {expected} and try again" in alert
    assert "15 minutes" not in alert


def test_many_accounts_from_one_address_are_still_refused_at_that_address_only(limited):
    guesser = at(limited.test_client(), ATTACKER)
    for number in range(10):
        assert sign_in(guesser, f"guess{number}@clinic.example", "not the password").status_code == 401
    assert sign_in(guesser, "guess-more@clinic.example", "not the password").status_code == 429
    assert sign_in(at(limited.test_client(), HER_DESK)).status_code == 303


def test_an_account_failing_from_many_addresses_is_slowed_never_refused(limited, monkeypatch):
    pauses = []
    monkeypatch.setattr(signin, "ACCOUNT_CEILING", parse("3 per hour"))
    monkeypatch.setattr(signin, "pause", pauses.append)
    for number in range(3):
        stranger = at(limited.test_client(), {"REMOTE_ADDR": f"198.51.100.{20 + number}"})
        assert sign_in(stranger, password="not the password").status_code == 401
    assert pauses == []
    assert sign_in(at(limited.test_client(), HER_DESK)).status_code == 303
    assert pauses == [signin.SLOW_DOWN_SECONDS], "past the ceiling, her sign-in waits a moment but goes through"
    other_account = at(limited.test_client(), HER_DESK)
    assert sign_in(other_account, "someone@clinic.example", "not the password").status_code == 401
    assert pauses == [signin.SLOW_DOWN_SECONDS], "only the account under attack is slowed"


def test_the_email_is_counted_in_any_case_and_spacing(limited):
    attacker = at(limited.test_client(), ATTACKER)
    for variant in ["Desk@Clinic.Example", " desk@clinic.example", "DESK@CLINIC.EXAMPLE ", STAFF_EMAIL, STAFF_EMAIL]:
        assert sign_in(attacker, variant, "not the password").status_code == 401
    assert sign_in(attacker).status_code == 429
