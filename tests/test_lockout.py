"""Failed sign-ins are counted per account and address, so nobody can lock a colleague out from elsewhere; an
address shared by a whole clinic is refused only long after any real desk would be; nothing locks or slows an
account, whatever its failures from many addresses; the page says the real wait, at once."""

from __future__ import annotations

import math

import pytest

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


def test_guesses_at_unknown_accounts_from_the_clinics_own_address_never_lock_the_desk_out(limited):
    """Guest Wi-Fi and the desk share one public address (a NAT): ten guesses there do not touch the desk."""
    guesser = at(limited.test_client(), HER_DESK)
    for number in range(10):
        assert sign_in(guesser, f"guess{number}@clinic.example", "not the password").status_code == 401
    assert sign_in(at(limited.test_client(), HER_DESK)).status_code == 303


def test_an_address_failing_at_many_accounts_is_refused_alike_for_known_and_unknown_ones(limited):
    guesser = at(limited.test_client(), ATTACKER)
    for number in range(30):
        assert sign_in(guesser, f"guess{number}@clinic.example", "not the password").status_code == 401
    unknown = sign_in(guesser, "guess-more@clinic.example", "not the password")
    known = sign_in(guesser, STAFF_EMAIL, "not the password")
    assert unknown.status_code == known.status_code == 429, "the refusal never says whether an account exists"
    assert sign_in(at(limited.test_client(), HER_DESK)).status_code == 303, "at that address only"


def test_forty_failures_for_one_account_from_eight_addresses_neither_lock_nor_slow_it(limited, caplog):
    for number in range(8):
        stranger = at(limited.test_client(), {"REMOTE_ADDR": f"198.51.100.{20 + number}"})
        for _ in range(5):
            assert sign_in(stranger, password="not the password").status_code == 401
    assert not hasattr(signin, "pause") and not hasattr(signin, "SLOW_DOWN_SECONDS"), "nothing sleeps in a request"
    assert sign_in(at(limited.test_client(), {"REMOTE_ADDR": "203.0.113.9"})).status_code == 303, "from a new address"
    assert sign_in(at(limited.test_client(), HER_DESK)).status_code == 303
    warnings = [r for r in caplog.records if "failed sign-ins for one account" in r.getMessage()]
    assert len(warnings) == 10, "each failure past 30 in an hour is logged"
    assert all(STAFF_EMAIL not in r.getMessage() for r in warnings)


def test_the_email_is_counted_in_any_case_and_spacing(limited):
    attacker = at(limited.test_client(), ATTACKER)
    for variant in ["Desk@Clinic.Example", " desk@clinic.example", "DESK@CLINIC.EXAMPLE ", STAFF_EMAIL, STAFF_EMAIL]:
        assert sign_in(attacker, variant, "not the password").status_code == 401
    assert sign_in(attacker).status_code == 429
