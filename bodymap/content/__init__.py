"""The clinic's content: `data/regions.yaml` (or CONTENT_PATH), loaded once at start-up and shared read-only.

`model` says what the file must hold (one module per subject: `clinic`, `sources`, `treatments`, `regions`, over
the field types in `fields`), `loader` reads it and names every problem with its file and line, and `drawing` is
the body the circles are drawn on. A clinic whose `languages` list es has its content in Spanish too: built once
at start-up from the file's `es:` blocks (`localized`), the same content with every patient text swapped, so a
template shows whichever language `get` gives it.
"""

from __future__ import annotations

import flask
from flask import Flask

from bodymap.content.clinic import Clinic, LanguageHelp, OpeningHours
from bodymap.content.fields import LANGUAGES
from bodymap.content.loader import ContentError, load
from bodymap.content.model import Content
from bodymap.content.regions import Marker, Region
from bodymap.content.sources import Source, Sourced
from bodymap.content.treatments import Treatment

__all__ = [
    "LANGUAGES",
    "Clinic",
    "Content",
    "ContentError",
    "LanguageHelp",
    "Marker",
    "OpeningHours",
    "Region",
    "Source",
    "Sourced",
    "Treatment",
    "get",
    "init_app",
    "languages",
    "load",
]


def init_app(app: Flask) -> None:
    """Load the content once, in each of the clinic's languages; an invalid file stops the app from starting."""
    loaded = load(app.config["CONTENT_PATH"])
    app.extensions["bodymap.content"] = {lang: loaded.in_language(lang) for lang in loaded.clinic.languages}

    def in_this_language() -> dict:
        """`content` and `clinic` in templates: in the language of the page being drawn."""
        shown = get(app)
        return {"content": shown, "clinic": shown.clinic}

    app.context_processor(in_this_language)


def get(app: Flask, lang: str | None = None) -> Content:
    """The content in `lang`; by default in the current page's language (`g.lang`), else English.

    A language the clinic does not offer gives its English: a clinic without Spanish has no Spanish pages
    (ask `languages`), and a page that is drawn anyway, such as an error page, stays readable.
    """
    if lang is None:
        lang = flask.g.get("lang", "en") if flask.has_app_context() else "en"
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: the content is written in {', '.join(LANGUAGES)}")
    found = app.extensions["bodymap.content"]
    return found.get(lang, found["en"])


def languages(app: Flask) -> tuple[str, ...]:
    """The clinic's languages, English first: ('en',) or ('en', 'es')."""
    return tuple(app.extensions["bodymap.content"])
