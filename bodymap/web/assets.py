"""Static files under content-hashed names, cached for a year.

`url_for('static', filename='css/bodymap.css')` gives `/static/css/bodymap.3f2a9c1e0b.css`;
a changed file gets a new name, so browsers may keep every name forever. The
plain name still works, revalidated on every use, for the odd direct link.
The files are few and small, so they are read once and served from memory
(and compressed once, by the store of public responses in `caching`).

The clinic's own images (its logo) may live outside the code, in CLINIC_ASSETS_PATH: its .svg and .png files are
served the same way under `/clinic-assets/`, and `logo_url` gives the logo's address wherever it lives.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, url_for

YEAR = 31536000


@dataclass(frozen=True)
class Asset:
    name: str  # the hashed name
    body: bytes
    mimetype: str


CLINIC_TYPES = (".svg", ".png")  # what the clinic's folder may serve: its logo's kinds, nothing else in that folder


def load(folder: Path, suffixes: tuple[str, ...] | None = None) -> dict[str, Asset]:
    """Every file under `folder` (with one of `suffixes`, when given), by its path there."""
    assets = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (suffixes is None or path.suffix.lower() in suffixes):
            relative = path.relative_to(folder).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:10]
            name = f"{relative[: -len(path.suffix)]}.{digest}{path.suffix}" if path.suffix else relative
            mimetype = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            assets[relative] = Asset(name, body, "text/javascript" if relative.endswith(".js") else mimetype)
    return assets


def _server(assets: dict[str, Asset]):
    """A view serving `assets` under their hashed names (a year) and their plain names (revalidated)."""
    by_hashed_name = {asset.name: asset for asset in assets.values()}

    def serve(filename: str):
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

    return serve


def init_app(app: Flask) -> None:
    served = {"static": load(Path(app.static_folder))}
    if app.config.get("CLINIC_ASSETS_PATH"):
        served["clinic_asset"] = load(Path(app.config["CLINIC_ASSETS_PATH"]), CLINIC_TYPES)
        app.add_url_rule("/clinic-assets/<path:filename>", "clinic_asset", _server(served["clinic_asset"]))

    @app.url_defaults
    def hashed_names(endpoint: str, values: dict) -> None:
        if endpoint in served and values.get("filename") in served[endpoint]:
            values["filename"] = served[endpoint][values["filename"]].name

    app.view_functions["static"] = _server(served["static"])

    def logo_url(logo) -> str:
        """The clinic's logo: from CLINIC_ASSETS_PATH when it is set, else from static/."""
        endpoint = "clinic_asset" if "clinic_asset" in served else "static"
        return url_for(endpoint, filename=logo.path)

    app.jinja_env.globals["logo_url"] = logo_url
