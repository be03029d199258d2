"""A stored request's areas as the front desk reads them: highest score first, each with its words.

An area whose region has since left the clinic's content is still shown, by its slug (`LostArea`), so an old
request never breaks a staff page.
"""

from __future__ import annotations

from flask import current_app

from bodymap import content
from bodymap.areas.area import Area, LostArea, by_score, from_row, known_areas
from bodymap.data.models import CallbackRequest
from bodymap.staff import bp


def listed_areas(request: CallbackRequest) -> list[Area]:
    """The request's areas whose regions the content still has, in the order the patient listed them."""
    return known_areas(content.get(current_app), request.areas)


@bp.app_template_filter("pain_areas")
def pain_areas(request: CallbackRequest) -> list[Area | LostArea]:
    """Every area of a request, highest score first (areas without a score last, in the order listed)."""
    return by_score([from_row(content.get(current_app), row) for row in request.areas])
