"""What `regions.yaml` must hold, stated once: every field, its type, its allowed values and the cross-checks.

Each model names its fields exactly as the file spells them and refuses any other. The checks that
need more than one value live on the lowest model that sees those values: a marker checks its own
half of the picture, a region checks its circles' sides and that they keep clear of every circle
placed before them, a region's treatment ids are looked up in the treatment catalogue. The
catalogues are filled while the file is validated, top to bottom, through the validation context
(`Catalogue`), so one region's mistakes never hide the checks of the next. Validate with
`Content.read(data)`; `loader` turns the errors into lines that name the file, line, owner and field.

A clinic whose `languages` list es gives the Spanish of every patient text in an `es:` block at the end
of the clinic, each treatment and each region: required and complete when es is listed, refused when it
is not, every list one for one with the English. `Content.spanish()` is then the same content with
those texts swapped in: same ids, slugs, circles and sources, so the footnotes number alike.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import struct
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import quote

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from bodymap.content import drawing

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
STATIC_FOLDER = PROJECT_ROOT / "static"
LOGO_TYPES = (".svg", ".png")
VIEWS = ("front", "back")
SIDES = ("left", "right", "centre")
KINDS = ("passive", "active")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
HTTPS = re.compile(r"^https://[^\s/]+\.[^\s]+$")
BOOKING_AREAS = "{areas}"  # in a clinic's booking_url: the area names a patient chose to send, URL-encoded
NO_SOURCE = 'names no source: write it as {text: "...", source: <source id>}'
DRAFT_AT_LAUNCH = "marks a draft: before launch a clinician reviews the region and is named here (by, role, date)"
LANGUAGES = ("en", "es")  # English first: the file is written in English, and each `es:` block is its Spanish
SPANISH_DRAFT_AT_LAUNCH = (
    "marks a draft: before launch a Spanish-speaking clinician reviews the Spanish and is named here (by, role, date)"
)
PHONE = "{phone}"  # in the language-help notice: where the clinic's phone number goes


def problem(kind: str, message: str) -> PydanticCustomError:
    """A validation error that carries its own wording, as the content check prints it."""
    return PydanticCustomError(kind, message)


def problems_at(errors: list[tuple[tuple[str | int, ...], str, str, Any]]) -> ValidationError:
    """Several errors at once, each at a place (`loc`) below the value being validated."""
    return ValidationError.from_exception_data(
        "content",
        [InitErrorDetails(type=problem(kind, message), loc=loc, input=value) for loc, kind, message, value in errors],
    )


# Field types ---------------------------------------------------------------------------------------------------------


def _squash(value: str) -> str:
    """Text as one line with single spaces; blank text is refused."""
    value = " ".join(value.split())
    if not value:
        raise problem("empty", "must not be empty")
    return value


def _slug(value: str) -> str:
    """An id as it appears in addresses: lowercase words joined by single hyphens."""
    if not SLUG.match(value):
        raise problem("slug", "must be lowercase letters, digits and single hyphens")
    return value


def _https(value: str) -> str:
    """Only https, so the page never links to an insecure address."""
    if not HTTPS.match(value):
        raise problem("https", "must be a web address starting with https://")
    return value


def _text(value: Any) -> str:
    """Text before it is compared with the allowed values, so a number is named as not text."""
    if not isinstance(value, str):
        raise problem("string_type", "must be text")
    return _squash(value)


def _date(value: Any) -> datetime.date:
    """A calendar date as YAML reads 2026-11-27 unquoted; quoted text or a time of day with it is refused."""
    if type(value) is not datetime.date:
        raise problem("date", "must be a date written YYYY-MM-DD")
    return value


def _clock(value: Any) -> datetime.time:
    """A time of day written HH:MM (24-hour), quoted or not."""
    match = CLOCK.match(value) if isinstance(value, str) else None
    if not match:
        raise problem("clock", "must be a time written HH:MM, 24-hour (for example 07:30 or 18:00)")
    return datetime.time(int(match[1]), int(match[2]))


def _none_is_empty(value: Any) -> Any:
    """An optional list may be written as null."""
    return () if value is None else value


def _filled(value: Any) -> Any:
    """A list that must hold something (counted as written, not after its entries are checked)."""
    if isinstance(value, list | tuple) and not value:
        raise problem("too_short", "must not be empty")
    return value


def _between(low: float, high: float):
    """A check that a coordinate keeps the whole circle on the drawing."""

    def check(value: float) -> float:
        """The coordinate, or a problem naming the allowed range."""
        if not low <= value <= high:
            raise problem("off_drawing", f"is off the drawing: must be between {low:g} and {high:g}")
        return value

    return check


Filled = BeforeValidator(_filled)
Text = Annotated[str, Strict(), AfterValidator(_squash)]
Slug = Annotated[Text, AfterValidator(_slug)]
Https = Annotated[Text, AfterValidator(_https)]


def _booking_placeholders(value: str) -> str:
    """A booking page's address may carry `{areas}` (where the patient's chosen area names go), nothing else."""
    for placeholder in re.findall(r"\{[^{}]*\}?", value):
        if placeholder != BOOKING_AREAS:
            raise problem("placeholder", f"may hold only the placeholder {BOOKING_AREAS}, not {placeholder}")
    if value.replace(BOOKING_AREAS, "").count("}"):
        raise problem("placeholder", f"may hold only the placeholder {BOOKING_AREAS}, not a lone }}")
    return value


BookingUrl = Annotated[Https, AfterValidator(_booking_placeholders)]
Date = Annotated[datetime.date, BeforeValidator(_date)]
Clock = Annotated[datetime.time, BeforeValidator(_clock)]
Flag = Annotated[bool, Strict(), BeforeValidator(lambda value: False if value is None else value)]
Texts = Annotated[tuple[Text, ...], Filled]
OptionalTexts = Annotated[tuple[Text, ...], BeforeValidator(_none_is_empty)]
R = drawing.MARKER_RADIUS
AcrossDrawing = Annotated[float, Strict(), AfterValidator(_between(R, drawing.WIDTH - R))]
DownDrawing = Annotated[float, Strict(), AfterValidator(_between(R, drawing.HEIGHT - R))]


class Model(BaseModel):
    """A part of the content file: only the fields it names, and never changed once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Catalogue:
    """What the file has declared so far, filled top to bottom while it is validated."""

    launch: bool = False
    source_ids: set[str] = field(default_factory=set)  # every id written, even on a source with mistakes
    sources: dict[str, Source] = field(default_factory=dict)
    treatment_ids: set[str] = field(default_factory=set)
    treatments: dict[str, Treatment] = field(default_factory=dict)
    slugs: set[str] = field(default_factory=set)
    region: str = ""  # the slug of the region being read, to name it when a later circle overlaps
    languages: tuple[str, ...] = ("en",)  # as the clinic lists them, so each `es:` block is required or refused
    placed: dict[str, list[tuple[str, Marker]]] = field(default_factory=lambda: {view: [] for view in VIEWS})


