"""The pain list's addresses in the full site: `/list` (the list, redrawn from what is posted) and `/list/book`
(on to the clinic's booking page). The list's rules are in `bodymap.areas.pain_list`."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for

from bodymap import content
from bodymap.areas import pain_list as pain_list_rules
from bodymap.areas.area import MAX_AREAS
from bodymap.areas.forms import PAIN_CHOICES
from bodymap.extensions import csrf
from bodymap.public import bp
from bodymap.web import languages
from bodymap.web.forms import posted_form
from bodymap.web.rendering import Cache, cache_policy


@bp.app_context_processor
def _list_words() -> dict:
    """What a region's "Add to my pain list" form says, on every page that shows a panel."""
    return {"pain_choices": PAIN_CHOICES, "max_areas": MAX_AREAS}


@languages.get(bp, "/list")
def pain_list_page():
    """The list's address opened directly (a bookmark, a reload): the list is never in a URL, so it is empty."""
    response = current_app.make_response(
        render_template("public/pain_list.html", **pain_list_rules.list_context([], None, _links()))
    )
    return cache_policy(response, Cache.PUBLIC)


def _links() -> pain_list_rules.Links:
    """The full site's list: it posts to /list, and its map opens region pages."""
    return pain_list_rules.Links(
        list_url=url_for("public.pain_list"),
        print_url=url_for("public.pain_list"),
        callback_url=url_for("callback.from_list"),
        map={},
        page="public/pain_list.html",
        page_context={},
    )


@languages.post(bp, "/list")
@csrf.exempt  # stores nothing, changes nothing: see bodymap.areas.pain_list
def pain_list():
    return pain_list_rules.answer(_links())


@languages.post(bp, "/list/book")
@csrf.exempt  # stores nothing: it only sends the patient on to the clinic's booking page
def book_online():
    """On to the clinic's booking page; the area names go with it only when the patient ticked the box."""
    clinic = content.get(current_app).clinic
    if not clinic.booking_url:
        abort(404)
    formdata = posted_form()
    areas, _ = pain_list_rules.read(formdata)
    names = [area.label for area in areas] if formdata.get(pain_list_rules.SEND_AREAS) == "yes" else []
    response = redirect(clinic.booking_link(names), 303)
    response.headers["Cache-Control"] = "no-store"
    return response
