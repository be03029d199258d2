"""For search engines: a sitemap of every region page, and robots.txt, which keeps staff pages out."""

from __future__ import annotations

from flask import Response, current_app, render_template, url_for

from bodymap import content
from bodymap.public import bp
from bodymap.web.caching import public
from bodymap.web.titles import absolute_url


@bp.get("/sitemap.xml")
def sitemap():
    regions = content.get(current_app).regions
    reviewed = {absolute_url(url_for("public.region_page", slug=r.slug)): r.reviewed.date for r in regions}
    pages = [absolute_url(url_for("public.index")), *reviewed]
    xml = render_template("public/sitemap.xml", pages=pages, reviewed=reviewed)
    return public(Response(xml, mimetype="application/xml"))


@bp.get("/robots.txt")
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /callback",
        "Disallow: /embed",
        "Disallow: /list",
        "Disallow: /*/panel",
        f"Sitemap: {absolute_url(url_for('public.sitemap'))}",
    ]
    return public(Response("\n".join(lines) + "\n", mimetype="text/plain"))
