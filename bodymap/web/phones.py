"""Phone numbers as people read them: stored in international form, shown the way the clinic's country writes them."""

from __future__ import annotations

import phonenumbers


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
