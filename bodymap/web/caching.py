"""HTTP caching and compression.

- Pages the same for everyone get an ETag and answer If-None-Match with 304;
  full pages are revalidated each time, panels may be kept for a few minutes.
- Anything with personal data or a CSRF token is `no-store` (set by its view).
- HTML, CSS, JS and SVG go out compressed (brotli or gzip, by Flask-Compress);
  the compressed bytes of shared responses are kept, keyed by their ETag, so
  each is compressed once per process, not once per request.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from bodymap.extensions import compress

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/plain",
    "text/csv",
]
SHARED_CACHE_LIMIT = 2000  # entries; every public page and panel, in each encoding, fits many times over


class SharedCompressedCache:
    """Compressed bodies of responses that are the same for everyone, keyed by encoding and ETag."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return None if key.endswith(";") else self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";") and len(self.data) < SHARED_CACHE_LIMIT:
            self.data[key] = value


def _shared_key(_request) -> str:
    return g.get("shared_etag", "")


def tag_shared_responses(response: Response) -> Response:
    """ETags for successful GETs that no view marked private; 304 when the browser has them already."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.cache_control.no_store
        or response.direct_passthrough
    ):
        return response
    response.add_etag()
    g.shared_etag = response.get_etag()[0]
    if not response.cache_control.max_age and not response.cache_control.no_cache:
        response.cache_control.no_cache = True  # revalidate each time: cheap with the ETag
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", SharedCompressedCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", _shared_key)
    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it: the ETag is set on the uncompressed body.
    app.after_request(tag_shared_responses)
