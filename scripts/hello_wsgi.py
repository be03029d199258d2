"""The benchmark's baseline: the least a WSGI app can do, served by gunicorn like bodymap."""


def app(environ, start_response):
    body = b"Hello, world!\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
