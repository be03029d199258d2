"""What patients see: the map, a region's page, and the panel htmx swaps in.

These pages are the same for everyone and the content does not change while
the app runs, so each is rendered once per process and kept; they are public,
so a CDN and the process's store of responses (`web.caching`) keep them too.
"""

from __future__ import annotations

import re

from flask import current_app, render_template, url_for
from flask_babel import gettext

from bodymap import content
from bodymap.content import Region
from bodymap.public import bp
from bodymap.web import languages
from bodymap.web.caching import count_view, public
from bodymap.web.regions import region_and_side
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


def _rendered_once(key: tuple, template: str, **context) -> str:
    """The page or panel as rendered the first time, in each language: the same for everyone until the app restarts.

    Without PUBLIC_URL the links that leave the page name the (loopback) address asked for, so that is part of the key.
    """
    pages = current_app.extensions.setdefault("bodymap.rendered", {})
    key = (*key, languages.current(), absolute_url(""))
    if key not in pages:
        pages[key] = render_template(template, **context)
    return pages[key]


def _page(region: Region | None, side: str | None) -> str:
    """The map with a region's panel filled in (or the invitation to pick one)."""
    return _rendered_once(
        ("page", region.slug if region else None, side),
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
        return _rendered_once(
            ("panel", slug, side), "map/panel.html", region=region, side=side, title=page_title(region, side)
        )

    return fragment_or_redirect(panel, url_for("public.region_page", slug=slug, side=side), cache=Cache.PUBLIC)
