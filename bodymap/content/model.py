"""What `regions.yaml` must hold, stated once: the clinic, the catalogues of sources and treatments, who the advice
is for, and the regions. Each part is its own module (`clinic`, `sources`, `treatments`, `regions`), built from
the field types in `fields`; `localized` marks the text each other language writes again.

Validate with `Content.read(data)`: the catalogues are filled while the file is validated, top to bottom, through
the validation context, so one region's mistakes never hide the checks of the next. `loader` turns the errors
into lines that name the file, line, owner and field. `Content.in_language("es")` is the same content with every
patient text in Spanish: same ids, slugs, circles and sources, so the footnotes number alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import PrivateAttr

from bodymap.content.clinic import Clinic
from bodymap.content.fields import LANGUAGES, Catalogue, Filled, Model, Text
from bodymap.content.localized import Translated, in_language, localized
from bodymap.content.regions import Marker, Region
from bodymap.content.sources import Source, Sourced
from bodymap.content.treatments import Treatment


@localized
class Audience(Model):
    """Who the advice is for (adults), and what a parent or a pregnant patient does instead: on every page."""

    adults: Translated[Text]
    children: Translated[Sourced]
    pregnancy: Translated[Sourced]

    @property
    def statements(self) -> tuple[Sourced, Sourced]:
        """The two lines that cite their sources, in the order they are shown: a child, then pregnancy."""
        return (self.children, self.pregnancy)

    @property
    def footnotes(self) -> tuple[Source, ...]:
        """The sources of those lines, numbered by where each is first cited (where no other footnotes come first)."""
        return tuple(dict.fromkeys(source for item in self.statements for source in item.sources))

    def cites(self, item: Sourced) -> list[tuple[int, Source]]:
        """The footnote numbers of one line's sources, among `footnotes`."""
        numbers = {source: n for n, source in enumerate(self.footnotes, start=1)}
        return [(numbers[source], source) for source in item.sources]


class Content(Model):
    """The whole file: the clinic, then the catalogues of sources and treatments, then the regions."""

    clinic: Clinic
    sources: Annotated[tuple[Source, ...], Filled]
    audience: Audience | None = None
    treatments: Annotated[tuple[Treatment, ...], Filled]
    regions: Annotated[tuple[Region, ...], Filled]
    _language: str = PrivateAttr(LANGUAGES[0])

    @property
    def language(self) -> str:
        """'en', or the language of a copy made by `in_language`."""
        return self._language

    def in_language(self, lang: str) -> Content:
        """The same content with every patient text in `lang`: same sources, ids, slugs, circles and footnotes.

        Only for a language the clinic lists (the file then has every block of it)."""
        if lang not in self.clinic.languages:
            raise ValueError(f"the clinic's languages do not list {lang}: its file has no text in it")
        if lang == LANGUAGES[0]:
            return self
        treatments = {t.id: in_language(t, getattr(t, lang)) for t in self.treatments}
        copy = self.model_copy(
            update={
                "clinic": self.clinic.in_language(lang),
                "audience": in_language(self.audience, getattr(self.audience, lang)) if self.audience else None,
                "treatments": tuple(treatments.values()),
                "regions": tuple(r.in_language(lang, treatments) for r in self.regions),
            }
        )
        copy._language = lang
        return copy

    @classmethod
    def read(cls, data: Any, assets: Path | None = None) -> Content:
        """Validate the file's data; the clinic's logo is looked for in `assets` (static/ when None)."""
        return cls.model_validate(data, context={"catalogue": Catalogue(assets=assets)})

    def region(self, slug: str) -> Region | None:
        """The region with this slug, or None."""
        return next((r for r in self.regions if r.slug == slug), None)

    def markers(self, view: str) -> list[tuple[Region, Marker]]:
        """Every circle drawn on one view, with its region."""
        return [(r, m) for r in self.regions for m in r.markers if m.view == view]
