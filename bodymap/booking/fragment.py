"""The answer to a request for the next free times: the fragment htmx swaps into a page, or a page of its own for a
browser without JavaScript (the placeholder's link). Each audience registers its own address and calls `respond`.

Patients' pages stay the same for everyone and cacheable: the times come after the page, from this address, which
takes no argument at all, so nothing a patient typed or picked could reach it (or the scheduler behind it).

Its HTTP caching: `public, max-age=N, s-maxage=N`, where N is what is left of the minute the app keeps the
scheduler's answer (see `answers`). A browser or CDN that keeps the fragment (and the app's own store of public
responses) lets it go when the app would ask the scheduler again: the times a patient sees are never more than
about a minute old, and a patient who opens one panel after another asks the server once. The desk's copy is
`no-store`, like every staff page.
"""

from __future__ import annotations

from functools import partial

from flask import Response, current_app, render_template, url_for
from flask_babel import gettext

from bodymap import booking
from bodymap.booking.times import NextTimes
from bodymap.web import languages
from bodymap.web.rendering import Cache, fragment_or_redirect, page_or_fragment
from bodymap.web.titles import titled


def respond(*, embedded: bool = False, desk: bool = False) -> Response:
    """The times for a patient's page, for the widget (`embedded`: its links open a new tab; a browser is sent on to
    the site's page of times), or for the desk.

    A clinic without a scheduler links here from nowhere; asked anyway, the answer is to call (and it never changes).
    """
    times = booking.view(current_app, languages.current())
    live = times is not None
    cache = Cache.PRIVATE if desk else Cache.SHARED if live else Cache.PUBLIC
    context = {
        "times": times if live else NextTimes((), False, "", 0),
        "embedded": embedded,
        "desk": desk,
        "title": titled(gettext("Our next free times")),
    }
    if embedded:
        fragment = partial(render_template, "booking/_times.html", **context)
        response = fragment_or_redirect(fragment, url_for("public.free_times"), cache=cache)
    else:
        response = page_or_fragment("booking/times.html", "booking/_times.html", cache=cache, **context)
    if live and not desk:
        response.cache_control.public = True
        response.cache_control.max_age = times.fresh_for
        response.cache_control.s_maxage = times.fresh_for
    return response