def catalogue(info: ValidationInfo) -> Catalogue:
    """The catalogue `Content.read` put in the validation context."""
    return info.context["catalogue"]


def written_once(known: set[str], name: str, what: str) -> str:
    """Note `name` as written; a second one with the same name is refused ("used by another `what`")."""
    if name in known:
        raise problem("duplicate", f"'{name}' is used by another {what}")
    known.add(name)
    return name


# Spanish -------------------------------------------------------------------------------------------------------------

Matches = list[tuple[tuple[str | int, ...], str, str, Any]]


def _spanish(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo, matches) -> Any:
    """An `es:` block: required when the clinic lists es, refused when it does not, its lists as long as the English.

    `matches(english, spanish)` compares the block as written with the English fields already read (`info.data`);
    its problems are reported together with the block's own, so one mistake never hides another.
    """
    listed = "es" in catalogue(info).languages
    if value is None:
        if listed:
            raise problem("missing_spanish", "is missing: the clinic's languages list es, so this needs its Spanish")
        return None
    if not listed:
        raise problem(
            "not_listed", "is Spanish, but the clinic's languages do not list es: add es there, or delete this block"
        )
    errors = matches(info.data, value) if isinstance(value, dict) else []
    try:
        found = handler(value)
    except ValidationError as error:
        errors = [(e["loc"], e["type"], e["msg"], e["input"]) for e in error.errors(include_url=False)] + errors
    if errors:
        raise problems_at(errors)
    return found


