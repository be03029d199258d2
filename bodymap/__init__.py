"""bodymap: a physical-therapy clinic's "Where's your pain?" web app.

`create_app` puts the house together in one order: settings, the content, the data layer,
the extensions, the web plumbing, the sign-offs, then one blueprint per audience, the commands, and what the
operator sees (logs, metrics, errors).
"""

from __future__ import annotations

import click
from flask import Flask
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from bodymap import booking, cli, content, data, operations, resources, review, settings, web
from bodymap.callback import bp as callback_bp
from bodymap.content import drawing
from bodymap.embed import bp as embed_bp
from bodymap.extensions import babel, csrf, login_manager
from bodymap.public import bp as public_bp
from bodymap.settings import StartupError
from bodymap.staff import bp as staff_bp
from bodymap.web import languages


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Refuses to start when a setting is invalid, or when the content file is and no copy of the last
    good content is kept; a `flask` command that needs no content runs without it (see `cli.for_a_command`).

    A `flask` command says what is wrong as an error, without a traceback (exit 1); so does gunicorn (StartupError).
    """
    try:
        return _build(test_config, serving=not cli.for_a_command())
    except StartupError as error:
        if cli.in_a_command():
            raise click.ClickException(str(error)) from None
        raise


def _build(test_config: dict | None, serving: bool) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(resources.TEMPLATES),
        static_folder=str(resources.STATIC),
        instance_path=settings.instance_path(),
    )
    settings.instance_folder(app.instance_path)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    settings.private_sqlite_file(app.config["DATABASE_URL"])

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    content.init_app(app, required=serving)
    drawings = drawing.load_views(app.static_folder)
    app.context_processor(lambda: {"drawings": drawings, "drawing": drawing})
    data.init_app(app)

    csrf.init_app(app)
    babel.init_app(app, locale_selector=languages.current, default_translation_directories="translations")
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks read as one line, as babel.cfg extracts them
    login_manager.init_app(app)
    web.init_app(app)
    review.init_app(app, serving=serving)
    booking.init_app(app)  # the scheduler's free times, when the content names a scheduler

    for blueprint in (public_bp, callback_bp, embed_bp, staff_bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    operations.init_app(app)  # logs, errors, metrics, and the access layer outside everything but ProxyFix

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
