"""The clinic: everything that is one clinic's and not another's (name, phone, messages, notices, booking, hours).

Its messages are written in every language the clinic lists; names, numbers, addresses and dates are the same in
each. Opening hours are data (the weekdays, opening and closing times), so every language names the days in its
own words and the desk's reminders count the same hours.
"""

from __future__ import annotations

import datetime
import functools
import re
import struct
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import phonenumbers
from pydantic import AfterValidator, BeforeValidator, ValidationInfo, field_validator, model_validator

from bodymap import resources
from bodymap.content.fields import (
    LANGUAGES,
    Clock,
    Date,
    Filled,
    Https,
    Model,
    OptionalTexts,
    Text,
    as_text,
    catalogue,
    none_is_empty,
    problem,
    problems_at,
)
from bodymap.content.localized import Translated, in_language, localized
from bodymap.content.scheduler import Scheduler

LOGO_TYPES = (".svg", ".png")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BOOKING_AREAS = "{areas}"  # in a clinic's booking_url: the area names a patient chose to send, URL-encoded
PHONE = "{phone}"  # in the language-help notice: where the clinic's phone number goes


def _booking_placeholders(value: str) -> str:
    """A booking page's address may carry `{areas}` (where the patient's chosen area names go), nothing else."""
    for placeholder in re.findall(r"\{[^{}]*\}?", value):
        if placeholder != BOOKING_AREAS:
            raise problem("placeholder", f"may hold only the placeholder {BOOKING_AREAS}, not {placeholder}")
    if value.replace(BOOKING_AREAS, "").count("}"):
        raise problem("placeholder", f"may hold only the placeholder {BOOKING_AREAS}, not a lone }}")
    return value


BookingUrl = Annotated[Https, AfterValidator(_booking_placeholders)]


class DirectAccess(Model):
    """The "no referral needed" notice: the rules differ by state and change, so it is dated."""

    text: Translated[Text]
    as_of: Date


def _weekday(value: Any) -> Any:
    """A weekday's name, in any case: 'monday' ... 'sunday'."""
    return value.strip().lower() if isinstance(value, str) else value


def _each_day_once(days: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(days)) != len(days):
        raise problem("days", "must name each day once")
    return tuple(sorted(days, key=WEEKDAYS.index))


def _days_list(value: Any) -> Any:
    """Days are a list: `[monday, tuesday]`; a lone day may be written without brackets."""
    if isinstance(value, str) and value.strip().lower() in WEEKDAYS:
        return [value]
    if not isinstance(value, list | tuple):
        raise problem("days", "must be a list of weekdays, such as [monday, tuesday, wednesday, thursday, friday]")
    return value


Weekday = Annotated[Literal[WEEKDAYS], BeforeValidator(_weekday)]


class OpeningHours(Model):
    """When the clinic is open on some days of the week: it closes after it opens."""

    days: Annotated[tuple[Weekday, ...], BeforeValidator(_days_list), Filled, AfterValidator(_each_day_once)]
    open: Clock
    close: Clock

    @model_validator(mode="after")
    def _closes_after_opening(self) -> OpeningHours:
        """The clinic closes after it opens."""
        if self.open >= self.close:
            raise problems_at([(("close",), "hours", f"must be later than 'open' ({self.open:%H:%M})", self.close)])
        return self

    @property
    def weekdays(self) -> tuple[int, ...]:
        """The days as numbers: Monday is 0."""
        return tuple(WEEKDAYS.index(day) for day in self.days)

    @staticmethod
    def label(time: datetime.time) -> str:
        """'7 AM', '6:30 PM': how US patients read a time."""
        hour = time.hour % 12 or 12
        minutes = f":{time.minute:02d}" if time.minute else ""
        return f"{hour}{minutes} {'AM' if time.hour < 12 else 'PM'}"


class Location(Model):
    """One of the clinic's sites: a name, and address lines when the clinic gives them."""

    name: Text
    address: OptionalTexts = ()


class Logo(Model):
    path: str  # under static/
    width: int
    height: int


