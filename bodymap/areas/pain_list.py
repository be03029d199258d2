"""The patient's pain list: several areas, a score for each, and their red flags read together. The full
site and the widget answer with it at addresses of their own (`Links`); this module holds its rules.

Private by construction: the list lives in the patient's tab (sessionStorage, with JavaScript) or in the
page the last post answered with (without it). The server keeps nothing: each POST carries the whole list
in `areas-N-*` fields, with an action, and gets the list redrawn. So these POSTs are exempt from CSRF: they
store nothing and change nothing, and the public pages that hold their forms stay cookie-free and cacheable
(a CSRF token would need a session cookie on every page). Every answer is `no-store`.

"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, replace

from flask import current_app, render_template, request
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form, FormField

from bodymap import content
from bodymap.areas.area import MAX_AREAS, Area, area_from, by_score, combined_flags
from bodymap.areas.forms import SIDE_CHOICES, AreaForm, area_of, areas_field, set_region_choices
from bodymap.web.forms import posted_form_within_limit, whole_number
from bodymap.web.rendering import Cache, cache_policy, page_or_fragment
from bodymap.web.titles import titled

TITLE = _l("Your pain list")
ACTIONS = ("show", "add", "update", "clear", "print")  # and remove-N
SEND_AREAS = "send-areas"  # the booking form's checkbox: send the area names to the booking page


class ListForm(Form):
    """The list (`areas-N-...`) and the area being added (`new-region`, `new-side`, `new-pain`)."""

    areas = areas_field()
    new = FormField(AreaForm)


@dataclass
class Outcome:
    areas: list[Area]
    message: str | None = None
    status: int = 200


def read(formdata: MultiDict) -> tuple[list[Area], list[str]]:
    """The posted list, cleaned: unknown areas left out, a side the region lacks or a score off the scale
    dropped, each region and side once. Each correction is said in a message."""
    form = ListForm(formdata=formdata)
    areas: dict[tuple[str, str], Area] = {}
    notes: list[str] = []
    for entry in form.areas:
        data = entry.form.data
        if not (data["region"] or "").strip():
            continue
        area = area_of(entry)
        if area is None:
            notes.append(gettext("We left out an area we do not know."))
            continue
        notes.extend(_corrections(area, data))
        if area.key not in areas:
            areas[area.key] = area
    return list(areas.values()), notes


def _corrections(area: Area, data: dict) -> list[str]:
    notes = []
    if data["side"] and data["side"] != (area.side or ""):
        side = str(SIDE_CHOICES.get(data["side"], data["side"])).lower()
        notes.append(
            gettext(
                "The %(area)s has no %(side)s side here, so it is listed without one.",
                area=area.region.name.lower(),
                side=side,
            )
        )
    if data["pain"] not in (None, "") and area.pain is None:
        notes.append(gettext("A score is a whole number from 0 to 10. %(area)s has no score now.", area=area.label))
    return notes


def _apply(action: str, areas: list[Area], formdata: MultiDict, notes: list[str]) -> Outcome:
    if action == "add":
        return _add(areas, formdata)
    if action == "clear":
        return Outcome([], gettext("Your list is empty now."))
    if action.startswith("remove-"):
        index = whole_number(action.removeprefix("remove-"))
        if index is None or index >= len(areas):
            return Outcome(areas, gettext("That area is not on your list. Your list is as it was."), 422)
        removed = areas[index]
        return Outcome(areas[:index] + areas[index + 1 :], gettext("%(area)s is off your list.", area=removed.label))
    if action == "update":
        return Outcome(areas, None if notes else gettext("Your changes are saved."))
    if action in ("show", "print"):
        return Outcome(areas)
    return Outcome(areas, gettext("We did not understand that. Your list is as it was."), 400)


def _add(areas: list[Area], formdata: MultiDict) -> Outcome:
    get = formdata.get
    area = area_from(content.get(current_app), get("new-region"), get("new-side"), get("new-pain"))
    if area is None:
        return Outcome(areas, gettext("Pick an area of the body to add."), 422)
    notes = _corrections(area, {"side": get("new-side"), "pain": get("new-pain")})
    same = [i for i, listed in enumerate(areas) if listed.key == area.key]
    if same:
        i = same[0]
        kept = areas[i]
        if area.pain is not None:
            kept = replace(kept, pain=area.pain)
        return Outcome(
            [*areas[:i], kept, *areas[i + 1 :]], gettext("%(area)s is already on your list.", area=area.label)
        )
    if len(areas) >= MAX_AREAS:
        full = gettext("Your list is full: it holds %(count)s areas. Remove one to add another.", count=MAX_AREAS)
        return Outcome(areas, full, 422)
    count = len(areas) + 1
    added = " ".join(
        [
            gettext("%(area)s is on your list.", area=area.label),
            ngettext("It has %(num)d area.", "It has %(num)d areas.", count),
        ]
    )
    return Outcome([*areas, area], " ".join([*notes, added]), 422 if notes else 200)


def fields_of(areas: list[Area]) -> ListForm:
    """A form holding `areas`, to draw their `areas-N-*` fields."""
    form = ListForm(
        formdata=None,
        data={
            "areas": [
                {
                    "region": a.region.slug,
                    "side": a.side or "",
                    "pain": "" if a.pain is None else str(a.pain),
                    "feelings": list(a.feelings),
                    "duration": a.duration or "",
                }
                for a in areas
            ]
        },
    )
    set_region_choices(form.areas, blank=None)
    form.new.region.choices = {"": gettext("Pick an area")} | {r.slug: r.name for r in content.get(current_app).regions}
    return form


def listed_marks(areas: list[Area]) -> dict[tuple[str, str], Area]:
    """Which circles to mark: an area without a side marks each of its region's circles."""
    return {area.key: area for area in areas}


