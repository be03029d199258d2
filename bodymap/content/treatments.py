"""The catalogue of treatments: each described once, in every language, and listed by id in the regions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ValidationInfo, field_validator, model_validator

from bodymap.content.fields import (
    Model,
    Slug,
    Text,
    as_text,
    catalogue,
    none_is_empty,
    problem,
    problems_at,
    written_once,
)
from bodymap.content.localized import Translated, localized
from bodymap.content.sources import Sourced

KINDS = ("passive", "active")


@localized
class Treatment(Model):
    id: Slug
    name: Translated[Text]
    kind: Annotated[Literal[KINDS], BeforeValidator(as_text)]
    description: Translated[Text]
    # Each caution finishes the sentence "Not used if ...".
    contraindications: Translated[Annotated[tuple[Sourced, ...], BeforeValidator(none_is_empty)]] = ()

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


def _treatment_by_id(value: Any, info: ValidationInfo) -> Any:
    """A treatment id, looked up in the treatment catalogue."""
    treatment_id = as_text(value)
    found = catalogue(info)
    if treatment_id in found.treatments:
        return found.treatments[treatment_id]
    if treatment_id in found.treatment_ids:  # the treatment itself has a mistake, reported where it is written
        return Treatment.model_construct(id=treatment_id, name="", kind="active", description="", contraindications=())
    raise problem("unknown_treatment", f"names unknown treatment id '{treatment_id}'")


def each_once(treatments: tuple[Treatment, ...]) -> tuple[Treatment, ...]:
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
