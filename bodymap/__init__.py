"""bodymap: a physical-therapy clinic's "Where's your pain?" web app."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from bodymap import (
    assets,
    callback,
    config,
    content,
    db,
    drawing,
    embed,
    errors,
    headers,
    http_cache,
    public,
    ratelimit,
    seo,
    staff,
    view_counts,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Refuses to start when the content file or a setting is invalid."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    content.init_app(app)
    outlines = drawing.load_outlines(app.static_folder)
    app.context_processor(lambda: {"outlines": outlines, "drawing": drawing})
    db.init_app(app)
    CSRFProtect(app)
    ratelimit.init_app(app)
    headers.init_app(app)
    http_cache.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(seo.bp)
    callback.init_app(app)
    app.register_blueprint(embed.bp)
    staff.init_app(app)
    view_counts.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
