"""Where the app's own files are: its templates, static files, the shipped content, the migrations and the catalogs.

In a checkout they sit beside the package, in the layout the design card fixes (`templates/`, `static/`, `data/`,
`migrations/`); an installed wheel carries them inside the package, under `bodymap/bundled/` (see pyproject.toml).
Every part of the app asks here, so it runs the same from either.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "bundled"
INSTALLED = BUNDLED.is_dir()  # an installed wheel, not a checkout


def _folder(name: str) -> Path:
    """`name` inside an installed package, else beside the package in a checkout."""
    inside = BUNDLED / name
    return inside if inside.is_dir() else PACKAGE.parent / name


TEMPLATES = _folder("templates")
STATIC = _folder("static")
MIGRATIONS = _folder("migrations")
SHIPPED_CONTENT = _folder("data") / "regions.yaml"  # the content a clinic starts from: CONTENT_PATH names its own
TRANSLATIONS = PACKAGE / "translations"  # <lang>/LC_MESSAGES/messages.po, compiled to messages.mo
