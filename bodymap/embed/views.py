"""The widget a clinic puts on its homepage: `/embed` in an iframe, made by `/embed.js`.

The frame needs no cookies, pushes nothing into the host page's history, opens
the callback form in a new top-level tab, and tells the host page only its
height and the region's name, and only when the host is in EMBED_ORIGINS.
"""

from __future__ import annotations

import re

from flask import Response, current_app, render_template, request, url_for

from bodymap.areas import pain_list
from bodymap.booking import fragment
from bodymap.embed import bp
from bodymap.extensions import csrf
from bodymap.web import languages
from bodymap.web.caching import public
from bodymap.web.regions import count_view, page_args, region_and_side
from bodymap.web.rendering import Cache, fragment_or_redirect
from bodymap.web.security_headers import embeddable
from bodymap.web.titles import page_title

HEX_COLOUR = re.compile(r"^[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "1f4e79"
LOADER_MAX_AGE = 3600  # the snippet's URL cannot carry a version, so browsers check for a new loader hourly


def _frame_args() -> dict[str, str]:
    """What the loader passed in the frame's URL (host, view, accent), each checked and written one way; anything
    else is ignored. They join the arguments this page's links carry (`page_args`)."""
    host = request.args.get("host", "").rstrip("/").lower()
    view = request.args.get("view")
    accent = request.args.get("accent", "").lstrip("#").lower()
    chosen = {
        "host": host if host in current_app.config["EMBED_ORIGINS"] else "",
        "view": view if view in ("front", "back") else "",
        "accent": accent if HEX_COLOUR.match(accent) and readable_on_white(accent) else "",
    }
    kept = page_args()
    kept.update({key: value for key, value in chosen.items() if value})
    return {key: value for key, value in kept.items() if key in chosen}


def _options() -> dict:
    """The frame's options, for its template."""
    args = _frame_args()
    return {
        "host": args.get("host", ""),
        "start_view": args.get("view", "front"),
        "accent": args.get("accent", ""),
        "embedded": True,
        # Without JavaScript, switching the view reloads the frame with everything else kept.
        "view_links": {
            v: url_for(request.endpoint, **(request.view_args or {}), **{**page_args(), "view": v})
            for v in ("front", "back")
        },
        "push_history": False,
        "page_endpoint": "embed.region_page",
        # A tap before the scripts are ready follows the link: the region's page keeps the frame's options,
        # so it still sizes the frame and talks to the same host.
        "page_args": args,
        "panel_endpoint": "embed.region_panel",
    }


def readable_on_white(hex_colour: str) -> bool:
    """At least 4.5:1 against white, so white text on the colour and the colour on white both read."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05) >= 4.5


@languages.get(bp, "/embed")
@embeddable
def index():
    html = render_template("embed/index.html", region=None, side=None, title=page_title(None, None), **_options())
    return public(current_app.make_response(html))


@languages.get(bp, "/embed/pain/<slug>/")  # registered second, so url_for builds the address without the slash
@languages.get(bp, "/embed/pain/<slug>")
@embeddable
def region_page(slug: str):
    _frame_args()  # before the region's address is checked: a redirect to its one spelling keeps them
    region, side = region_and_side(slug)
    count_view(region, side)
    html = render_template("embed/index.html", region=region, side=side, title=page_title(region, side), **_options())
    return public(current_app.make_response(html))


@languages.get(bp, "/embed/pain/<slug>/panel/")
@languages.get(bp, "/embed/pain/<slug>/panel")
@embeddable
def region_panel(slug: str):
    args = _frame_args()
    region, side = region_and_side(slug)

    def panel() -> str:
        count_view(region, side)
        title = page_title(region, side)
        return render_template("map/panel.html", region=region, side=side, title=title, embedded=True)

    page = url_for("embed.region_page", slug=slug, **args, **({"side": side} if side else {}))
    return fragment_or_redirect(panel, page, cache=Cache.PUBLIC)


@languages.get(bp, "/embed/free-times")
def free_times():
    """The clinic's next free times for the widget's panel and list: their links open a tab of their own."""
    return fragment.respond(embedded=True)


@bp.get("/embed/accent.css")
def accent_css():
    """The clinic's accent colour as a stylesheet, since the policy allows no inline styles."""
    accent = request.args.get("c", "")
    if not (HEX_COLOUR.match(accent) and readable_on_white(accent)):
        accent = DEFAULT_ACCENT
    css = f":root {{ --accent: #{accent.lower()}; --focus: #{accent.lower()}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/embed.js")
def loader():
    """The loader at the fixed address the snippet names, so cached for an hour, not a year."""
    response = current_app.view_functions["static"]("js/embed.js")
    response.cache_control.no_cache = False
    response.cache_control.public = True
    response.cache_control.max_age = LOADER_MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"  # a plain script: lets hosts add integrity checks
    return response


@languages.post(bp, "/embed/list", twin="index")  # its page in another language: the widget's map
@csrf.exempt  # stores nothing, changes nothing: see bodymap.areas.pain_list
@embeddable
def embed_list():
    """The pain list inside the widget: its map opens the widget's panels, and the widget's options ride along."""
    args = _frame_args()
    map_links = {"page_endpoint": "embed.region_page", "panel_endpoint": "embed.region_panel", "push_history": False}
    page_context = {
        "host": "",  # the host page is told about the list only through the script
        "start_view": args.get("view") if args.get("view") in ("front", "back") else "front",
        "accent": "",
        "view_links": {v: url_for("embed.index", **{**args, "view": v}) for v in ("front", "back")},
        "page_args": args,
    }
    links = pain_list.Links(
        list_url=url_for("embed.embed_list", **args),
        print_url=url_for("public.pain_list"),
        callback_url=url_for("callback.from_list"),
        map=map_links,
        page="embed/index.html",
        page_context=page_context,
        embedded=True,
    )
    return pain_list.answer(links)
