"""The clinic's content: `data/regions.yaml` (or $CONTENT_PATH), loaded once at start-up and shared read-only.

`model` says what the file must hold, `loader` reads it and names every problem with its file and
line, and `drawing` is the body the circles are drawn on.
"""

from __future__ import annotations

from flask import Flask

from bodymap.content.loader import ContentError, configured_path, load
from bodymap.content.model import Clinic, Content, Marker, OpeningHours, Region, Source, Sourced, Treatment

__all__ = [
    "Clinic",
    "Content",
    "ContentError",
    "Marker",
    "OpeningHours",
    "Region",
    "Source",
    "Sourced",
    "Treatment",
    "configured_path",
    "get",
    "init_app",
    "load",
]


def init_app(app: Flask) -> None:
    """Load the content once; an invalid file stops the app from starting."""
    loaded = load(app.config["CONTENT_PATH"])
    app.extensions["bodymap.content"] = loaded
    app.context_processor(lambda: {"content": loaded, "clinic": loaded.clinic})


def get(app: Flask) -> Content:
    """The content the app loaded at start-up."""
    return app.extensions["bodymap.content"]
