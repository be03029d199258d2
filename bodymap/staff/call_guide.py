"""The call guide: the body map for staff on the phone, and the script to read aloud, red flags first.

It opens on one region (`/staff/guide/<slug>`), or on a callback request (`/staff/callbacks/<id>/guide`): then the
script covers every area the patient listed, with their red-flag questions together, each asked once.

The script can be read in Spanish to a caller who speaks it (`?script=es`; a request sent in Spanish opens so):
what is said aloud (the opening, the questions, the summaries, the offer of a visit) comes from the content in that
language and carries `lang`, so a screen reader switches voice; the staff's own words around it stay English.

A request's guide shows its name and number, so opening it is audited (reading personal data). It also says the
request's status, its last call, and the consent the patient gave: "Agreed to be called on <date, time> (wording of
<date>, Spanish)", from the words stored with the request (`bodymap.data.consent`).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list
from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import force_locale, gettext, ngettext
from flask_login import current_user

from bodymap import audit, content, data
from bodymap.areas.area import Area, CombinedFlags, area_from, by_score, combined_flags
from bodymap.content import Clinic, Content, Region
from bodymap.data import consent
from bodymap.data.models import CallbackRequest
from bodymap.roles import Permission, requires
from bodymap.staff import bp
from bodymap.staff.areas import listed_areas
from bodymap.staff.call_log import CallLogForm, last_calls
from bodymap.staff.layout import LANGUAGES_IN_ENGLISH, staff_title
from bodymap.web.regions import region_and_side
from bodymap.web.rendering import fragment_or_redirect

MAP_LINKS = {"page_endpoint": "staff.call_guide_region", "panel_endpoint": "staff.call_guide_panel"}
# A region's script, as the map's circles and a request's "full phone script" links open it. (The header's link to
# the guide starts afresh: a new call, in English unless staff pick Spanish.)
REGION_SCRIPT_ENDPOINTS = ("staff.call_guide_region", "staff.call_guide_panel")

# The lines of the script that are not in the content come from the catalogs, in the language the script is read in
# (Spanish: plain words, "usted", the same facts as the English).
SCRIPT_LINES = {
    "opening": lambda values, count: gettext(
        "Thanks for calling %(clinic)s. I'm sorry your %(area)s hurts. "
        "Before we book, I need to ask a few quick safety questions.",
        **values,
    ),
    "callback_opening": lambda values, count: ngettext(
        "Hi, this is %(clinic)s, calling you back. I'm sorry your %(areas)s hurts. "
        "Before we book, I need to ask a few quick safety questions.",
        "Hi, this is %(clinic)s, calling you back. I'm sorry your %(areas)s hurt. "
        "Before we book, I need to ask a few quick safety questions.",
        count,
        **values,
    ),
    "booking": lambda values, count: gettext("%(appointments)s Would you like me to book you in?", **values),
}


def _joined(words: list[str], lang: str = "en") -> str:
    """'neck', 'neck and left shoulder', 'neck, hip, and left shoulder' ('y' in Spanish), as Babel joins a list."""
    return format_list(words, locale=lang)


def _lowered(text: str) -> str:
    return text[:1].lower() + text[1:]


def script_languages() -> tuple[str, ...]:
    """The languages this clinic's script can be read in: those of its content that the script has lines for."""
    return content.languages(current_app)


@dataclass(frozen=True)
class Script:
    """The language a script is read in, what is said in it, and the link that switches to the other language."""

    lang: str
    said: Content  # the content in `lang`: the questions, summaries and the clinic's lines the caller hears
    switch: dict[str, str]  # language -> the address of this script in it (none when there is no other language)

    @property
    def clinic(self) -> Clinic:
        return self.said.clinic

    def line(self, name: str, count: int = 1, **values: str) -> str:
        """A fixed line of the script in its language, filled in (`count`: how many areas it names)."""
        with force_locale(self.lang):
            return SCRIPT_LINES[name]({"clinic": self.said.clinic.name, **values}, count)

    def region(self, slug: str) -> Region:
        """A region as the caller hears it about (its summary and questions in the script's language)."""
        return self.said.region(slug)

    @property
    def switch_links(self) -> list[tuple[str, str, str]]:
        """(language, "Script in Spanish", address) for every language but this one."""
        return [(lang, f"Script in {LANGUAGES_IN_ENGLISH[lang]}", url) for lang, url in self.switch.items()]


def _script_language(default: str = "en") -> str:
    """The script's language: `?script=` when given, else `default` (a request's own language), else English."""
    languages = script_languages()
    asked = request.args.get("script")
    if asked in (None, ""):
        return default if default in languages else "en"
    if asked not in languages:
        abort(400, description="There is no phone script in that language here. Pick one of the links on the guide.")
    return asked


def _script(lang: str, endpoint: str, **values) -> Script:
    """The script in `lang`, with links to the same guide in the clinic's other languages."""
    if lang != "en":
        g.script_language = lang  # the map's circles and the guide's links stay in it (see keep_script_language)
    others = {other: url_for(endpoint, **values, script=other) for other in script_languages() if other != lang}
    return Script(lang, content.get(current_app, lang=lang), others)


@bp.url_defaults
def keep_script_language(endpoint: str, values: dict) -> None:
    """The circles and links of a guide read in Spanish open other regions' scripts in Spanish, until staff switch
    back."""
    if endpoint in REGION_SCRIPT_ENDPOINTS and g.get("script_language"):
        values.setdefault("script", g.script_language)


