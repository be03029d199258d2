"""The mail settings are checked at start-up: a clear message that names the variable, never the password."""

from __future__ import annotations

import pytest

from bodymap.settings import ConfigError, from_environment

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

MAIL_VARIABLES = (
    "SMTP_URL",
    "DESK_EMAIL",
    "MAIL_FROM",
    "PUBLIC_URL",
    "REMINDER_AFTER_MINUTES",
    "NOTIFY_INTERVAL_SECONDS",
)


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """Set variables (the mail ones start unset) and read the settings."""
    for name in MAIL_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def read(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return from_environment(str(tmp_path))

    return read


def test_without_mail_settings_no_email_is_sent_and_reminders_default_to_two_hours(environment):
    settings = environment()
    assert (settings["SMTP_URL"], settings["DESK_EMAIL"], settings["MAIL_FROM"]) == ("", (), "")
    assert settings["REMINDER_AFTER_MINUTES"] == 120 and settings["NOTIFY_INTERVAL_SECONDS"] == 15


def test_mail_settings_are_read(environment):
    settings = environment(
        SMTP_URL="smtps://desk%40clinic.example:p4ss@mail.example:465",
        DESK_EMAIL="desk@clinic.example, manager@clinic.example",
        PUBLIC_URL="https://www.clinic.example",
        REMINDER_AFTER_MINUTES="90",
    )
    assert settings["SMTP_URL"] == "smtps://desk%40clinic.example:p4ss@mail.example:465"
    assert settings["DESK_EMAIL"] == ("desk@clinic.example", "manager@clinic.example")
    assert settings["MAIL_FROM"] == "desk@clinic.example"  # the first recipient, unless MAIL_FROM says otherwise
    assert settings["REMINDER_AFTER_MINUTES"] == 90
    assert environment(MAIL_FROM="queue@clinic.example")["MAIL_FROM"] == "queue@clinic.example"
    assert environment(REMINDER_AFTER_MINUTES="0")["REMINDER_AFTER_MINUTES"] == 0  # no reminders


GOOD = {"DESK_EMAIL": "desk@clinic.example", "PUBLIC_URL": "https://www.clinic.example"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({**GOOD, "SMTP_URL": "mail.example:587"}, "SMTP_URL must look like smtp://"),
        ({**GOOD, "SMTP_URL": "http://mail.example"}, "SMTP_URL must look like smtp://"),
        ({**GOOD, "SMTP_URL": "smtp://"}, "SMTP_URL must look like smtp://"),
        ({**GOOD, "SMTP_URL": "smtp://mail.example:port"}, "SMTP_URL must look like smtp://"),
        ({**GOOD, "SMTP_URL": "smtp://mail.example/inbox"}, "SMTP_URL must look like smtp://"),
        ({"SMTP_URL": "smtp://mail.example", "PUBLIC_URL": "https://www.clinic.example"}, "DESK_EMAIL is empty"),
        ({"DESK_EMAIL": "desk@clinic.example"}, "SMTP_URL is empty while DESK_EMAIL is set"),
        ({"SMTP_URL": "smtp://mail.example", "DESK_EMAIL": "desk@clinic.example"}, "PUBLIC_URL is empty"),
        ({**GOOD, "SMTP_URL": "smtp://mail.example", "DESK_EMAIL": "front desk"}, "DESK_EMAIL: 'front desk' is not"),
        ({**GOOD, "SMTP_URL": "smtp://mail.example", "DESK_EMAIL": "a@x.example; b@x.example"}, "DESK_EMAIL: "),
        ({**GOOD, "SMTP_URL": "smtp://mail.example", "MAIL_FROM": "a@x.example, b@x.example"}, "MAIL_FROM must be one"),
        ({"REMINDER_AFTER_MINUTES": "two hours"}, "REMINDER_AFTER_MINUTES must be a whole number"),
        ({"NOTIFY_INTERVAL_SECONDS": "0"}, "NOTIFY_INTERVAL_SECONDS must be a whole number of at least 1"),
    ],
)
def test_a_wrong_mail_setting_stops_the_app_with_a_message_naming_it(environment, variables, message):
    with pytest.raises(ConfigError) as refused:
        environment(**variables)
    assert str(refused.value).startswith(message) or message in str(refused.value)


def test_the_message_never_repeats_the_password(environment):
    with pytest.raises(ConfigError) as refused:
        environment(**GOOD, SMTP_URL="smtp://desk:hunter2-secret@mail.example:submission")
    assert "hunter2" not in str(refused.value)
    assert "smtp://desk:***@mail.example:submission" in str(refused.value)


def test_the_app_refuses_to_start_with_a_wrong_mail_setting(environment, monkeypatch):
    from bodymap import create_app

    monkeypatch.setenv("SMTP_URL", "smtp://mail.example")
    with pytest.raises(ConfigError, match="DESK_EMAIL is empty"):
        create_app({"TESTING": True})
