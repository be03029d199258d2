"""Static files under content-hashed names, cached for a year.

`url_for('static', filename='css/bodymap.css')` gives `/static/css/bodymap.3f2a9c1e0b.css`;
a changed file gets a new name, so browsers may keep every name forever. The
plain name still works, revalidated on every use, for the odd direct link.
The files are few and small, so they are read once and served from memory
(and compressed once, by the store of public responses in `caching`).
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort

YEAR = 31536000


@dataclass(frozen=True)
class Asset:
    name: str  # the hashed name
    body: bytes
    mimetype: str


def load(folder: Path) -> dict[str, Asset]:
    """Every file under `folder`, by its path there."""
    assets = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:10]
            name = f"{relative[: -len(path.suffix)]}.{digest}{path.suffix}" if path.suffix else relative
            mimetype = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            assets[relative] = Asset(name, body, "text/javascript" if relative.endswith(".js") else mimetype)
    return assets


def init_app(app: Flask) -> None:
    assets = load(Path(app.static_folder))
    by_hashed_name = {asset.name: asset for asset in assets.values()}

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in assets:
            values["filename"] = assets[values["filename"]].name

    def static(filename: str):
        if filename in by_hashed_name:
            response = Response(by_hashed_name[filename].body, mimetype=by_hashed_name[filename].mimetype)
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            return response
        if filename in assets:  # the plain name: fine, but check with us each time
            response = Response(assets[filename].body, mimetype=assets[filename].mimetype)
            response.cache_control.public = True
            response.cache_control.no_cache = True
            return response
        abort(404)

    app.view_functions["static"] = static
