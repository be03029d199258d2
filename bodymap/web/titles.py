"""Page titles and the site's own address: the words a tab, a search result or a shared link shows."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext

from bodymap import content
from bodymap.content import Region


def titled(text: str) -> str:
    """'Request sent · {clinic}': every page's title ends with the clinic's name."""
    return f"{text} · {content.get(current_app).clinic.name}"


def page_title(region: Region | None, side: str | None) -> str:
    """The map's title, or the region's: 'Left knee pain · {clinic}'."""
    return titled(gettext("%(area)s pain", area=region.label(side)) if region else gettext("Where's your pain?"))


def absolute_url(path: str) -> str:
    """On PUBLIC_URL when it is set, else on the address this request came to."""
    return (current_app.config["PUBLIC_URL"] or request.url_root.rstrip("/")) + path
