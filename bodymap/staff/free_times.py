"""The clinic's next free times on the call guide, for the desk on the phone: never stored, links in a new tab."""

from __future__ import annotations

from bodymap.booking import fragment
from bodymap.roles import Permission, requires
from bodymap.staff import bp


@bp.get("/free-times")
@requires(Permission.CALLBACKS)  # read out on the phone, beside the call guide
def free_times():
    return fragment.respond(desk=True)