def _written(spanish: Any, *path: str) -> Any:
    """The value written at `path` in an `es:` block, or None."""
    for part in path:
        spanish = spanish.get(part) if isinstance(spanish, dict) else None
    return spanish


def _same_length(errors: Matches, spanish: Any, english: Any, *path: str, optional: bool = False) -> None:
    """A Spanish list holds the English list's items, one for one (an empty or missing one is reported on its own)."""
    written = _written(spanish, *path)
    if written is None and optional and english:
        errors.append((path, "missing", "is missing", spanish))
    elif isinstance(written, list) and (written or optional) and len(written) != len(english):
        entries = f"{len(written)} entr{'y' if len(written) == 1 else 'ies'}"
        message = f"has {entries}, the English has {len(english)}: one for each, in the same order"
        errors.append((path, "length", message, written))


def _only_with(errors: Matches, spanish: dict, key: str, english: Any, what: str) -> None:
    """A Spanish field that translates an optional English one is written exactly when the English one is."""
    if english and key not in spanish:
        errors.append(((key,), "missing", "is missing", spanish))
    elif not english and key in spanish:
        errors.append(((key,), "not_used", f"is not used: the clinic has no {what}", spanish[key]))


def _clinic_matches(english: dict, spanish: dict) -> Matches:
    """The clinic's Spanish has a direct-access text and the days of its hours when the English has them."""
    errors: Matches = []
    if "direct_access" in english:
        _only_with(errors, spanish, "direct_access", english["direct_access"], "direct_access notice")
    if "hours" in english:
        _only_with(errors, spanish, "hours_days", english["hours"], "hours")
        if english["hours"]:
            _same_length(errors, spanish, english["hours"], "hours_days")
    return errors


# The clinic ----------------------------------------------------------------------------------------------------------


class DirectAccess(Model):
    text: Text
    as_of: Date


class OpeningHours(Model):
    """Opening hours for a range of days, closing after it opens."""

    days: Text
    open: Clock
    close: Clock

    @model_validator(mode="after")
    def _closes_after_opening(self) -> OpeningHours:
        """The clinic closes after it opens."""
        if self.open >= self.close:
            raise problems_at([(("close",), "hours", f"must be later than 'open' ({self.open:%H:%M})", self.close)])
        return self

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
    path = _text(value)
    file = (STATIC_FOLDER / path).resolve()
    if not path.lower().endswith(LOGO_TYPES):
        raise problem("logo", "must be an .svg or .png file under static/")
    if not file.is_relative_to(STATIC_FOLDER) or not file.is_file():
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


class LanguageHelp(Model):
    """The notice that help in the patient's language is free, dated like the direct-access notice.

    Its Spanish (`es`) is required when the clinic lists Spanish, and welcome on an English-only clinic too:
    the notice is for people who may not read English, so it is not a translation of a page.
    """

    text: PhoneText
    as_of: Date
    es: PhoneText | None = Field(None, validate_default=True)

    @field_validator("es", mode="after")
    @classmethod
    def _spanish_when_listed(cls, spanish: str | None, info: ValidationInfo) -> str | None:
        """A clinic with Spanish pages says it in Spanish too."""
        if spanish is None and "es" in catalogue(info).languages:
            raise problem("missing", "is missing")
        return spanish

    def notice(self, phone: str) -> str:
        """The notice with the clinic's phone number in it."""
        return self.text.replace(PHONE, phone)


def _languages(value: Any, info: ValidationInfo) -> Any:
    """Note the languages as written, so each `es:` block below is checked against them even if one is wrong."""
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
    tuple[Annotated[Literal[LANGUAGES], BeforeValidator(_text)], ...],
    BeforeValidator(_languages),
    Filled,
    AfterValidator(_english_first),
]


