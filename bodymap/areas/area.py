"""What a patient can say about each painful area, and the red flags of several areas read together.

A patient lists up to MAX_AREAS areas (a region, and its side where it has one), each with a pain score
on the 0 to 10 numeric rating scale, and optionally the words for how it feels and how long it has hurt.
The list lives in the patient's browser until they ask for a callback; these are the words every part of
the app uses for it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from bodymap.content import Content, Region, Sourced

MAX_AREAS = 10
SCORES = tuple(range(11))
SCALE_ENDS = {0: _l("No pain"), 10: _l("Worst pain you can imagine")}
FEELINGS = {
    "aching": _l("Aching"),
    "sharp": _l("Sharp"),
    "burning": _l("Burning"),
    "tingling": _l("Tingling or pins and needles"),
    "numb": _l("Numb"),
    "spreading": _l("Spreads into the arm or the leg"),
}
DURATIONS = {
    "under-6-weeks": _l("Under 6 weeks"),
    "6-12-weeks": _l("6 to 12 weeks"),
    "over-3-months": _l("Over 3 months"),
}


@functools.lru_cache(maxsize=16)
def _words_in(locale: str) -> tuple[dict[str, str], dict[str, str]]:
    """FEELINGS and DURATIONS in `locale`, the page's language when first asked: a staff page lists hundreds of
    areas, and each lookup in the catalog costs more than the rest of drawing the area."""
    return {key: str(words) for key, words in FEELINGS.items()}, {key: str(words) for key, words in DURATIONS.items()}


def _words() -> tuple[dict[str, str], dict[str, str]]:
    return _words_in(str(get_locale()))


@dataclass(frozen=True)
class Area:
    """One listed area: where it hurts and, if the patient said, how much, how it feels and for how long."""

    region: Region
    side: str | None = None
    pain: int | None = None
    feelings: tuple[str, ...] = ()
    duration: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The area's identity in a list: a region and side appear once."""
        return (self.region.slug, self.side or "")

    @property
    def label(self) -> str:
        """'Neck' or 'Left knee'."""
        return self.region.label(self.side)

    @property
    def words(self) -> list[str]:
        """How it feels, in the patient's words from FEELINGS."""
        feelings, _ = _words()
        return [feelings[f] for f in self.feelings if f in feelings]

    @property
    def duration_words(self) -> str | None:
        """How long, in the words of DURATIONS (in the language of the request)."""
        _, durations = _words()
        return durations.get(self.duration or "")


@dataclass(frozen=True)
class CombinedFlags:
    """The red flags of every listed area, each sign once, in the order the areas were listed."""

    emergency: list[Sourced] = field(default_factory=list)
    urgent: list[Sourced] = field(default_factory=list)
    # The staff's questions to read aloud, each once: emergency first, then urgent, then general.
    questions_emergency: list[str] = field(default_factory=list)
    questions_urgent: list[str] = field(default_factory=list)
    questions_general: list[str] = field(default_factory=list)


def _once(items):
    """Items in order, each text once (the same sign listed under two areas is read once)."""
    seen, kept = set(), []
    for item in items:
        text = item.text if isinstance(item, Sourced) else item
        if text not in seen:
            seen.add(text)
            kept.append(item)
    return kept


def regions_of(areas) -> list[Region]:
    """The distinct regions of a list, in order (a left and a right knee share their signs)."""
    return list({area.region.slug: area.region for area in areas}.values())


def combined_flags(areas) -> CombinedFlags:
    """Every listed area's emergency signs, then its see-a-doctor-today signs, each once."""
    regions = regions_of(areas)
    return CombinedFlags(
        emergency=_once(flag for r in regions for flag in r.red_flags.emergency),
        urgent=_once(flag for r in regions for flag in r.red_flags.urgent),
        questions_emergency=_once(q for r in regions for q in r.screening.emergency),
        questions_urgent=_once(q for r in regions for q in r.screening.urgent),
        questions_general=_once(q for r in regions for q in r.screening.general),
    )


def by_score(areas) -> list[Area]:
    """Highest score first; areas without a score last, in the order they were listed."""
    return sorted(areas, key=lambda a: (a.pain is None, -(a.pain or 0)))


@dataclass(frozen=True)
class LostArea:
    """A stored area whose region is not in the content any more: its slug, side and score, nothing more, so an old
    request never breaks a staff page."""

    slug: str
    side: str | None = None
    pain: int | None = None
    words: tuple[str, ...] = ()
    duration_words: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.slug, self.side or "")

    @property
    def label(self) -> str:
        return f"{self.slug} ({self.side})" if self.side else self.slug


def from_row(content: Content, row) -> Area | LostArea:
    """A stored area (a request's or a logged call's row: region, side, and what else it keeps), cleaned as
    `area_from` cleans it, or by its slug when its region has left the content."""
    area = area_from(
        content, row.region, row.side, getattr(row, "pain", None), getattr(row, "feelings", ()),
        getattr(row, "duration", None),
    )  # fmt: skip
    if area is not None:
        return area
    pain = getattr(row, "pain", None)
    return LostArea(row.region, row.side if row.side in ("left", "right") else None, pain if pain in SCORES else None)


def known_areas(content: Content, rows) -> list[Area]:
    """The stored areas whose regions the content still has, in the order the patient listed them."""
    return [area for area in (from_row(content, row) for row in rows) if isinstance(area, Area)]


def area_from(content: Content, region: str, side: str | None = None, pain=None, feelings=(), duration=None):
    """An Area from stored or posted values, or None when the region is not (or no longer) in the content.

    A side the region lacks is dropped, a score off the scale is no score, unknown words are left out.
    """
    found = content.region(region or "")
    if found is None:
        return None
    side = side if side in found.sides else None
    try:
        pain = int(pain) if pain not in (None, "") else None
    except (TypeError, ValueError):
        pain = None
    if pain not in SCORES:
        pain = None
    if isinstance(feelings, str):
        feelings = [f for f in feelings.split(",") if f]
    feelings = tuple(f for f in FEELINGS if f in set(feelings))
    duration = duration if duration in DURATIONS else None
    return Area(found, side, pain, feelings, duration)