@dataclass(frozen=True)
class Links:
    """Where a list's forms go and what its map opens: the full site's addresses, or the widget's."""

    list_url: str  # where the list's own form posts
    print_url: str  # the printable sheet (always the full site's: it opens in the top window)
    callback_url: str  # the callback form, filled in with the list
    map: dict  # the map's endpoints and options (page_endpoint, panel_endpoint, push_history)
    page: str  # the page template around the list for a browser without JavaScript
    page_context: dict  # what that page needs around the list
    embedded: bool = False  # in the widget's frame: links that leave it open a new tab


def list_context(areas: list[Area], message: str | None, links: Links) -> dict:
    clinic = content.get(current_app).clinic
    today = datetime.datetime.now(zoneinfo.ZoneInfo(clinic.timezone)).date()
    return {
        "posted": request.method == "POST",
        "areas": areas,
        "ranked": by_score(areas),
        "flags": combined_flags(areas),
        "message": message,
        "list_form": fields_of(areas),
        "listed": listed_marks(areas),
        "max_areas": MAX_AREAS,
        "today": today,
        "embedded": links.embedded,
        "list_url": links.list_url,
        "print_url": links.print_url,
        "callback_url": links.callback_url,
        "region": None,
        "side": None,
        "panel_template": "map/_pain_list.html",
        "title": titled(str(TITLE)),
        **links.map,
    }


def answer(links: Links):
    """The list redrawn from what was posted, after the posted action: a page, or a fragment for htmx."""
    formdata = posted_form_within_limit()  # a list is small: a body over the limit is refused (413), not emptied
    areas, notes = read(formdata)
    action = formdata.get("action") or "update"
    if action not in ACTIONS and not action.startswith("remove-"):
        action = "junk"
    outcome = _apply(action, areas, formdata, notes)
    message = " ".join([*notes, outcome.message or ""]).strip() or None
    status = outcome.status if outcome.status != 200 or not notes else 422
    context = list_context(outcome.areas, message, links)
    if action == "print" and status < 400:
        response = current_app.make_response(render_template("public/pain_list_print.html", **context))
        return cache_policy(response, Cache.PRIVATE)
    context |= links.page_context
    return page_or_fragment(links.page, "map/pain_list.html", status=status, cache=Cache.PRIVATE, **context)
