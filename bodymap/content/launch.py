"""What `content check --launch` refuses besides the everyday checks: what a clinic inherits from the example.

A clinic starts from the shipped file, the example clinic's. Before it goes live:

- the example clinic's name, phone number, city or website appear nowhere, unless the file's clinic block is that
  clinic (a source may cite "<example clinic>: upper back pain page"; that page is not this clinic's). A city
  written in the clinic's own `city` and `locations` is its own: two clinics may share a city;
- no phone number anywhere is a fictional one (555-0100 to 555-0199, reserved for films and examples);
- the direct-access ("no referral needed") notice is at most 12 months old: the rules differ by state and change.

Whether each region and language is signed off for its current text is asked of the database (`bodymap.review`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import phonenumbers
import yaml

from bodymap import resources
from bodymap.content.model import Content

Loc = tuple[str | int, ...]
NOTICE_MONTHS = 12


@dataclass(frozen=True)
class Example:
    """The shipped example clinic, as its own file names it."""

    name: str
    phone: str  # as written
    city: str
    website: str
    country: str


@functools.cache
def example_clinic() -> Example | None:
    """The clinic block of the file the app ships (None if it cannot be read)."""
    try:
        clinic = yaml.safe_load(resources.SHIPPED_CONTENT.read_text(encoding="utf-8"))["clinic"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None
    host = str(clinic.get("website") or "").removeprefix("https://").split("/")[0]
    return Example(
        str(clinic.get("name", "")),
        str(clinic.get("phone", "")),
        str(clinic.get("city", "")),
        host,
        str(clinic.get("country", "US")),
    )


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _numbers(text: str, country: str) -> Iterator[phonenumbers.PhoneNumber]:
    for match in phonenumbers.PhoneNumberMatcher(text, country, leniency=phonenumbers.Leniency.POSSIBLE):
        yield match.number


def fictional(number: phonenumbers.PhoneNumber) -> bool:
    """555-0100 to 555-0199 in the North American plan: kept for fiction and examples, never dialled."""
    national = number.national_number
    return number.country_code == 1 and (national // 10_000) % 1000 == 555 and 100 <= national % 10_000 <= 199


def _scalars(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every text in the file with its place."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _scalars(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _scalars(value, (*loc, i))
    elif isinstance(data, str):
        yield loc, data


def _clinics_own_city(loc: Loc) -> bool:
    return loc[:2] == ("clinic", "city") or loc[:2] == ("clinic", "locations")


def problems(content: Content, data: Any, today: datetime.date | None = None) -> list[tuple[Loc, str]]:
    """(where, what is wrong) for everything the example left behind, every fictional number, a stale notice."""
    found: list[tuple[Loc, str]] = []
    clinic = content.clinic
    example = example_clinic()
    is_example = example is not None and _normal(clinic.name) == _normal(example.name)
    example_phone = None
    if example is not None and example.phone:
        try:
            example_phone = phonenumbers.parse(example.phone, example.country).national_number
        except phonenumbers.NumberParseException:
            example_phone = None
    for loc, text in _scalars(data):
        said = _normal(text)
        if example is not None and not is_example:
            facts = [("name", example.name), ("website", example.website)]
            if not _clinics_own_city(loc):
                facts.append(("city", example.city))
            for what, fact in facts:
                if fact and _normal(fact) in said:
                    found.append((loc, f"names the example clinic's {what} ({fact}): write your clinic's own"))
        for number in _numbers(text, clinic.country):
            if fictional(number):
                shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
                found.append((loc, f"{shown} is a fictional number (555-0100 to 555-0199): give a real one"))
            elif example_phone is not None and not is_example and number.national_number == example_phone:
                found.append((loc, f"names the example clinic's phone ({example.phone}): write your clinic's own"))
    found += _stale_notice(content, today or datetime.date.today())
    return found


def _stale_notice(content: Content, today: datetime.date) -> list[tuple[Loc, str]]:
    notice = content.clinic.direct_access
    if notice is None:
        return []
    try:
        oldest = today.replace(year=today.year - 1)
    except ValueError:  # February 29th
        oldest = today.replace(year=today.year - 1, day=28)
    if notice.as_of >= oldest:
        return []
    message = (
        f"is dated {notice.as_of:%Y-%m-%d}, more than {NOTICE_MONTHS} months ago: direct-access rules change,"
        " so check the notice against your state's current rules and date it again"
    )
    return [(("clinic", "direct_access", "as_of"), message)]
