"""What patients see: the map, a region's page, and the panel htmx swaps in."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from bodymap import content, view_counts
from bodymap.content import Region

bp = Blueprint("public", __name__)


def region_and_side(slug: str) -> tuple[Region, str | None]:
    """The region and side named by the URL, or a 404 for anything unknown."""
    region = content.get(current_app).region(slug)
    side = request.args.get("side") or None
    if region is None or (side is not None and side not in region.sides):
        abort(404)
    return region, side


def count_view(region: Region) -> None:
    """A patient opened a region (going back to one they had open does not count again)."""
    if request.headers.get("HX-History-Restore-Request") != "true":
        view_counts.record(region.slug)


def page_title(region: Region | None, side: str | None) -> str:
    clinic = content.get(current_app).clinic
    if region is None:
        return f"Where's your pain? · {clinic.name}"
    return f"{region.label(side)} pain · {clinic.name}"


@bp.get("/")
def index():
    return render_template("public/index.html", region=None, side=None, title=page_title(None, None))


@bp.get("/pain/<slug>")
def region_page(slug: str):
    region, side = region_and_side(slug)
    count_view(region)
    return render_template("public/index.html", region=region, side=side, title=page_title(region, side))


@bp.get("/pain/<slug>/panel")
def region_panel(slug: str):
    """The panel alone, for htmx. A browser that opens it directly gets the full page."""
    region, side = region_and_side(slug)
    if request.headers.get("HX-Request") != "true":
        response = redirect(url_for("public.region_page", slug=slug, side=side), 303)
    else:
        count_view(region)
        response = current_app.make_response(
            render_template("public/panel.html", region=region, side=side, title=page_title(region, side))
        )
    response.vary.add("HX-Request")
    return response
