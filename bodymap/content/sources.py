"""The catalogue of sources, and statements that cite them: every red flag, caution and "how long" line names
where its facts come from, by the source's id."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from bodymap.content.fields import Filled, Https, Model, Slug, Text, as_text, catalogue, problem, written_once
from bodymap.content.localized import Translated

NO_SOURCE = 'names no source: write it as {text: "...", source: <source id>}'


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
    source_id = as_text(value)
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
    """One statement (a red flag, a caution, when to get checked) and the sources it rests on.

    In another language it is written as its text alone: its sources are the English statement's."""

    text: Translated[Text]
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
