"""The benchmark's first baseline: the least a WSGI app can do, served by gunicorn like bodymap.

Its body names it, so the benchmark can check which app a server really runs.
"""

BODY = b"hello from a plain WSGI function\n"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
