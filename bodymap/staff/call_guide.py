"""The call guide: the body map for staff on the phone, and the script to read aloud, red flags first."""

from __future__ import annotations

from flask import render_template, request, url_for

from bodymap.content import Region
from bodymap.staff import bp
from bodymap.staff.call_log import CallLogForm
from bodymap.staff.layout import staff_title
from bodymap.web.regions import region_and_side
from bodymap.web.rendering import fragment_or_redirect

MAP_LINKS = {"page_endpoint": "staff.call_guide_region", "panel_endpoint": "staff.call_guide_panel"}


def _log_form(region: Region | None, side: str | None) -> CallLogForm:
    """The call log form, set to the region on screen, returning here once the call is logged."""
    form = CallLogForm(formdata=None, region=region.slug if region else "", side=side or "")
    form.next.data = request.full_path.rstrip("?") if region else url_for("staff.call_guide")
    return form


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
