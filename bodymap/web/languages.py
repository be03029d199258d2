"""The languages a patient reads: English at the site's own addresses, Spanish under `/es/`.

The address alone says the language, never a cookie, a header or a redirect, so every page stays the same for
everyone who asks for it and a CDN may keep it (nothing here varies by Accept-Language).

- A public, callback or embed view is registered with `languages.get(bp, rule)` (or `post`, `route`): once per
  language, English first (`rule`, with `lang="en"` in its defaults) and then `"/es" + rule` (`lang="es"`).
  Staff pages, the sitemap, robots.txt, the health checks and static files have one address each.
- Before anything else runs for a request, the `lang` view argument is taken off (views never see it) and kept in
  `g.lang`; `current()` reads it. A Spanish address of a clinic whose content has no Spanish is a 404.
- `url_for()` of those views stays in the language of the page (an `url_defaults` hook adds `lang="es"`), so
  the links of every template and view follow the page; `url_for(..., lang="en")` names a twin explicitly.
- `twins()`, `alternates()` and `language_help()` give base.html the links to the page in the other language,
  the `hreflang` alternates for search engines, and the footer's notice that help in one's language is free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import flask_babel
from babel import Locale
from babel.dates import format_date
from flask import Blueprint, Flask, abort, current_app, g, has_app_context, request, url_for
from markupsafe import Markup, escape

from bodymap import content, resources
from bodymap.content import LANGUAGES, Clinic
from bodymap.settings import ConfigError
from bodymap.web.hosts import REFUSED
from bodymap.web.regions import page_args
from bodymap.web.titles import absolute_url

DEFAULT = LANGUAGES[0]  # the site's own language: its pages have no prefix


def name_of(lang: str, in_lang: str | None = None) -> str:
    """A language's name, as Babel (CLDR) writes it in `in_lang` (its own words by default): 'English', 'Español',
    or 'Spanish' in English."""
    name = Locale.parse(lang).get_display_name(in_lang or lang)
    return name[:1].upper() + name[1:]


def in_its_own_words(lang: str, say: Callable[[str], str]) -> str:
    """`say(name)` (a line of the catalog, given the language's name) as `lang` says it: the link to a page in a
    language is written in that language."""
    with flask_babel.force_locale(lang):
        return say(Locale.parse(lang).get_display_name(lang))


LOCALIZED: set[str] = set()  # endpoints ("public.index") with an address in every language
TWIN_OF: dict[str, str] = {}  # a view that only answers a post -> the view whose page is its twin


def prefix(lang: str) -> str:
    """'' for the site's own language, '/es' for Spanish."""
    return "" if lang == DEFAULT else f"/{lang}"


def route(bp: Blueprint, rule: str, *, twin: str | None = None, **options) -> Callable:
    """Register the view at `rule` in every language: English first, so url_for() builds it by default.

    `twin` names the view (in the same blueprint) whose page stands for this one in another language, for a view
    that only answers a post (the callback form opened from the pain list is the form's page in Spanish).
    """

    def register(view: Callable) -> Callable:
        endpoint = options.pop("endpoint", None) or view.__name__
        for lang in LANGUAGES:
            bp.add_url_rule(prefix(lang) + rule, endpoint, view, defaults={"lang": lang}, **options)
        LOCALIZED.add(f"{bp.name}.{endpoint}")
        if twin:
            TWIN_OF[f"{bp.name}.{endpoint}"] = f"{bp.name}.{twin}"
        return view

    return register


def get(bp: Blueprint, rule: str, **options) -> Callable:
    return route(bp, rule, methods=["GET"], **options)


def post(bp: Blueprint, rule: str, **options) -> Callable:
    return route(bp, rule, methods=["POST"], **options)


def current() -> str:
    """The language of this request's page: 'en' or 'es' ('en' outside a request, and for staff pages)."""
    return g.get("lang", DEFAULT) if has_app_context() else DEFAULT


def offered(app: Flask | None = None) -> tuple[str, ...]:
    """The languages the clinic's content is written in, the site's own first."""
    return tuple(lang for lang in LANGUAGES if lang in content.languages(app or current_app))


def language_of_path(path: str) -> str:
    """The language an address is in, by its first segment: for a page no view answers (a 404)."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES and first != DEFAULT else DEFAULT


def _take_language(endpoint: str | None, values: dict | None) -> None:
    """Runs first for every request: the `lang` view argument goes to g.lang, and the view never sees it."""
    lang = values.pop("lang", None) if values else None
    if lang is None:
        lang = language_of_path(request.path) if request.routing_exception is not None else DEFAULT
    if lang not in offered():
        g.lang = DEFAULT
        if not request.environ.get(REFUSED):  # a host this site does not serve hears so first (`web.hosts`)
            abort(404)
        return
    g.lang = lang
    flask_babel.refresh()  # in case anything asked for the locale before the language was known


def _stay_in_language(endpoint: str, values: dict) -> None:
    """url_for() of a page with an address per language builds the address in the language of this page."""
    if endpoint in LOCALIZED and "lang" not in values:
        lang = current()
        if lang != DEFAULT:
            values["lang"] = lang


def _page_endpoint() -> str | None:
    """The view whose address in another language shows this page, if this page has one."""
    endpoint = request.endpoint
    if endpoint not in LOCALIZED:
        return None
    return TWIN_OF.get(endpoint, endpoint)


def page_url(lang: str, *, keep_args: bool = True) -> str | None:
    """This page's address in `lang`, with the arguments the page chose (the side, the widget's host) unless told not
    to: never the request's own query."""
    endpoint = _page_endpoint()
    if endpoint is None:
        return None
    args = page_args() if keep_args else {}
    return url_for(endpoint, **{**args, **(request.view_args or {}), "lang": lang})