class ClinicEs(Model):
    """The clinic's messages in Spanish; the rest of the clinic (name, phone, dates) is the same in every language."""

    appointments: Text
    disclaimer: Text
    direct_access: Text | None = None  # the notice's text only: its date is the English one's
    hours_days: Annotated[tuple[Text, ...], Filled] | None = None  # each `days` label of `hours`, in order


class Clinic(Model):
    languages: Languages = ("en",)  # first, so every `es:` block is checked against it
    name: Text
    city: Text
    country: Text
    phone: Text
    appointments: Text
    locations: Annotated[tuple[Location, ...], BeforeValidator(_none_is_empty)] = ()
    booking_url: BookingUrl | None = None
    direct_access: DirectAccess | None = None
    disclaimer: Text
    website: Https | None = None
    hours: Annotated[tuple[OpeningHours, ...], BeforeValidator(_none_is_empty)] = ()
    timezone: Annotated[Text, AfterValidator(_time_zone)] = "UTC"  # where the clinic is, for its hours
    logo: Annotated[Logo | None, BeforeValidator(_measure_logo)] = None
    language_help: LanguageHelp | None = None
    es: Annotated[ClinicEs | None, WrapValidator(lambda v, h, i: _spanish(v, h, i, _clinic_matches))] = Field(
        None, validate_default=True
    )

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

    def booking_link(self, area_names: list[str] = ()) -> str:
        """The booking page, with the area names the patient chose to send (none: the placeholder goes)."""
        return (self.booking_url or "").replace(BOOKING_AREAS, quote(", ".join(area_names), safe=""))

    def spanish(self) -> Clinic:
        """The clinic with its messages in Spanish (the `es:` block); names, numbers and dates stay as they are."""
        es = self.es
        update: dict[str, Any] = {"appointments": es.appointments, "disclaimer": es.disclaimer}
        if self.direct_access:
            update["direct_access"] = self.direct_access.model_copy(update={"text": es.direct_access})
        if self.hours:
            days = zip(self.hours, es.hours_days, strict=True)
            update["hours"] = tuple(hours.model_copy(update={"days": label}) for hours, label in days)
        if self.language_help:
            update["language_help"] = self.language_help.model_copy(update={"text": self.language_help.es})
        return self.model_copy(update=update)

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


# Sources and statements ----------------------------------------------------------------------------------------------


class Source(Model):
    """One entry of the catalogue every statement cites by id."""

    id: Slug
    citation: Text
    url: Https | None = None

    @field_validator("id")
    @classmethod
    def _once(cls, source_id: str, info: ValidationInfo) -> str:
        """Each source id is written once; the ids are noted even when the rest of the source has mistakes."""
        return written_once(catalogue(info).source_ids, source_id, "source")

    @model_validator(mode="after")
    def _catalogued(self, info: ValidationInfo) -> Source:
        """A valid source can be cited by the statements below it."""
        catalogue(info).sources[self.id] = self
        return self


def _source_by_id(value: Any, info: ValidationInfo) -> Any:
    """A source id, looked up in the catalogue at the top of the file."""
    source_id = _text(value)
    found = catalogue(info)
    if source_id in found.sources:
        return found.sources[source_id]
    if source_id in found.source_ids:  # the source itself has a mistake, reported where it is written
        return Source.model_construct(id=source_id, citation="", url=None)
    raise problem("unknown_source", f"names unknown source '{source_id}' (add it under 'sources' at the top)")


def _one_or_more(value: Any) -> Any:
    """`source: <id>` or `source: [<id>, <id>]`."""
    return value if isinstance(value, list | tuple) else (value,)


SourceRef = Annotated[Source, BeforeValidator(_source_by_id)]
SourceRefs = Annotated[
    tuple[SourceRef, ...],
    BeforeValidator(_one_or_more),
    Filled,
    AfterValidator(lambda found: tuple(dict.fromkeys(found))),
]


