"""gunicorn's settings for bodymap in production:

    gunicorn --config gunicorn.conf.py 'bodymap:create_app()'

- Workers: $WEB_CONCURRENCY (2 by default), each with $THREADS threads (8; gthread), so a request waiting on a slow
  or hung database holds one thread, never the worker, and /healthz still answers. The app bounds every wait on the
  database itself (bodymap/data/engine.py), far inside gunicorn's own 30 s, so no worker is killed for one. A stop
  waits 30 s for requests under way; an idle keep-alive connection is closed after 5 s.
- Address: 127.0.0.1:$PORT (8000 by default), for a proxy on the same machine; `--bind` on the command line
  overrides it (e.g. `--bind 0.0.0.0:8000` in a container).
- Logs: one JSON object a line on standard error, from the master, the workers and the app alike (LOG_FORMAT=text
  for plain lines). gunicorn's own access log is off, and never even put together (`logger_class`): the app writes
  one line per request, with its request id.
- Memory: a worker that has built the app sets what it read aside from the garbage collector (`post_worker_init`).
- Metrics: every worker writes its counts to PROMETHEUS_MULTIPROC_DIR (a private temporary folder by default),
  emptied at start; /metrics adds them up.

A settings change needs a HUP; new code needs a restart (the master has read the package for the log format).
"""

import gc
import os
import shutil
import tempfile
from pathlib import Path


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


# Before the app (and prometheus_client, which chooses its mode when first imported) is read.
os.environ.setdefault("LOG_FORMAT", "json")
METRICS_PREFIX = "bodymap-metrics-"
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # kept across a HUP, which reads this file again
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=METRICS_PREFIX)
METRICS = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
METRICS.mkdir(mode=0o700, parents=True, exist_ok=True)

from gunicorn.glogging import Logger  # noqa: E402

from bodymap.operations import logs  # noqa: E402 - after the environment above
from bodymap.settings import ConfigError  # noqa: E402


class AppWritesAccessLines(Logger):
    """gunicorn's logger, its error lines as configured; with a logging configuration given, it would gather every
    request's atoms (headers, environ) for an access line that `gunicorn.access` then drops, on every request."""

    @property
    def access_log_enabled(self) -> bool:
        return False

    def access(self, resp, req, environ, request_time) -> None:
        return None


bind = [f"127.0.0.1:{_whole_number('PORT', 8000)}"]
workers = _whole_number("WEB_CONCURRENCY", 2)
worker_class = "gthread"
threads = _whole_number("THREADS", 8)  # requests waiting on the database leave room for the rest
# A worker takes no more connections than it has threads: one whose threads all wait (on a hung database) leaves
# the next connection, a health check say, to a worker that can answer it at once.
worker_connections = threads
timeout = 30
graceful_timeout = 30
# With no connection slot beyond its threads, a worker has none to keep idle: each answer closes its connection
# (the proxy in front opens a new one on loopback). Said here, so gunicorn does not warn at every start.
keepalive = 0
errorlog = "-"
accesslog = None
logger_class = AppWritesAccessLines
try:
    logconfig_dict = logs.gunicorn_config()
except ConfigError as error:
    raise SystemExit(str(error)) from None


def post_worker_init(worker):
    """The worker has built the app: what it has read to serve (the content in every language, the drawings, the
    code; over 100,000 objects) stays as long as the worker, so it is set aside from the garbage collector, whose
    full passes would otherwise walk all of it (about 100 ms) in the middle of some request."""
    gc.collect()
    gc.freeze()


def on_starting(server):
    """A new start counts from nothing: the files of the last run's workers are removed."""
    for path in METRICS.glob("*.db"):
        path.unlink()


def child_exit(server, worker):
    """A worker has gone: its live gauges go with it (its counts stay, so totals never fall)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(METRICS))


def on_exit(server):
    """The folder made for this run is removed; one given in PROMETHEUS_MULTIPROC_DIR is left as it is."""
    if METRICS.name.startswith(METRICS_PREFIX) and METRICS.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(METRICS, ignore_errors=True)
