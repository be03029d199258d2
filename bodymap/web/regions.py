"""The region a URL names: `/pain/<slug>?side=`, spelled one way, for every audience's map.

The public pages, the embed and the staff call guide all open regions by the same rules: any other
spelling moves permanently (301) to the one address, an unknown region is a 404, and a patient
opening a region is counted once (going back to it is not).
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for

from bodymap import content
from bodymap.content import Region
from bodymap.data import view_counts

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


def count_view(region: Region, side: str | None) -> None:
    """A patient opened a region, on a side or none (going back to one they had open does not count again)."""
    if request.headers.get("HX-History-Restore-Request") != "true":
        view_counts.record(region.slug, side)