class Sourced(Model):
    """One statement (a red flag, a caution, when to get checked) and the sources it rests on."""

    text: Text
    sources: SourceRefs = Field(alias="source")

    @model_validator(mode="before")
    @classmethod
    def _names_a_source(cls, data: Any) -> Any:
        """A statement written as bare text says how to add its source."""
        if isinstance(data, str | int | float | bool):
            raise problem("no_source", NO_SOURCE)
        return data

    def __str__(self) -> str:
        """The statement as patients read it."""
        return self.text


Statements = Annotated[tuple[Sourced, ...], Filled]


# Treatments ----------------------------------------------------------------------------------------------------------


class TreatmentEs(Model):
    """A treatment in Spanish: the cautions' texts only, in the English order (their sources are the English ones')."""

    name: Text
    description: Text
    contraindications: OptionalTexts = ()


def _treatment_matches(english: dict, spanish: dict) -> Matches:
    """One Spanish caution for each English one."""
    errors: Matches = []
    if "contraindications" in english:
        _same_length(errors, spanish, english["contraindications"], "contraindications", optional=True)
    return errors


def retold(statements: tuple[Sourced, ...], texts: tuple[str, ...]) -> tuple[Sourced, ...]:
    """The same statements, citing the same sources, in other words."""
    return tuple(item.model_copy(update={"text": text}) for item, text in zip(statements, texts, strict=True))


class Treatment(Model):
    id: Slug
    name: Text
    kind: Annotated[Literal[KINDS], BeforeValidator(_text)]
    description: Text
    contraindications: Annotated[tuple[Sourced, ...], BeforeValidator(_none_is_empty)] = ()
    es: Annotated[TreatmentEs | None, WrapValidator(lambda v, h, i: _spanish(v, h, i, _treatment_matches))] = Field(
        None, validate_default=True
    )

    @field_validator("id")
    @classmethod
    def _once(cls, treatment_id: str, info: ValidationInfo) -> str:
        """Each treatment id is written once."""
        return written_once(catalogue(info).treatment_ids, treatment_id, "treatment")

    @model_validator(mode="after")
    def _catalogued(self, info: ValidationInfo) -> Treatment:
        """A valid treatment can be listed by the regions below it."""
        catalogue(info).treatments[self.id] = self
        return self

    def spanish(self) -> Treatment:
        """The treatment in Spanish (its `es:` block)."""
        es = self.es
        cautions = retold(self.contraindications, es.contraindications)
        return self.model_copy(update={"name": es.name, "description": es.description, "contraindications": cautions})


def _treatment_by_id(value: Any, info: ValidationInfo) -> Any:
    """A treatment id, looked up in the treatment catalogue."""
    treatment_id = _text(value)
    found = catalogue(info)
    if treatment_id in found.treatments:
        return found.treatments[treatment_id]
    if treatment_id in found.treatment_ids:  # the treatment itself has a mistake, reported where it is written
        return Treatment.model_construct(
            id=treatment_id, name="", kind="active", description="", contraindications=(), es=None
        )
    raise problem("unknown_treatment", f"names unknown treatment id '{treatment_id}'")


def _each_once(treatments: tuple[Treatment, ...]) -> tuple[Treatment, ...]:
    """A region lists each treatment once; every repeat is named."""
    seen: set[str] = set()
    twice = []
    for i, treatment in enumerate(treatments):
        if treatment.id in seen:
            twice.append(((i,), "twice", f"lists treatment '{treatment.id}' twice", treatment.id))
        seen.add(treatment.id)
    if twice:
        raise problems_at(twice)
    return treatments


TreatmentRef = Annotated[Treatment, BeforeValidator(_treatment_by_id)]


# Regions -------------------------------------------------------------------------------------------------------------


class Marker(Model):
    """One circle on the drawing, on the half of the picture its side belongs to."""

    view: Annotated[Literal[VIEWS], BeforeValidator(_text)]
    side: Annotated[Literal[SIDES], BeforeValidator(_text)]
    x: AcrossDrawing
    y: DownDrawing

    @model_validator(mode="after")
    def _on_its_half(self) -> Marker:
        """A left or right circle sits on the half of the picture where that side of the body is drawn."""
        wrong = drawing.wrong_half(self.view, self.side, self.x)
        if wrong:
            raise problems_at([(("x",), "wrong_half", wrong, self.x)])
        return self