def _image_size(file: Path) -> tuple[int, int] | None:
    """Width and height of a PNG (its header) or an SVG (width and height, else its viewBox)."""
    data = file.read_bytes()
    if file.suffix.lower() == ".png":
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        return None
    head = data[:4096].decode("utf-8", "replace")
    svg = re.search(r"<svg\b[^>]*>", head)
    if not svg:
        return None
    width = re.search(r'\swidth="([\d.]+)(?:px)?"', svg[0])
    height = re.search(r'\sheight="([\d.]+)(?:px)?"', svg[0])
    if width and height:
        return round(float(width[1])), round(float(height[1]))
    box = re.search(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"', svg[0])
    return (round(float(box[1])), round(float(box[2]))) if box else None


def _measure_logo(value: Any) -> Any:
    """A logo path under static/, checked to exist and measured, so the header keeps its shape while it loads."""
    if value is None or isinstance(value, Logo):
        return value
    path = as_text(value)
    static = resources.STATIC
    file = (static / path).resolve()
    if not path.lower().endswith(LOGO_TYPES):
        raise problem("logo", "must be an .svg or .png file under static/")
    if not file.is_relative_to(static) or not file.is_file():
        raise problem("logo", f"names a file that does not exist: static/{path}")
    size = _image_size(file)
    if not size:
        raise problem("logo", f"static/{path} is not a readable {file.suffix[1:].upper()} image with a size")
    return Logo(path=path, width=size[0], height=size[1])


def _time_zone(name: str) -> str:
    """An IANA time zone name: when the desk is open and when "morning" ends are the clinic's local times."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise problem("timezone", f"{name!r} is not a time zone name such as America/Los_Angeles") from None
    return name


def _phone_placeholder(value: str) -> str:
    """The language-help notice says where the phone number goes, with {phone}, and holds no other placeholder."""
    if PHONE not in value:
        raise problem("placeholder", f"must say where the phone number goes with {PHONE}")
    if re.sub(r"\{phone\}", "", value).count("{") or value.replace(PHONE, "").count("}"):
        raise problem("placeholder", f"may hold only the placeholder {PHONE}")
    return value


PhoneText = Annotated[Text, AfterValidator(_phone_placeholder)]


@localized(unlisted=True)
class LanguageHelp(Model):
    """The notice that help in the patient's language is free, dated like the direct-access notice.

    Every page shows it in each language it is written in, whatever the page's language: it is for people who may
    not read the page. So a language block is welcome even on a clinic that does not list the language, and is
    required when the clinic lists it (then its pages are in that language too).
    """

    text: Translated[PhoneText]
    as_of: Date

    def notice(self, phone: str) -> str:
        """The notice with the clinic's phone number in it."""
        return self.text.replace(PHONE, phone)

    def texts(self) -> dict[str, str]:
        """The notice in each language it is written in, English first."""
        return {"en": self.text} | {lang: text for lang in LANGUAGES[1:] if (text := getattr(self, lang))}


def _languages(value: Any, info: ValidationInfo) -> Any:
    """Note the languages as written, so each language's block below is checked against them even if one is wrong."""
    if isinstance(value, list | tuple):
        catalogue(info).languages = tuple(str(item) for item in value)
    return value


def _english_first(languages: tuple[str, ...]) -> tuple[str, ...]:
    """English first (the file is written in English), each language once."""
    if languages[:1] != ("en",):
        raise problem("languages", "must start with en: the file is written in English, and es adds its Spanish")
    if len(set(languages)) != len(languages):
        raise problem("languages", "must list each language once")
    return languages


Languages = Annotated[
    tuple[Annotated[Literal[LANGUAGES], BeforeValidator(as_text)], ...],
    BeforeValidator(_languages),
    Filled,
    AfterValidator(_english_first),
]


@localized
class Clinic(Model):
    languages: Languages = ("en",)  # first, so every other language's block is checked against it
    name: Text
    city: Text
    country: Text
    phone: Text
    appointments: Translated[Text]
    locations: Annotated[tuple[Location, ...], BeforeValidator(none_is_empty)] = ()
    booking_url: BookingUrl | None = None
    direct_access: Translated[DirectAccess | None] = None
    disclaimer: Translated[Text]
    website: Https | None = None
    hours: Annotated[tuple[OpeningHours, ...], BeforeValidator(none_is_empty)] = ()
    timezone: Annotated[Text, AfterValidator(_time_zone)] = "UTC"  # where the clinic is, for its hours
    logo: Annotated[Logo | None, BeforeValidator(_measure_logo)] = None
    language_help: LanguageHelp | None = None  # its language blocks are its own: see LanguageHelp
    scheduler: Scheduler | None = None  # where the next free times come from: see scheduler.py

    @field_validator("phone")
    @classmethod
    def _dialable(cls, phone: str, info: ValidationInfo) -> str:
        """A number a patient can dial from inside the clinic's country."""
        country = info.data.get("country")
        if not country:
            return phone  # a missing or broken country is reported on its own
        try:
            valid = phonenumbers.is_valid_number(phonenumbers.parse(phone, country))
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            raise problem("phone", f"is not a phone number that can be dialled in {country}")
        return phone

    @model_validator(mode="after")
    def _scheduler_has_a_booking_page(self) -> Clinic:
        """The free times link on to the booking page ("More times"), so a scheduler needs one."""
        if self.scheduler and not self.booking_url:
            message = "is needed with a scheduler: its free times link on to the booking page"
            raise problems_at([(("booking_url",), "needed", message, None)])
        return self

    def booking_link(self, area_names: list[str] = ()) -> str:
        """The booking page, with the area names the patient chose to send (none: the placeholder goes)."""
        return (self.booking_url or "").replace(BOOKING_AREAS, quote(", ".join(area_names), safe=""))

    def in_language(self, lang: str) -> Clinic:
        """The clinic with its messages in `lang`; names, numbers and dates stay as they are."""
        copy = in_language(self, getattr(self, lang))
        if self.language_help and getattr(self.language_help, lang):
            help_ = in_language(self.language_help, getattr(self.language_help, lang))
            copy = copy.model_copy(update={"language_help": help_})
        return copy

    @property
    def website_host(self) -> str:
        """'www.example.com': the website as patients would type it."""
        return (self.website or "").removeprefix("https://").split("/")[0]

    @property
    def tel(self) -> str:
        """The phone number as a `tel:` URL, in international form."""
        return _tel(self.phone, self.country)


@functools.lru_cache(maxsize=64)
def _tel(phone: str, country: str) -> str:
    """The `tel:` URL of a number dialled in `country`: worked out once, as every page links to the clinic's phone."""
    number = phonenumbers.parse(phone, country)
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
