"""The clinic's content: `data/regions.yaml` (or CONTENT_PATH), loaded once at start-up and shared read-only.

A file that passes its checks is kept as a snapshot in the instance folder (`snapshot`); started or reloaded with
a file that does not, the app serves that snapshot, logs the file's problems once, and `/readyz` says so.

`model` says what the file must hold (one module per subject: `clinic`, `sources`, `treatments`, `regions`, over
the field types in `fields`), `loader` reads it and names every problem with its file and line, and `drawing` is
the body the circles are drawn on. A clinic whose `languages` list es has its content in Spanish too: built once
at start-up from the file's `es:` blocks (`localized`), the same content with every patient text swapped, so a
template shows whichever language `get` gives it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import flask
from flask import Flask

from bodymap.content import snapshot
from bodymap.content.clinic import Clinic, LanguageHelp, OpeningHours
from bodymap.content.fields import LANGUAGES
from bodymap.content.loader import ContentError, load
from bodymap.content.model import Content
from bodymap.content.regions import Marker, Region
from bodymap.content.snapshot import Served
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
    "Served",
    "get",
    "health",
    "init_app",
    "languages",
    "load",
    "loaded",
    "served",
]


def _read(app: Flask, path: Path) -> tuple[bytes, dict[str, Content]]:
    """A content file's bytes and its content in each of the clinic's languages; ContentError names its problems."""
    try:
        data = path.read_bytes()
    except OSError:
        data = b""  # the loader says what is wrong with the path
    loaded = load(path, assets=app.config.get("CLINIC_ASSETS_PATH") or None)
    return data, {lang: loaded.in_language(lang) for lang in loaded.clinic.languages}


def _serve(app: Flask) -> Served:
    """The content file when it passes its checks (kept as the snapshot), else the snapshot, with the file's problems
    logged once; ContentError when neither can be used."""
    path = Path(app.config["CONTENT_PATH"])
    kept = Path(app.config["CONTENT_SNAPSHOT"]) if app.config.get("CONTENT_SNAPSHOT") else None
    try:
        data, by_language = _read(app, path)
    except ContentError as error:
        if kept is None or not snapshot.of(kept, path):
            raise
        try:
            data, by_language = _read(app, kept)
        except ContentError as unusable:
            raise ContentError([*error.problems, f"and the last good copy cannot be used either: {unusable}"]) from None
        served = Served(by_language, kept, snapshot.digest(data), error.problems, snapshot.saved_at(kept))
        app.logger.error(
            "The content file has problems, so the last content that passed its checks (%s, saved %s UTC) is served"
            " until it is fixed:\n%s",
            kept,
            f"{served.saved_at:%Y-%m-%d %H:%M}",
            "\n".join(error.problems),
        )
        return served
    if kept is not None:
        try:
            snapshot.keep(kept, path, data)
        except OSError as error:
            app.logger.warning("Could not keep a copy of the content in %s (%s)", kept, error.strerror)
    return Served(by_language, path, snapshot.digest(data))


def init_app(app: Flask, required: bool = True) -> None:
    """Load the content once, in each of the clinic's languages: the file, or the last copy that passed its checks.

    `required`: with neither, the app does not start (ContentError). A command that needs no content (`db`,
    `staff`, `callbacks`, `notify`) is built with `required=False`: the content is then loaded when first asked for.
    """
    lock = threading.Lock()
    app.extensions["bodymap.content"] = {"served": None, "lock": lock}
    if required:
        served(app)

    def in_this_language() -> dict:
        """`content` and `clinic` in templates: in the language of the page being drawn."""
        shown = get(app)
        return {"content": shown, "clinic": shown.clinic}

    app.context_processor(in_this_language)


def served(app: Flask) -> Served:
    """What this app serves and where it came from; loaded on first use. ContentError when there is nothing to serve."""
    holder = app.extensions["bodymap.content"]
    found = holder["served"]
    if found is None:
        with holder["lock"]:
            found = holder["served"]
            if found is None:
                found = holder["served"] = _serve(app)
    return found


def loaded(app: Flask) -> bool:
    """The content is loaded (always, in an app that serves; in a command, once something asked for it)."""
    return app.extensions["bodymap.content"]["served"] is not None


def get(app: Flask, lang: str | None = None) -> Content:
    """The content in `lang`; by default in the current page's language (`g.lang`), else English.

    A language the clinic does not offer gives its English: a clinic without Spanish has no Spanish pages
    (ask `languages`), and a page that is drawn anyway, such as an error page, stays readable.
    """
    if lang is None:
        lang = flask.g.get("lang", "en") if flask.has_app_context() else "en"
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: the content is written in {', '.join(LANGUAGES)}")
    found = served(app).by_language
    return found.get(lang, found["en"])


def languages(app: Flask) -> tuple[str, ...]:
    """The clinic's languages, English first: ('en',) or ('en', 'es')."""
    return tuple(served(app).by_language)


def health(app: Flask) -> str:
    """'ok', or that the content is stale and why, for /readyz (it never loads content that is not loaded yet)."""
    found = app.extensions["bodymap.content"]["served"]
    if found is None:
        return "not loaded"
    if not found.stale:
        return "ok"
    problems = "; ".join(found.problems[:3]) + (
        f"; and {len(found.problems) - 3} more" if len(found.problems) > 3 else ""
    )
    return f"stale: serving the last good copy (saved {found.saved_at:%Y-%m-%d %H:%M} UTC): {problems}"