class Condition(Model):
    name: Text
    about: Text


class RedFlags(Model):
    emergency: Statements
    urgent: Statements


class Screening(Model):
    emergency: Texts
    urgent: Texts
    general: Texts


class Review(Model):
    """Who reviewed the region: a named clinician with role and date, or a draft awaiting one."""

    AT_LAUNCH: ClassVar[str] = DRAFT_AT_LAUNCH

    date: Date
    by: Text
    marked_draft: Flag = Field(False, alias="draft")
    role: Text = Field(None, validate_default=True)  # required once a clinician has reviewed the region

    @property
    def draft(self) -> bool:
        """Marked `draft: true`, or a reviewer written as a draft ("content team (draft)")."""
        return self.marked_draft or "draft" in self.by.lower()

    @field_validator("role", mode="wrap")
    @classmethod
    def _role_unless_draft(cls, role: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> str:
        """A reviewed region names the reviewer's role; a draft need not."""
        if role is not None:
            return handler(role)
        if info.data.get("marked_draft") or "draft" in info.data.get("by", "").lower():
            return ""
        raise problem("missing", "is missing")

    @model_validator(mode="after")
    def _not_a_draft_at_launch(self, info: ValidationInfo) -> Review:
        """With --launch, a draft is refused at the line that marks it."""
        if self.draft and catalogue(info).launch:
            key = "draft" if "marked_draft" in self.model_fields_set else "by"
            raise problems_at([((key,), "draft", self.AT_LAUNCH, self.by)])
        return self


MAP_LABEL_CHARACTERS = int((drawing.WIDTH - 2 * drawing.LABEL_HALO) / (drawing.LABEL_FONT * drawing.LABEL_CHAR_WIDTH))


def _fits_the_map(text: str) -> str:
    """A name drawn beside its circle fits across the drawing (Spanish names run longer than English ones)."""
    if len(text) > MAP_LABEL_CHARACTERS:
        raise problem("too_long", f"is too long to draw on the map: {MAP_LABEL_CHARACTERS} characters at most")
    return text


MapLabel = Annotated[Text, AfterValidator(_fits_the_map)]


class SpanishReview(Review):
    """Who reviewed the region's Spanish: a Spanish-speaking clinician, or a draft awaiting one."""

    AT_LAUNCH: ClassVar[str] = SPANISH_DRAFT_AT_LAUNCH


class Sides(Model):
    """A paired region's name with each side, as Spanish says it: "Rodilla izquierda", "Hombro derecho"."""

    left: MapLabel
    right: MapLabel


class SpanishRedFlags(Model):
    """The red flags' texts, in the English order; their sources are the English ones'."""

    emergency: Texts
    urgent: Texts


class RegionEs(Model):
    """A region's patient text and phone script in Spanish, each list in the English order."""

    name: MapLabel
    sides: Sides | None = None  # required for a region with a left and a right
    summary: Text
    conditions: Annotated[tuple[Condition, ...], Filled]
    self_care: Texts
    not_improving: Text
    lasts: Text | None = None  # required when the English gives how long it usually lasts
    red_flags: SpanishRedFlags
    screening: Screening
    reviewed: SpanishReview


def _region_matches(english: dict, spanish: dict) -> Matches:
    """One Spanish item for each English one, and the side names exactly when the region has sides."""
    errors: Matches = []
    for path in (("conditions",), ("self_care",)):
        if path[0] in english:
            _same_length(errors, spanish, english[path[0]], *path)
    if "lasts" in english:
        _only_with(errors, spanish, "lasts", english["lasts"], "'lasts' line")
    for group, tiers in (("red_flags", ("emergency", "urgent")), ("screening", ("emergency", "urgent", "general"))):
        if group in english:
            for tier in tiers:
                _same_length(errors, spanish, getattr(english[group], tier), group, tier)
    if "markers" in english:
        paired = any(marker.side != "centre" for marker in english["markers"])
        if paired and "sides" not in spanish:
            message = 'is missing: name each side, e.g. {left: "Rodilla izquierda", right: "Rodilla derecha"}'
            errors.append((("sides",), "missing_sides", message, spanish))
        elif not paired and "sides" in spanish:
            errors.append((("sides",), "not_used", "is not used: the region has no left and right", spanish["sides"]))
    return errors


class Region(Model):
    slug: Slug
    name: Text
    markers: Annotated[tuple[Marker, ...], Filled]
    summary: Text
    conditions: Annotated[tuple[Condition, ...], Filled]
    treatments: Annotated[tuple[TreatmentRef, ...], Filled, AfterValidator(_each_once)]
    self_care: Texts
    not_improving: Sourced
    lasts: Sourced | None = None  # how long it usually lasts
    red_flags: RedFlags
    screening: Screening
    reviewed: Review
    sources: SourceRefs
    es: Annotated[RegionEs | None, WrapValidator(lambda v, h, i: _spanish(v, h, i, _region_matches))] = Field(
        None, validate_default=True
    )
    _labels: dict[str, str] = PrivateAttr(default_factory=dict)  # the Spanish copy's side names

    @model_validator(mode="before")
    @classmethod
    def _reading(cls, data: Any, info: ValidationInfo) -> Any:
        """Name the region its circles are placed under, even when its slug has a mistake."""
        catalogue(info).region = str(data.get("slug", "")) if isinstance(data, dict) else ""
        return data

    @field_validator("slug")
    @classmethod
    def _once(cls, slug: str, info: ValidationInfo) -> str:
        """Each region's slug is its address, so it is used once."""
        return written_once(catalogue(info).slugs, slug, "region")

    @field_validator("markers")
    @classmethod
    def _circles_apart(cls, markers: tuple[Marker, ...], info: ValidationInfo) -> tuple[Marker, ...]:
        """One circle per side and view, centre or a left-right pair, none on top of a circle placed before."""
        found = catalogue(info)
        errors = []
        for i, marker in enumerate(markers):
            if any(o.view == marker.view and o.side == marker.side for o in markers[:i]):
                errors.append(((i,), "second", f"a second {marker.side} circle on the {marker.view} view", marker))
            for slug, other in found.placed[marker.view]:
                if math.dist((other.x, other.y), (marker.x, marker.y)) < 2 * drawing.MARKER_RADIUS:
                    message = f"its circle overlaps region '{slug}' on the {marker.view} view"
                    errors.append(((i,), "overlap", message, marker))
            found.placed[marker.view].append((found.region, marker))
        sides = {m.side for m in markers}
        if "centre" in sides and len(sides) > 1:
            errors.append(((), "sides", "must be all centre, or left and right, not both", markers))
        elif sides == {"left"} or sides == {"right"}:
            errors.append(((), "sides", "needs both a left and a right circle", markers))
        if errors:
            raise problems_at(errors)
        return markers

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides a patient can pick: ('left', 'right') for paired regions, () otherwise."""
        return tuple(side for side in ("left", "right") if any(m.side == side for m in self.markers))

    def label(self, side: str | None) -> str:
        """'Knee' or 'Left knee'; in the Spanish content 'Rodilla' or 'Rodilla izquierda'."""
        if not side:
            return self.name
        if side in self._labels:
            return self._labels[side]
        return f"{side.capitalize()} {self.name[0].lower()}{self.name[1:]}"

    def spanish(self, treatments: dict[str, Treatment]) -> Region:
        """The region in Spanish (its `es:` block), listing `treatments` (the Spanish catalogue, by id)."""
        es = self.es
        flags = self.red_flags.model_copy(
            update={
                "emergency": retold(self.red_flags.emergency, es.red_flags.emergency),
                "urgent": retold(self.red_flags.urgent, es.red_flags.urgent),
            }
        )
        copy = self.model_copy(
            update={
                "name": es.name,
                "summary": es.summary,
                "conditions": es.conditions,
                "treatments": tuple(treatments[t.id] for t in self.treatments),
                "self_care": es.self_care,
                "not_improving": self.not_improving.model_copy(update={"text": es.not_improving}),
                "lasts": self.lasts.model_copy(update={"text": es.lasts}) if self.lasts else None,
                "red_flags": flags,
                "screening": es.screening,
                "reviewed": es.reviewed,
            }
        )
        copy._labels = {"left": es.sides.left, "right": es.sides.right} if es.sides else {}
        return copy

    @property
    def treatments_shown(self) -> tuple[Treatment, ...]:
        """The treatments in the order the panel shows them: passive, then active."""
        return tuple(t for kind in KINDS for t in self.treatments if t.kind == kind)

    @property
    def footnotes(self) -> tuple[Source, ...]:
        """Every source the panel cites, numbered by where it is first cited, then the region's own."""
        cited = [*self.red_flags.emergency, *self.red_flags.urgent]
        cited += [c for t in self.treatments_shown for c in t.contraindications]
        cited.append(self.not_improving)
        if self.lasts:
            cited.append(self.lasts)
        ordered = [source for item in cited for source in item.sources] + list(self.sources)
        return tuple(dict.fromkeys(ordered))

    def cites(self, item: Sourced) -> list[tuple[int, Source]]:
        """The footnote numbers of one statement's sources."""
        numbers = {source: n for n, source in enumerate(self.footnotes, start=1)}
        return [(numbers[source], source) for source in item.sources]


class AudienceEs(Model):
    """Who the advice is for, in Spanish."""

    adults: Text
    children: Text
    pregnancy: Text


def _audience_matches(english: dict, spanish: dict) -> Matches:
    return []


class Audience(Model):
    """Who the advice is for (adults), and what a parent or a pregnant patient does instead: on every page."""

    adults: Text
    children: Sourced
    pregnancy: Sourced
    es: Annotated[AudienceEs | None, WrapValidator(lambda v, h, i: _spanish(v, h, i, _audience_matches))] = Field(
        None, validate_default=True
    )

    def spanish(self) -> Audience:
        es = self.es
        return self.model_copy(
            update={
                "adults": es.adults,
                "children": self.children.model_copy(update={"text": es.children}),
                "pregnancy": self.pregnancy.model_copy(update={"text": es.pregnancy}),
            }
        )


class Content(Model):
    """The whole file: the clinic, then the catalogues of sources and treatments, then the regions."""

    clinic: Clinic
    sources: Annotated[tuple[Source, ...], Filled]
    audience: Audience | None = None
    treatments: Annotated[tuple[Treatment, ...], Filled]
    regions: Annotated[tuple[Region, ...], Filled]
    _language: str = PrivateAttr("en")

    @property
    def language(self) -> str:
        """'en', or 'es' for the Spanish copy."""
        return self._language

    @property
    def drafts(self) -> int:
        """How many reviewer lines are still drafts: each region's, and each Spanish block's."""
        reviews = [r.reviewed for r in self.regions] + [r.es.reviewed for r in self.regions if r.es]
        return sum(review.draft for review in reviews)

    def spanish(self) -> Content:
        """The same content with every patient text in Spanish: same sources, ids, slugs, circles and footnotes.

        Only for a clinic whose languages list es (the file then has every `es:` block).
        """
        if "es" not in self.clinic.languages:
            raise ValueError("the clinic's languages do not list es: its file has no Spanish")
        treatments = {t.id: t.spanish() for t in self.treatments}
        copy = self.model_copy(
            update={
                "clinic": self.clinic.spanish(),
                "audience": self.audience.spanish() if self.audience else None,
                "treatments": tuple(treatments.values()),
                "regions": tuple(r.spanish(treatments) for r in self.regions),
            }
        )
        copy._language = "es"
        return copy

    @classmethod
    def read(cls, data: Any, launch: bool = False) -> Content:
        """Validate the file's data; with `launch`, a region still marked as a draft is a mistake too."""
        return cls.model_validate(data, context={"catalogue": Catalogue(launch=launch)})

    def region(self, slug: str) -> Region | None:
        """The region with this slug, or None."""
        return next((r for r in self.regions if r.slug == slug), None)

    def markers(self, view: str) -> list[tuple[Region, Marker]]:
        """Every circle drawn on one view, with its region."""
        return [(r, m) for r in self.regions for m in r.markers if m.view == view]
