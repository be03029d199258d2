"""What patients see: the map, a region's page, and the panel htmx swaps in.

These pages are the same for everyone, so they are public: a CDN and the process's one store of rendered
responses (`web.caching`) keep them, and only what a page's path and language say (and a side the view checked)
shapes it. Opening a region is counted each time it is served (`regions.count_view`), from memory too.
"""

from __future__ import annotations

import re

from flask import current_app, render_template, url_for
from flask_babel import gettext

from bodymap import content
from bodymap.content import Region
from bodymap.public import bp
from bodymap.web import languages
from bodymap.web.caching import public
from bodymap.web.regions import count_view, region_and_side
from bodymap.web.rendering import Cache, fragment_or_redirect
from bodymap.web.titles import absolute_url, page_title


def description(region: Region | None) -> str:
    """For search results and shared links: the summary's first sentence, or what the map does."""
    if region is None:
        clinic = content.get(current_app).clinic
        return gettext(
            "Tap where it hurts to see what it often is, how physical therapy helps, and when to see a doctor. "
            "%(clinic)s, %(city)s.",
            clinic=clinic.name,
            city=clinic.city,
        )
    first = re.split(r"(?<=[.!?])\s", region.summary, maxsplit=1)[0]
    return first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "…"


def canonical_url(region: Region | None) -> str:
    """One address per page for search engines: the region without a side."""
    return absolute_url(url_for("public.region_page", slug=region.slug) if region else url_for("public.index"))


def _page(region: Region | None, side: str | None) -> str:
    """The map with a region's panel filled in (or the invitation to pick one)."""
    return render_template(
        "public/index.html",
        region=region,
        side=side,
        title=page_title(region, side),
        description=description(region),
        canonical=canonical_url(region),
    )


@languages.get(bp, "/")
def index():
    return public(current_app.make_response(_page(None, None)))


@languages.get(bp, "/pain/<slug>/")  # registered second, so url_for builds the address without the slash
@languages.get(bp, "/pain/<slug>")
def region_page(slug: str):
    region, side = region_and_side(slug)
    count_view(region, side)
    return public(current_app.make_response(_page(region, side)))


@languages.get(bp, "/pain/<slug>/panel/")
@languages.get(bp, "/pain/<slug>/panel")
def region_panel(slug: str):
    """The panel alone, for htmx. A browser that opens it directly gets the full page."""
    region, side = region_and_side(slug)

    def panel() -> str:
        count_view(region, side)
        return render_template("map/panel.html", region=region, side=side, title=page_title(region, side))

    return fragment_or_redirect(panel, url_for("public.region_page", slug=slug, side=side), cache=Cache.PUBLIC)