def _log_form(region: Region | None, side: str | None) -> CallLogForm:
    """The call log form, set to the region on screen, returning here once the call is logged."""
    next_page = request.full_path.rstrip("?") if region else url_for("staff.call_guide")
    return CallLogForm.prefilled([(region.slug, side)] if region else [], next_page)


def _title(region: Region | None, side: str | None) -> str:
    return staff_title(f"Call guide: {region.label(side)}" if region else "Call guide")


def _region_script(region: Region | None, side: str | None) -> Script:
    lang = _script_language()
    if region is None:
        return _script(lang, "staff.call_guide")
    return _script(lang, "staff.call_guide_region", slug=region.slug, side=side)


def _page(region: Region | None, side: str | None):
    return render_template(
        "staff/call_guide.html",
        region=region,
        side=side,
        script=_region_script(region, side),
        log_form=_log_form(region, side),
        title=_title(region, side),
        **MAP_LINKS,
    )


@bp.get("/guide")
@requires(Permission.CALLBACKS)
def call_guide():
    """The map with nothing chosen yet: ask where it hurts."""
    return _page(None, None)


def _keep_script_language() -> None:
    """A script asked for in another language stays in it through a redirect to the region's one address."""
    lang = _script_language()
    if lang != "en":
        g.script_language = lang


@bp.get("/guide/<slug>")
@requires(Permission.CALLBACKS)
def call_guide_region(slug: str):
    """The map with a region's phone script beside it."""
    _keep_script_language()
    return _page(*region_and_side(slug))


@bp.get("/guide/<slug>/panel")
@requires(Permission.CALLBACKS)
def call_guide_panel(slug: str):
    """The phone script alone, for htmx; a browser that opens it directly gets the full page."""
    _keep_script_language()
    region, side = region_and_side(slug)
    script = _region_script(region, side)

    def panel() -> str:
        return render_template(
            "staff/script.html",
            region=region,
            side=side,
            script=script,
            log_form=_log_form(region, side),
            title=_title(region, side),
        )

    return fragment_or_redirect(panel, url_for("staff.call_guide_region", slug=slug, side=side))


@dataclass(frozen=True)
class ScriptPart:
    """What to read about one region of a request, and which of its listed areas (a left and a right knee) it covers."""

    region: Region
    labels: list[str]
    side: str | None  # the side its full script opens on, when the request named exactly one


@dataclass(frozen=True)
class RequestGuide:
    areas: list[Area]  # as the patient listed them
    flags: CombinedFlags  # the questions, in the script's language
    parts: list[ScriptPart]  # the region that hurts most first
    heading: str
    named: str  # "neck and left shoulder", as staff read it (empty when no area is known)
    spoken: str  # the same as the opening line says it, in the script's language


def _spoken(areas: list[Area], lang: str) -> str:
    """The areas as the opening line names them, in the script's language: 'neck and left shoulder'."""
    return _joined([_lowered(area.label) for area in areas], lang) if areas else ""


def request_guide_for(callback: CallbackRequest, said: Content | None = None, lang: str = "en") -> RequestGuide:
    """The script for a request: its areas' red-flag questions combined, then a part for each region.

    `said` is the content in the script's language `lang`: the questions come from it; the staff's headings and
    labels stay English."""
    areas = listed_areas(callback)
    said_areas = [area_from(said, a.region.slug, a.side, a.pain) for a in areas] if said is not None else areas
    parts: dict[str, list[Area]] = {}
    for area in by_score(areas):
        parts.setdefault(area.region.slug, []).append(area)
    named = _spoken(areas, "en")
    return RequestGuide(
        areas=areas,
        flags=combined_flags([area for area in said_areas if area is not None]),
        parts=[
            ScriptPart(group[0].region, [a.label for a in group], group[0].side if len(group) == 1 else None)
            for group in parts.values()
        ],
        heading=f"{named[:1].upper()}{named[1:]}: phone script" if areas else "Pick where it hurts",
        named=named,
        spoken=_spoken([a for a in said_areas if a is not None], lang),
    )


@bp.get("/callbacks/<id:request_id>/guide")
@requires(Permission.CALLBACKS)
def request_guide(request_id: int):
    """The map with a callback request's script beside it: every area it names, red flags first, in the language the
    patient wrote in unless staff ask for another."""
    callback = data.request_session().get(CallbackRequest, request_id)
    if callback is None:
        abort(404)
    script = _script(_script_language(default=callback.language), "staff.request_guide", request_id=request_id)
    guide = request_guide_for(callback, script.said, script.lang)
    log_form = CallLogForm.prefilled([(a.region.slug, a.side) for a in guide.areas], request.full_path.rstrip("?"))
    agreed = consent.of(data.request_session(), callback)
    last_call = last_calls([callback.id]).get(callback.id)
    audit.record(data.request_session(), "request_viewed", current_user, target=("request", callback.id))
    data.request_session().commit()
    return render_template(
        "staff/call_guide.html",
        region=None,
        side=None,
        callback=callback,
        consent=agreed,
        last_call=last_call,
        guide=guide,
        script=script,
        log_form=log_form,
        title=staff_title(f"Call guide: {guide.named or 'a callback request'}"),
        **MAP_LINKS,
    )
