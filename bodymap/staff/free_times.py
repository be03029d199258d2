"""The clinic's next free times on the call guide, for the desk on the phone: never stored, links in a new tab."""

from __future__ import annotations

from bodymap.booking import fragment
from bodymap.staff import bp


@bp.get("/free-times")
def free_times():
    return fragment.respond(desk=True)
