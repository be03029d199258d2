"""What patients see: the map, a region's page, and the panel htmx swaps in.

These pages are the same for everyone and the content does not change while
the app runs, so each is rendered once per process and kept.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from bodymap import content, http_cache, view_counts
from bodymap.content import Region

bp = Blueprint("public", __name__)


SIDES = ("left", "right")
REDIRECT_MAX_AGE = 86400  # a day, not for ever: a region may gain sides when the content changes


def region_and_side(slug: str) -> tuple[Region, str | None]:
    """The region and side named by the URL; a 301 to its one address when it is spelled another way.

    Any case of the slug, a trailing slash, a side in capitals, or a side the region does not have
    (the neck has no left) all lead to the canonical page; an unknown region or side word is a 404.
    """
    region = content.get(current_app).region(slug.lower())
    asked = request.args.get("side") or None
    side = asked.lower() if asked else None
    if region is None or (side is not None and side not in SIDES):
        abort(404)
    if side not in region.sides:
        side = None
    if slug != region.slug or side != asked or request.path.endswith("/"):
        abort(canonical_redirect(region, side))
    return region, side


def canonical_redirect(region: Region, side: str | None):
    """A 301 to the same view at its canonical address, other query arguments kept (the embed's host and view).

    The Location is a path, never built from the request's Host.
    """
    args = {key: value for key, value in request.args.items() if key != "side"}
    view_args = {**request.view_args, "slug": region.slug}
    response = redirect(url_for(request.endpoint, **view_args, **({"side": side} if side else {}), **args), 301)
    response.cache_control.public = True
    response.cache_control.max_age = REDIRECT_MAX_AGE
    return response


def count_view(region: Region) -> None:
    """A patient opened a region (going back to one they had open does not count again)."""
    if request.headers.get("HX-History-Restore-Request") != "true":
        view_counts.record(region.slug)


def page_title(region: Region | None, side: str | None) -> str:
    clinic = content.get(current_app).clinic
    if region is None:
        return f"Where's your pain? · {clinic.name}"
    return f"{region.label(side)} pain · {clinic.name}"


def description(region: Region | None) -> str:
    """For search results and shared links: the summary's first sentence, or what the map does."""
    if region is None:
        clinic = content.get(current_app).clinic
        return (
            f"Tap where it hurts to see what it often is, how physical therapy helps, and when to see a "
            f"doctor. {clinic.name}, {clinic.city}."
        )
    first = re.split(r"(?<=[.!?])\s", region.summary, maxsplit=1)[0]
    return first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "…"


def absolute_url(path: str) -> str:
    """On PUBLIC_URL when it is set, else on the address this request came to."""
    return (current_app.config["PUBLIC_URL"] or request.url_root.rstrip("/")) + path


def canonical_url(region: Region | None) -> str:
    """One address per page for search engines: the region without a side."""
    return absolute_url(url_for("public.region_page", slug=region.slug) if region else url_for("public.index"))


def _rendered_once(key: tuple, template: str, **context) -> str:
    pages = current_app.extensions.setdefault("bodymap.rendered", {})
    if key not in pages:
        pages[key] = render_template(template, **context)
    return pages[key]


def _page(region: Region | None, side: str | None) -> str:
    return _rendered_once(
        ("page", region.slug if region else None, side),
        "public/index.html",
        region=region,
        side=side,
        title=page_title(region, side),
        description=description(region),
        canonical=canonical_url(region),
    )


@bp.get("/")
def index():
    return _page(None, None)


@bp.get("/pain/<slug>/")  # registered second, so url_for builds the address without the slash
@bp.get("/pain/<slug>")
def region_page(slug: str):
    region, side = region_and_side(slug)
    count_view(region)
    return _page(region, side)


@bp.get("/pain/<slug>/panel/")
@bp.get("/pain/<slug>/panel")
def region_panel(slug: str):
    """The panel alone, for htmx. A browser that opens it directly gets the full page."""
    region, side = region_and_side(slug)
    if request.headers.get("HX-Request") != "true":
        response = redirect(url_for("public.region_page", slug=slug, side=side), 303)
    else:
        count_view(region)
        html = _rendered_once(
            ("panel", slug, side), "public/panel.html", region=region, side=side, title=page_title(region, side)
        )
        response = current_app.make_response(html)
    return http_cache.panel_cache(response)
