"""The region a URL names: `/pain/<slug>?side=`, spelled one way, for every audience's map.

The public pages, the embed and the staff call guide all open regions by the same rules: any other
spelling moves permanently (301) to the one address, and an unknown region is a 404. Only the side
(checked) goes on with the page: it joins the arguments the page's links may carry (`page_args`).
A patient opening a region is counted once (going back to it is not): `count_view`.
"""

from __future__ import annotations

from flask import abort, current_app, g, redirect, request, url_for

from bodymap import content
from bodymap.content import Region
from bodymap.web.caching import each_time_served

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
    if side:
        page_args()["side"] = side
    return region, side


def page_args() -> dict[str, str]:
    """The query arguments this page's links may carry: only what its views checked and chose (a side, the widget's
    options), never the request's own query, so no visitor's arguments reach a page that is kept for everyone."""
    if "page_args" not in g:
        g.page_args = {}
    return g.page_args


def canonical_redirect(region: Region, side: str | None):
    """A 301 to the same view at its canonical address, with the arguments the page chose (the widget's options).

    The Location is a path, never built from the request's Host.
    """
    args = {**({"side": side} if side else {}), **{k: v for k, v in page_args().items() if k != "side"}}
    response = redirect(url_for(request.endpoint, **{**request.view_args, "slug": region.slug}, **args), 301)
    response.cache_control.public = True
    response.cache_control.max_age = REDIRECT_MAX_AGE
    return response


def count_view(region: Region, side: str | None) -> None:
    """A patient opened a region, on a side or none: counted now and each time the stored page is served again, in
    memory (going back to a region they had open, which htmx asks for as a history restore, does not count)."""
    counter = current_app.extensions.get("bodymap.view_counter")
    if counter is None:
        return

    def count(environ: dict) -> None:
        if environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true":
            counter.add(region.slug, side)

    each_time_served(count)
