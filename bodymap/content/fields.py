"""The pieces every part of the content file is made of: the base model, the field types, and how a problem is named.

A model names its fields exactly as the file spells them and refuses any other. Each field type checks one
kind of value (text, an id, a web address, a date, a time of day) and says what is wrong in a clinician's
words; the loader adds the file, line, owner and field. The catalogue is what the file has declared so
far, filled top to bottom while it is validated, so a region can name a treatment or a source above it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

# The languages a file may be written in, English first: the file is written in English, and each other
# language's text is in a block named for it (`es:`) on every part that patients read. A third language is one
# more entry here, its catalog in bodymap/translations, and its blocks in the file.
LANGUAGES = ("en", "es")
VIEWS = ("front", "back")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
HTTPS = re.compile(r"^https://[^\s/]+\.[^\s]+$")


def problem(kind: str, message: str) -> PydanticCustomError:
    """A validation error that carries its own wording, as the content check prints it."""
    return PydanticCustomError(kind, message)


Problems = list[tuple[tuple[str | int, ...], str, str, Any]]  # (place below the value, kind, message, value)


def problems_at(errors: Problems) -> ValidationError:
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


def as_text(value: Any) -> str:
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


def none_is_empty(value: Any) -> Any:
    """An optional list may be written as null."""
    return () if value is None else value


def _filled(value: Any) -> Any:
    """A list that must hold something (counted as written, not after its entries are checked)."""
    if isinstance(value, list | tuple) and not value:
        raise problem("too_short", "must not be empty")
    return value


def between(low: float, high: float):
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
Date = Annotated[datetime.date, BeforeValidator(_date)]
Clock = Annotated[datetime.time, BeforeValidator(_clock)]
Flag = Annotated[bool, Strict(), BeforeValidator(lambda value: False if value is None else value)]
Texts = Annotated[tuple[Text, ...], Filled]
OptionalTexts = Annotated[tuple[Text, ...], BeforeValidator(none_is_empty)]


class Model(BaseModel):
    """A part of the content file: only the fields it names, and never changed once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Catalogue:
    """What the file has declared so far, filled top to bottom while it is validated."""

    launch: bool = False
    source_ids: set[str] = field(default_factory=set)  # every id written, even on a source with mistakes
    sources: dict[str, Any] = field(default_factory=dict)  # id -> Source
    treatment_ids: set[str] = field(default_factory=set)
    treatments: dict[str, Any] = field(default_factory=dict)  # id -> Treatment
    slugs: set[str] = field(default_factory=set)
    region: str = ""  # the slug of the region being read, to name it when a later circle overlaps
    languages: tuple[str, ...] = ("en",)  # as the clinic lists them, so each language's block is required or refused
    reading: str = "en"  # the language of the block being read
    # Each view's circles so far, as (the region's slug, its Marker).
    placed: dict[str, list[tuple[str, Any]]] = field(default_factory=lambda: {view: [] for view in VIEWS})


def catalogue(info: ValidationInfo) -> Catalogue:
    """The catalogue `Content.read` put in the validation context."""
    return info.context["catalogue"]


def written_once(known: set[str], name: str, what: str) -> str:
    """Note `name` as written; a second one with the same name is refused ("used by another `what`")."""
    if name in known:
        raise problem("duplicate", f"'{name}' is used by another {what}")
    known.add(name)
    return name
