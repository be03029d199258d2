"""Passwords of any length up to 1,000 characters work; the clinic's own name and city are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bodymap.data.models import StaffMember
from tests.helpers import sign_in, soup

PASSPHRASE = "copper meadow silent drum harbor violet engine "


def staff_add(app, email: str, password: str):
    return app.test_cli_runner().invoke(args=["staff", "add", email], input=password + "\n")


def accounts(app) -> list[str]:
    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(StaffMember.email)))


@pytest.mark.parametrize("length", [72, 73, 80, 100, 201, 1000])
def test_a_long_password_is_accepted_by_staff_add_and_signs_in(make_app, quick_hashes, length):
    app = make_app()
    password = (PASSPHRASE * 30)[:length]
    assert len(password) == length
    result = staff_add(app, "desk@clinic.example", password)
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "desk@clinic.example", password).status_code == 303


def test_a_password_over_1000_characters_is_refused_with_a_reason(make_app):
    app = make_app()
    result = staff_add(app, "desk@clinic.example", (PASSPHRASE * 30)[:1001])
    assert result.exit_code != 0
    assert "at most 1000 characters" in result.output
    assert accounts(app) == []


def test_signing_in_with_a_1001_character_password_is_a_clear_401_not_a_500(make_app):
    app = make_app()
    response = sign_in(app.test_client(), "desk@clinic.example", "x" * 1001)
    assert response.status_code == 401
    assert soup(response).select_one('[role="alert"]') is not None


def clinic_passwords(content) -> list[str]:
    """What someone who knows where a member works would try first: the clinic's name and city, lightly dressed."""
    name, city = content.clinic.name, content.clinic.city
    return [f"{name} 1", name.upper().replace(" ", "") + "!2024", f"{city} 2024", f"my {city.lower()} clinic"]


def test_the_clinics_name_and_city_are_refused_as_passwords(make_app, content):
    app = make_app()
    for password in clinic_passwords(content):
        result = staff_add(app, "desk@clinic.example", password)
        assert result.exit_code != 0, password
        assert "must not contain the clinic's name or city" in result.output, password
    assert accounts(app) == []


def clinic_word_city_year(content) -> list[str]:
    """`<clinic word><city>2026!` for every word of the clinic's name: what someone who knows the clinic tries first."""
    city = content.clinic.city.split(",")[0].replace(" ", "")
    return [f"{word.lower()}{city.lower()}2026!" for word in content.clinic.name.split() if len(word) >= 3] + [
        f"{city.capitalize()}2026{content.clinic.name.split()[0]}",
        f"{city.lower()}2026{city.lower()}",
    ]


def test_a_word_of_the_clinics_name_with_its_city_and_a_year_is_refused(make_app, content):
    app = make_app()
    for password in clinic_word_city_year(content):
        result = staff_add(app, "desk@clinic.example", password)
        assert result.exit_code != 0, password
        assert "Try a few uncommon words" in result.output, password
    assert accounts(app) == []


def test_the_clinics_website_and_the_members_email_count_as_known_words():
    from types import SimpleNamespace

    from bodymap.staff.accounts import PasswordRefused, check_password_rules, clinic_words

    clinic = SimpleNamespace(name="Lakeside Motion PT", city="Madison, WI", website_host="www.lakeside-motion.example")
    words = clinic_words(clinic)
    assert words == ("Lakeside Motion PT", "Madison, WI", "www.lakeside-motion.example")
    for password in ("lakesidemotion2026!", "madison2026madison", "lakeside-motion.example1", "ana.lima2026!!"):
        with pytest.raises(PasswordRefused):
            check_password_rules(password, "ana.lima@clinic.example", words)
    check_password_rules("copper meadow silent drum", "ana.lima@clinic.example", words)
    check_password_rules("lakeside copper violet engine", "ana.lima@clinic.example", words)
