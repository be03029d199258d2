"""The call guide: the body map for staff on the phone, and the script to read aloud, red flags first.

It opens on one region (`/staff/guide/<slug>`), or on a callback request (`/staff/callbacks/<id>/guide`): then the
script covers every area the patient listed, with their red-flag questions together, each asked once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template, request, url_for

from bodymap import data
from bodymap.content import Region
from bodymap.content.areas import Area, CombinedFlags, by_score, combined_flags
from bodymap.data.models import CallbackRequest
from bodymap.staff import bp
from bodymap.staff.areas import listed_areas
from bodymap.staff.call_log import CallLogForm
from bodymap.staff.layout import staff_title
from bodymap.web.regions import region_and_side
from bodymap.web.rendering import fragment_or_redirect

MAP_LINKS = {"page_endpoint": "staff.call_guide_region", "panel_endpoint": "staff.call_guide_panel"}


def _log_form(region: Region | None, side: str | None) -> CallLogForm:
    """The call log form, set to the region on screen, returning here once the call is logged."""
    next_page = request.full_path.rstrip("?") if region else url_for("staff.call_guide")
    return CallLogForm.prefilled([(region.slug, side)] if region else [], next_page)


def _title(region: Region | None, side: str | None) -> str:
    return staff_title(f"Call guide: {region.label(side)}" if region else "Call guide")


def _page(region: Region | None, side: str | None):
    return render_template(
        "staff/call_guide.html",
        region=region,
        side=side,
        log_form=_log_form(region, side),
        title=_title(region, side),
        **MAP_LINKS,
    )


@bp.get("/guide")
def call_guide():
    """The map with nothing chosen yet: ask where it hurts."""
    return _page(None, None)


@bp.get("/guide/<slug>")
def call_guide_region(slug: str):
    """The map with a region's phone script beside it."""
    return _page(*region_and_side(slug))


@bp.get("/guide/<slug>/panel")
def call_guide_panel(slug: str):
    """The phone script alone, for htmx; a browser that opens it directly gets the full page."""
    region, side = region_and_side(slug)

    def script() -> str:
        return render_template(
            "staff/script.html", region=region, side=side, log_form=_log_form(region, side), title=_title(region, side)
        )

    return fragment_or_redirect(script, url_for("staff.call_guide_region", slug=slug, side=side))


@dataclass(frozen=True)
class ScriptPart:
    """What to read about one region of a request, and which of its listed areas (a left and a right knee) it covers."""

    region: Region
    labels: list[str]
    side: str | None  # the side its full script opens on, when the request named exactly one


@dataclass(frozen=True)
class RequestGuide:
    areas: list[Area]  # as the patient listed them
    flags: CombinedFlags
    parts: list[ScriptPart]  # the region that hurts most first
    heading: str
    spoken: str  # "neck and left shoulder", as the opening line says it (empty when no area is known)


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def request_guide_for(callback: CallbackRequest) -> RequestGuide:
    """The script for a request: its areas' red-flag questions combined, then a part for each region."""
    areas = listed_areas(callback)
    parts: dict[str, list[Area]] = {}
    for area in by_score(areas):
        parts.setdefault(area.region.slug, []).append(area)
    spoken = _joined([area.label[0].lower() + area.label[1:] for area in areas]) if areas else ""
    return RequestGuide(
        areas=areas,
        flags=combined_flags(areas),
        parts=[
            ScriptPart(group[0].region, [a.label for a in group], group[0].side if len(group) == 1 else None)
            for group in parts.values()
        ],
        heading=f"{spoken[:1].upper()}{spoken[1:]}: phone script" if areas else "Pick where it hurts",
        spoken=spoken,
    )


@bp.get("/callbacks/<int:request_id>/guide")
def request_guide(request_id: int):
    """The map with a callback request's script beside it: every area it names, red flags first."""
    callback = data.session().get(CallbackRequest, request_id)
    if callback is None:
        abort(404)
    guide = request_guide_for(callback)
    log_form = CallLogForm.prefilled([(a.region.slug, a.side) for a in guide.areas], request.path)
    return render_template(
        "staff/call_guide.html",
        region=None,
        side=None,
        callback=callback,
        guide=guide,
        log_form=log_form,
        title=staff_title(f"Call guide: {guide.spoken or 'a callback request'}"),
        **MAP_LINKS,
    )