def twin_url(lang: str | None = None) -> str | None:
    """The same page in `lang` (by default the other language the clinic offers), or None where there is none."""
    if lang is None:
        others = [other for other in offered() if other != current()]
        if not others:
            return None
        lang = others[0]
    return page_url(lang) if lang in offered() and lang != current() else None


@dataclass(frozen=True)
class Twin:
    """A link to this page in another language, written in that language."""

    lang: str
    url: str
    text: str


def twins() -> list[Twin]:
    """A link for every other language the clinic offers (none for staff pages or a clinic in one language)."""
    found = []
    for lang in offered():
        url = twin_url(lang)
        if url is not None:
            text = in_its_own_words(lang, lambda name: flask_babel.gettext("View in %(language)s", language=name))
            found.append(Twin(lang, url, text))
    return found


def alternates() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) for search engines: the page in each language, and English as x-default.

    Query arguments are left out: they open a side or a widget, and the addresses without them are canonical.
    """
    languages = offered()
    if len(languages) < 2 or _page_endpoint() is None:
        return []
    urls = [(lang, absolute_url(page_url(lang, keep_args=False))) for lang in languages]
    return [*urls, ("x-default", dict(urls).get(DEFAULT, urls[0][1]))]


@dataclass(frozen=True)
class HelpLine:
    """One language's line of the notice that help in the patient's language is free."""

    lang: str
    text: Markup  # with the clinic's phone as a link
    as_of: Markup  # "(As of November 30, 2026.)" in that language


def _english_content(app: Flask):
    """The content as the file says it in English: the notice's lines are read from it in every language."""
    return content.get(app, lang=DEFAULT)


def language_help() -> list[HelpLine]:
    """The free-language-help notice, a line per language the clinic wrote it in: this page's language first.

    Every page shows it, so it is drawn once per language and app: it is made of the clinic's content, which is
    loaded once per app and never changes (kept with the lines, so other content would be drawn anew).
    """
    clinic = _english_content(current_app).clinic
    drawn: dict[str, tuple[Clinic, list[HelpLine]]] = current_app.extensions.setdefault("bodymap.language_help", {})
    lang = current()
    kept = drawn.get(lang)
    if kept is None or kept[0] is not clinic:
        kept = drawn[lang] = (clinic, _language_help(clinic))
    return list(kept[1])


def _language_help(clinic: Clinic) -> list[HelpLine]:
    notice = clinic.language_help
    if notice is None:
        return []
    texts = notice.texts()
    phone = Markup('<a href="{}">{}</a>').format(clinic.tel, clinic.phone)
    order = sorted(texts, key=lambda lang: (lang != current(), list(LANGUAGES).index(lang)))
    return [HelpLine(lang, _with_phone(texts[lang], phone), as_of(notice.as_of, lang)) for lang in order]


def _with_phone(text: str, phone: Markup) -> Markup:
    """The text with each {phone} made the clinic's number, as a link that dials it."""
    return phone.join(escape(part) for part in text.split("{phone}"))


def as_of(day: date, lang: str) -> Markup:
    """'(As of November 30, 2026.)' in `lang`, the date in a <time> element."""
    stamp = Markup('<time datetime="{}">{}</time>').format(day.isoformat(), format_date(day, "long", locale=lang))
    with flask_babel.force_locale(lang):
        said = Markup(flask_babel.gettext("As of %(date)s.")) % {"date": stamp}  # the direct-access notice's words
    return Markup("({})").format(said)


def suggestions(links: list[Twin]) -> list[tuple[Twin, str]]:
    """On a page in the site's own language, each twin with the question that offers it to a browser preferring it."""
    if current() != DEFAULT:
        return []
    return [
        (
            twin,
            in_its_own_words(twin.lang, lambda name: flask_babel.gettext("Do you prefer %(language)s?", language=name)),
        )
        for twin in links
    ]


def template_context() -> dict:
    return {
        "language": current(),
        "language_suggestions": suggestions,
        "language_twins": twins,
        "language_alternates": alternates,
        "language_help": language_help,
    }


def check_catalogs(app: Flask) -> None:
    """Every language the clinic offers besides English has its compiled catalog: without one, its pages would be in
    English under a Spanish address without a word said, so the app refuses to start and names the file."""
    for lang in offered(app):
        if lang == DEFAULT:
            continue
        compiled = resources.TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"
        if not compiled.is_file():
            raise ConfigError(
                f"{compiled} is missing: the {name_of(lang, 'en')} pages need their words compiled. "
                "Run `make catalogs` (pybabel compile --directory bodymap/translations) in the checkout."
            )


def init_app(app: Flask) -> None:
    check_catalogs(app)
    # Each page has one address per language, told apart by a default, not by a redirect to the first address.
    app.url_map.redirect_defaults = False
    app.url_value_preprocessor(_take_language)
    app.url_defaults(_stay_in_language)
    app.context_processor(template_context)
