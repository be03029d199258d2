"""A region of the body: where its circles sit on the drawing, and everything a patient and the desk read about it.

The checks that need more than one value live on the lowest model that sees them: a marker checks its own half
of the picture; a region checks its circles' sides and that its dots keep clear of every dot placed before it;
its treatment ids are looked up in the catalogue above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PrivateAttr,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bodymap.content import drawing
from bodymap.content.fields import (
    VIEWS,
    Filled,
    Model,
    Problems,
    Slug,
    Text,
    Texts,
    as_text,
    between,
    catalogue,
    problem,
    problems_at,
    written_once,
)
from bodymap.content.localized import Translated, in_language, localized
from bodymap.content.sources import Source, Sourced, SourceRefs, Statements
from bodymap.content.treatments import KINDS, Treatment, TreatmentRef, each_once

SIDES = ("left", "right", "centre")
R = drawing.MARKER_RADIUS
AcrossDrawing = Annotated[float, Strict(), AfterValidator(between(R, drawing.WIDTH - R))]
DownDrawing = Annotated[float, Strict(), AfterValidator(between(R, drawing.HEIGHT - R))]
MAP_LABEL_CHARACTERS = drawing.LABEL_CHARACTERS


def _fits_the_map(text: str) -> str:
    """A name drawn beside its dot fits across the drawing (Spanish names run longer than English ones).

    A paired region's English name is drawn with its side ("Right buttock and SI joint"), on two lines when it
    has to be: each line fits."""
    if len(text) > MAP_LABEL_CHARACTERS:
        raise problem("too_long", f"is too long to draw on the map: {MAP_LABEL_CHARACTERS} characters at most")
    return text


MapLabel = Annotated[Text, AfterValidator(_fits_the_map)]


class Marker(Model):
    """One circle on the drawing, on the half of the picture its side belongs to."""

    view: Annotated[Literal[VIEWS], BeforeValidator(as_text)]
    side: Annotated[Literal[SIDES], BeforeValidator(as_text)]
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
    name: Translated[Text]
    about: Translated[Text]


class RedFlags(Model):
    """Call 911 first, then see a doctor today: shown before anything else about the region."""

    emergency: Translated[Statements]
    urgent: Translated[Statements]


class Screening(Model):
    """The desk's questions, read aloud: one for each red flag, in the same order, then the general ones."""

    emergency: Translated[Texts]
    urgent: Translated[Texts]
    general: Translated[Texts]


class Sides(Model):
    """A paired region's name with each side, as another language says it: "Rodilla izquierda", "Hombro derecho"."""

    left: MapLabel
    right: MapLabel


def _sides_named(english: dict, written: dict) -> Problems:
    """Another language names each side of a paired region (its word order may differ), and no side of a centre one."""
    if "markers" not in english:
        return []
    paired = any(marker.side != "centre" for marker in english["markers"])
    if paired and "sides" not in written:
        message = 'is missing: name each side, e.g. {left: "Rodilla izquierda", right: "Rodilla derecha"}'
        return [(("sides",), "missing_sides", message, written)]
    if not paired and "sides" in written:
        return [(("sides",), "not_used", "is not used: the region has no left and right", written["sides"])]
    return []


@localized(extra=(("sides", Sides | None, None),), check=_sides_named)
class Region(Model):
    slug: Slug
    name: Translated[MapLabel]
    markers: Annotated[tuple[Marker, ...], Filled]
    summary: Translated[Text]
    conditions: Translated[Annotated[tuple[Condition, ...], Filled]]
    treatments: Annotated[tuple[TreatmentRef, ...], Filled, AfterValidator(each_once)]
    self_care: Translated[Texts]
    not_improving: Translated[Sourced]
    lasts: Translated[Sourced | None] = None  # how long it usually lasts
    red_flags: Translated[RedFlags]
    screening: Translated[Screening]
    sources: SourceRefs
    _labels: dict[str, str] = PrivateAttr(default_factory=dict)  # another language's side names

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
        """One circle per side and view, centre or a left-right pair, its dot clear of every dot placed before.

        The area drawn around a dot takes the tap, so only the visible dots must keep apart: never touching.
        """
        found = catalogue(info)
        errors = []
        for i, marker in enumerate(markers):
            if any(o.view == marker.view and o.side == marker.side for o in markers[:i]):
                errors.append(((i,), "second", f"a second {marker.side} circle on the {marker.view} view", marker))
            for slug, other in found.placed[marker.view]:
                if math.dist((other.x, other.y), (marker.x, marker.y)) < drawing.DOTS_APART:
                    message = f"its dot touches the dot of region '{slug}' on the {marker.view} view"
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

    def in_language(self, lang: str, treatments: dict[str, Treatment]) -> Region:
        """The region in another language (its block of that name), listing `treatments` (that language's catalogue)."""
        translation = getattr(self, lang)
        copy = in_language(self, translation).model_copy(
            update={"treatments": tuple(treatments[t.id] for t in self.treatments)}
        )
        copy._labels = {"left": translation.sides.left, "right": translation.sides.right} if translation.sides else {}
        return copy

    @property
    def treatments_shown(self) -> tuple[Treatment, ...]:
        """The treatments in the order the panel shows them: passive, then active."""
        return tuple(t for kind in KINDS for t in self.treatments if t.kind == kind)

    @property
    def footnotes(self) -> tuple[Source, ...]:
        """Every source the panel cites, numbered by where it is first cited, then the region's own."""
        return self.footnotes_with()

    def footnotes_with(self, told: Sequence[Sourced] = ()) -> tuple[Source, ...]:
        """The footnotes of a panel that also says `told` (who the advice is for) right after the red flags."""
        cited = [*self.red_flags.emergency, *self.red_flags.urgent, *told]
        cited += [c for t in self.treatments_shown for c in t.contraindications]
        cited.append(self.not_improving)
        if self.lasts:
            cited.append(self.lasts)
        ordered = [source for item in cited for source in item.sources] + list(self.sources)
        return tuple(dict.fromkeys(ordered))

    def cites(self, item: Sourced, told: Sequence[Sourced] = ()) -> list[tuple[int, Source]]:
        """The footnote numbers of one statement's sources (in a panel that also says `told`)."""
        numbers = {source: n for n, source in enumerate(self.footnotes_with(told), start=1)}
        return [(numbers[source], source) for source in item.sources]
