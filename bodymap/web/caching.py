"""HTTP caching and compression, and the stored responses a patient is served.

- Responses that are the same for everyone say `Cache-Control: public` (pages and panels: a
  short `max-age` for browsers, a longer `s-maxage` for a CDN; hashed static files a year).
  `StoredResponses`, a WSGI middleware in front of Flask, keeps each of them the first time the
  app answers it and serves every later request from memory: the body, its brotli and gzip
  forms (each compressed once, at the highest level, when first asked for), an ETag over this
  build of the app and the body, 304 for If-None-Match, and the headers the app sent. Only the
  view count is done again per request, in memory (see `count_view`).
- A response is kept only if a shared cache could keep it: 200, `public`, no Set-Cookie, and
  varying by nothing but HX-Request and Accept-Encoding; and only as long as a shared cache
  would (its `s-maxage`, else its `max-age`; a response without either is kept while the process
  lives, as pages are). Pages without a session never carry a cookie (see `sessions`).
- Anything with personal data or a CSRF token is `no-store` (set by its view); other responses
  go out compressed by Flask-Compress as usual.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from flask import Flask, Response, current_app, request
from werkzeug.datastructures import Headers, ResponseCacheControl
from werkzeug.http import parse_accept_header, parse_cache_control_header, parse_etags

from bodymap import content, resources
from bodymap.extensions import compress

COMPRESSED_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/plain",
        "text/csv",
    }
)
MIN_COMPRESSED_SIZE = 500  # bytes; smaller bodies gain nothing
BROWSER_MAX_AGE = 300  # a browser may keep a page or panel five minutes
SHARED_MAX_AGE = 3600  # a CDN an hour; purge it when the content changes
STORE_LIMIT = 1000  # responses kept per process; every page, panel and static file fits several times over
ON_SERVE = "bodymap.on_serve"  # hooks a view asks the store to call each time its response is served again
ALLOWED_VARY = frozenset({"hx-request", "accept-encoding"})
ENCODINGS = ("br", "gzip")


def public(response: Response) -> Response:
    """The same for everyone: browsers keep it a few minutes, a CDN (and this process) longer."""
    response.cache_control.public = True
    response.cache_control.max_age = BROWSER_MAX_AGE
    response.cache_control.s_maxage = SHARED_MAX_AGE
    return response


def each_time_served(hook: Callable[[dict], None]) -> None:
    """Call `hook(environ)` now and each time the store serves this response again, without asking the app."""
    hook(request.environ)
    request.environ.setdefault(ON_SERVE, []).append(hook)


def code_version(app: Flask) -> str:
    """A digest of the content served and the app's code, templates and static files: it changes when any of them
    does (content that is not loaded, in a command that needs none, counts as empty)."""
    served = content.served(app) if content.loaded(app) else None
    digest = hashlib.sha256(served.digest.encode() if served else b"")
    for folder in (resources.PACKAGE, Path(app.template_folder), Path(app.static_folder)):
        digest.update(_folder_digest(folder))
    return digest.hexdigest()[:16]


@functools.cache
def _folder_digest(folder: Path) -> bytes:
    """The names and bytes of every file under `folder`, digested once per process: the code, templates and static
    files a process serves are the ones it started with (a new release starts new processes)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.digest()


class Compressed:
    """Compressed bodies by ETag and encoding, shared by every stored response with the same body.

    The first BEST_BODIES bodies (every page, panel and static file fits) get the smallest output;
    later ones, which only odd query strings make, a quick level, so no request can buy much CPU.
    """

    BEST_BODIES = 400
    LIMIT = 4000

    def __init__(self) -> None:
        self.bodies: dict[tuple[str, str], bytes] = {}
        self.best_left = self.BEST_BODIES

    def get(self, tag: str, body: bytes, encoding: str) -> bytes:
        key = (tag, encoding)
        compressed = self.bodies.get(key)
        if compressed is None:
            best = self.best_left > 0
            self.best_left -= 1
            if encoding == "br":
                compressed = brotli.compress(body, quality=11 if best else 5)
            else:
                compressed = gzip.compress(body, compresslevel=9 if best else 6, mtime=0)
            if len(self.bodies) >= self.LIMIT:
                self.bodies.clear()
            self.bodies[key] = compressed
        return compressed


