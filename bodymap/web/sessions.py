"""Only the pages that need a session open one: the staff pages and the callback form.

Everything else (the map, region pages and panels, the embed, static files, health checks)
never reads or writes the session cookie, so its responses carry no Set-Cookie and no
`Vary: Cookie` and a CDN may keep them. Flask-Login still looks at the session on every
request (its remember-cookie hook); on these pages it sees an empty one that is never saved.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSession, SessionInterface

from bodymap.web.languages import DEFAULT, prefix

# The audiences whose pages hold a signed-in member, a CSRF token or a patient's details.
SESSION_BLUEPRINTS = ("staff", "callback")


class Unsaved(SecureCookieSession):
    """The session a page without one sees: empty, and never sent back."""


class SessionsWhereNeeded(SessionInterface):
    """Wraps the app's session interface: paths under the session blueprints' prefixes use it, others never do."""

    def __init__(self, inner: SessionInterface, app: Flask):
        self.inner = inner
        self.app = app
        self._prefixes: tuple[str, ...] | None = None

    def prefixes(self) -> tuple[str, ...]:
        """'/staff', '/callback', '/es/callback': the first path segment of every route of the session blueprints,
        after the language's own segment for a route in another language (`bodymap.web.languages`)."""
        if self._prefixes is None:
            segments = set()
            for rule in self.app.url_map.iter_rules():
                if rule.endpoint.split(".", 1)[0] not in SESSION_BLUEPRINTS:
                    continue
                lang = prefix((rule.defaults or {}).get("lang", DEFAULT))
                path = rule.rule.removeprefix(lang)
                segments.add(lang + "/" + path.lstrip("/").split("/", 1)[0].split("<", 1)[0])
            self._prefixes = tuple(sorted(segments))
        return self._prefixes

    def needs_session(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.prefixes())

    def open_session(self, app, request):
        if self.needs_session(request.path):
            return self.inner.open_session(app, request)
        return Unsaved()

    def save_session(self, app, session, response) -> None:
        if not isinstance(session, Unsaved):
            self.inner.save_session(app, session, response)

    def make_null_session(self, app):
        return self.inner.make_null_session(app)

    def is_null_session(self, obj) -> bool:
        return self.inner.is_null_session(obj)


def init_app(app: Flask) -> None:
    app.session_interface = SessionsWhereNeeded(app.session_interface, app)
