"""For search engines: a sitemap of every page in every language, and robots.txt, which keeps staff pages out."""

from __future__ import annotations

from flask import Response, current_app, render_template, url_for

from bodymap import content, review
from bodymap.public import bp
from bodymap.web import languages
from bodymap.web.caching import public
from bodymap.web.titles import absolute_url


@bp.get("/sitemap.xml")
def sitemap():
    """The map and each region's page, once per language, each naming its twins (as the pages' hreflang links do)."""
    offered = languages.offered()
    slugs = [None, *(region.slug for region in content.get(current_app, lang=languages.DEFAULT).regions)]

    def address(slug: str | None, lang: str) -> str:
        return absolute_url(
            url_for("public.region_page", slug=slug, lang=lang) if slug else url_for("public.index", lang=lang)
        )

    pages = []  # (address, the day its text was signed off or None, {hreflang: the twin's address}), English first
    for lang in offered:
        in_language = content.get(current_app, lang=lang)
        for slug in slugs:
            twins = {other: address(slug, other) for other in offered}
            alternates = {**twins, "x-default": twins[languages.DEFAULT]} if len(twins) > 1 else {}
            state = review.state_of(in_language.region(slug), lang) if slug else None
            pages.append((address(slug, lang), state.record.day if state and state.signed else None, alternates))
    xml = render_template("public/sitemap.xml", pages=pages)
    return public(Response(xml, mimetype="application/xml"))


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", "Disallow: /staff/"]
    for lang in languages.offered():
        start = languages.prefix(lang)
        lines += [f"Disallow: {start}/callback", f"Disallow: {start}/embed", f"Disallow: {start}/list"]
    lines += ["Disallow: /*/panel", f"Sitemap: {absolute_url(url_for('public.sitemap'))}"]
    return public(Response("\n".join(lines) + "\n", mimetype="text/plain"))
