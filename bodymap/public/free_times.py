"""The clinic's next free times at their own address, `/free-times` (`/es/free-times`), loaded after a page."""

from __future__ import annotations

from bodymap.booking import fragment
from bodymap.public import bp
from bodymap.web import languages


@languages.get(bp, "/free-times")
def free_times():
    """For htmx, the times a page swaps in; without JavaScript, a page of them. See `bodymap.booking.fragment`."""
    return fragment.respond()