# One per process, whichever app asks: a tag is a digest of the code's version and the body, so the same tag is the
# same bytes, and a process that builds several apps (the tests do) compresses each body once.
COMPRESSED = Compressed()


@dataclass
class Stored:
    """One response as the app gave it, ready to serve in each encoding."""

    headers: list[tuple[str, str]]  # the app's headers, without length, encoding, ETag or Vary
    body: bytes
    tag: str  # ETag without quotes; each encoding adds its name
    vary: str
    compressible: bool
    on_serve: tuple[Callable[[dict], None], ...]
    compressed: Compressed
    expires: float = math.inf  # time.monotonic() when a shared cache would let it go
    variants: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]], bytes]] = field(default_factory=dict)

    def etag(self, encoding: str) -> str:
        """The entity tag (unquoted) of the body in `encoding`: each encoding is its own representation."""
        return f"{self.tag}:{encoding}" if encoding else self.tag

    def variant(self, encoding: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], bytes]:
        """Headers for 200, headers for 304, and the body, in `encoding` ('' for none); built on first use."""
        if encoding not in self.variants:
            body = self.compressed.get(self.tag, self.body, encoding) if encoding else self.body
            etag = f'"{self.etag(encoding)}"'
            common = (
                [*self.headers, ("Vary", self.vary), ("ETag", etag)] if self.vary else [*self.headers, ("ETag", etag)]
            )
            full = [*common, ("Content-Length", str(len(body)))]
            if encoding:
                full.append(("Content-Encoding", encoding))
            not_modified = [(name, value) for name, value in common if name.lower() != "content-type"]
            self.variants[encoding] = (full, not_modified, body)
        return self.variants[encoding]


