"""A stored request's areas as the front desk reads them: highest score first, each with its words.

An area whose region has since left the clinic's content is still shown, by its slug, so an old request
never breaks a staff page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from bodymap import content
from bodymap.content.areas import SCORES, Area, area_from, by_score
from bodymap.data.models import CallbackArea, CallbackRequest
from bodymap.staff import bp


@dataclass(frozen=True)
class LostArea:
    """A stored area whose region is not in the content any more: its slug, side and score, nothing more."""

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


def stored_area(row: CallbackArea) -> Area | LostArea:
    """One stored area, cleaned as `area_from` cleans it, or by its slug when its region is gone."""
    area = area_from(content.get(current_app), row.region, row.side, row.pain, row.feelings, row.duration)
    if area is not None:
        return area
    side = row.side if row.side in ("left", "right") else None
    return LostArea(row.region, side, row.pain if row.pain in SCORES else None)


def listed_areas(request: CallbackRequest) -> list[Area]:
    """The request's areas whose regions the content still has, in the order the patient listed them."""
    return [area for area in map(stored_area, request.areas) if isinstance(area, Area)]


@bp.app_template_filter("pain_areas")
def pain_areas(request: CallbackRequest) -> list[Area | LostArea]:
    """Every area of a request, highest score first (areas without a score last, in the order listed)."""
    return by_score([stored_area(row) for row in request.areas])
