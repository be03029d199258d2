"""gunicorn's settings for bodymap in production: `gunicorn --config gunicorn.conf.py 'bodymap:create_app()'`.

Each worker runs a few threads (gthread), so one request waiting on a slow database never holds the others, and
`/healthz` answers while it waits; the app bounds every wait on the database itself (bodymap/data/engine.py), far
inside gunicorn's own timeout, so no worker is killed for one. Override any of these on the command line.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "8"))  # requests waiting on the database leave room for the rest
timeout = 30  # a worker silent this long is restarted; no request of ours waits anywhere near it
graceful_timeout = 30
keepalive = 5
