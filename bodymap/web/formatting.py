"""How values read on a page: phone numbers the way the clinic's country writes them, and opening days in the
page's language ("Monday to Friday", "lunes a viernes")."""

from __future__ import annotations

import functools

import phonenumbers
from babel.dates import get_day_names
from babel.lists import format_list
from flask import Flask
from flask_babel import get_locale, gettext


@functools.lru_cache(maxsize=4096)  # a queue page shows the same few hundred numbers at every poll
def display_phone(e164: str | None, country: str) -> str | None:
    """+15035550142 as (503) 555-0142 in the clinic's own country, international otherwise; as stored if unreadable."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    same_country = phonenumbers.region_code_for_number(number) == country
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same_country else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def weekdays_label(days: tuple[int, ...]) -> str:
    """Weekday numbers (Monday is 0) as the page's language names them: three or more days in a row as a range
    ("Monday to Friday"), the rest listed ("Tuesday and Thursday")."""
    locale = get_locale()
    names = get_day_names("wide", locale=locale)
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(gettext("%(first)s to %(last)s", first=names[run[0]], last=names[run[-1]]))
        else:
            parts += [names[day] for day in run]
    label = format_list(parts, locale=locale)
    return label[:1].upper() + label[1:]


def init_app(app: Flask) -> None:
    app.add_template_filter(weekdays_label, "weekdays")