class StoredResponses:
    """WSGI middleware: what a shared cache may keep is kept here too, and served without Flask."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.version = code_version(app)
        self.entries: dict[tuple, Stored] = {}
        self.generation = 0  # raised by `clear`: a page drawn before it is not kept after it
        self.compressed = COMPRESSED
        self.encodings: dict[str, str] = {}  # Accept-Encoding header: the encoding chosen for it

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or environ.get("bodymap.refused_host"):
            return self.wsgi_app(environ, start_response)
        key = (
            environ["wsgi.url_scheme"],
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_HX_REQUEST") == "true",
        )
        stored = self.entries.get(key)
        if stored is None or stored.expires <= time.monotonic():
            generation = self.generation
            stored, answer = self.ask_app(environ)
            if stored is None:
                return answer(start_response)
            if len(self.entries) >= STORE_LIMIT:
                self.entries.clear()  # odd query strings filled it: start again, the pages come back at once
            if generation == self.generation:  # not drawn from what `clear` was told has changed
                self.entries[key] = stored
        else:
            for hook in stored.on_serve:
                hook(environ)
        return self.serve(stored, environ, start_response)

    def clear(self) -> None:
        """Forget every kept response, as what they say has changed (a sign-off): each is drawn again when asked."""
        self.generation += 1
        self.entries.clear()

    def ask_app(self, environ):
        """The app's answer; kept (and returned as Stored) when a shared cache could keep it.

        Whether it can be kept is read from the status and headers, before the body: a body that cannot be kept (a
        staff page, a CSV export of a million rows) goes out as the app streams it, never gathered in memory here.
        """
        inner = {**environ, "REQUEST_METHOD": "GET"}  # a HEAD is answered from the GET's stored response
        captured: dict = {}
        chunks: list[bytes] = []

        def start(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return chunks.append

        body_iterable = self.wsgi_app(inner, start)
        terms = self.terms(captured["status"], captured["headers"])
        if terms is None:
            return None, functools.partial(self.pass_on, environ, captured, chunks, body_iterable)
        try:
            chunks.extend(body_iterable)
        finally:
            if hasattr(body_iterable, "close"):
                body_iterable.close()
        return self.kept(captured["headers"], b"".join(chunks), tuple(inner.get(ON_SERVE, ())), *terms), None

    @staticmethod
    def pass_on(environ, captured: dict, written: list[bytes], body_iterable, start_response):
        """Send a response the store does not keep as the app gives it (nothing of it for a HEAD)."""
        start_response(captured["status"], captured["headers"])
        if environ["REQUEST_METHOD"] == "HEAD":
            if hasattr(body_iterable, "close"):
                body_iterable.close()
            return []
        if not written:
            return body_iterable
        return _after(written, body_iterable)  # what the app wrote through start_response's write() goes first

    @staticmethod
    def terms(status: str, header_list: list) -> tuple[list[str], float] | None:
        """(Vary, expiry) of a response a shared cache could keep, from its status and headers; None if it can't."""
        headers = Headers(header_list)
        if not status.startswith("200 ") or "Set-Cookie" in headers or "Content-Encoding" in headers:
            return None
        control = parse_cache_control_header(headers.get("Cache-Control"), cls=ResponseCacheControl)
        if not control.public or control.private or control.no_store:
            return None
        lifetime = control.s_maxage if control.s_maxage is not None else control.max_age
        if lifetime is not None and lifetime <= 0:
            return None
        vary = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
        if not {v.lower() for v in vary} <= ALLOWED_VARY:
            return None
        return vary, math.inf if lifetime is None else time.monotonic() + lifetime

    def kept(self, header_list: list, body: bytes, on_serve: tuple, vary: list[str], expires: float) -> Stored:
        """A keepable response, ready to serve."""
        mimetype = Headers(header_list).get("Content-Type", "").split(";", 1)[0].strip()
        compressible = mimetype in COMPRESSED_TYPES and len(body) >= MIN_COMPRESSED_SIZE
        if compressible and "accept-encoding" not in {v.lower() for v in vary}:
            vary.append("Accept-Encoding")
        kept = [(n, v) for n, v in header_list if n.lower() not in ("content-length", "etag", "vary")]
        tag = hashlib.sha256(self.version.encode() + body).hexdigest()[:20]
        return Stored(kept, body, tag, ", ".join(vary), compressible, on_serve, self.compressed, expires=expires)

    def encoding_for(self, accept: str) -> str:
        """br or gzip when the browser takes it (br first when both weigh the same), else ''."""
        chosen = self.encodings.get(accept)
        if chosen is None:
            accepted = parse_accept_header(accept)
            best = max(ENCODINGS, key=lambda e: (accepted[e], -ENCODINGS.index(e)))
            chosen = best if accepted[best] > 0 else ""
            if len(self.encodings) < 100:
                self.encodings[accept] = chosen
        return chosen

    def serve(self, stored: Stored, environ, start_response):
        encoding = self.encoding_for(environ.get("HTTP_ACCEPT_ENCODING", "")) if stored.compressible else ""
        headers, not_modified, body = stored.variant(encoding)
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains_weak(stored.etag(encoding)):
            start_response("304 Not Modified", not_modified)
            return []
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _after(first: list[bytes], body_iterable):
    """`first`, then the body the app streams; the app's iterable is closed at the end, as WSGI asks."""
    try:
        yield from first
        yield from body_iterable
    finally:
        if hasattr(body_iterable, "close"):
            body_iterable.close()


def tag_shared_responses(response: Response) -> Response:
    """Shared responses that are not public (revalidated each time) get an ETag and answer If-None-Match with 304."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.cache_control.no_store
        or response.direct_passthrough
    ):
        return response
    response.add_etag()
    if not response.cache_control.max_age and not response.cache_control.no_cache:
        response.cache_control.no_cache = True  # revalidate each time: cheap with the ETag
    return response.make_conditional(request)


def finish(response: Response) -> Response:
    """Public responses go to the store as they are; the rest get their ETag and compression here."""
    if response.cache_control.public:
        return response
    return compress.after_request(tag_shared_responses(response))


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", sorted(COMPRESSED_TYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config["COMPRESS_REGISTER"] = False  # `finish` calls it, for what the store does not keep
    compress.init_app(app)
    app.after_request(finish)
    app.wsgi_app = StoredResponses(app, app.wsgi_app)


def stored_responses(app: Flask | None = None) -> StoredResponses:
    """The store in front of `app` (for tests and the bench's checks)."""
    wsgi_app = (app or current_app).wsgi_app
    while not isinstance(wsgi_app, StoredResponses):
        wsgi_app = getattr(wsgi_app, "wsgi_app", None) or wsgi_app.app  # our middleware, or ProxyFix
    return wsgi_app
