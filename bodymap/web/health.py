"""Health checks for load balancers and orchestrators.

- `GET /healthz`: the process answers (200). It touches nothing else, so a database outage never
  takes every server out of rotation at once.
- `GET /readyz`: the database takes a write (a no-op, rolled back: a locked or read-only SQLite file or a
  PostgreSQL standby is not ready) and the rate-limit store answers, each within 1.5 s (200), else 503 with
  the one that did not named. Each check runs in a thread of its own, at most one at a time
  per dependency, so a hung server costs a waiting check, never a pile of them. Notes follow: lines about
  outside services the pages do without (the scheduler's free times), which never make it 503.

Neither is cached, rate limited or counted, and neither needs the request's Host to be the site's.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from flask import Flask, Response, current_app
from sqlalchemy import text

READY_WITHIN_SECONDS = 1.5  # each check runs at once, in the background: the answer comes within this, whatever hangs
NOTES = "bodymap.ready_notes"  # callables, each giving one line of /readyz that does not decide readiness


class Probe:
    """One dependency's check, run in the background; a check still running is reused, not repeated."""

    def __init__(self, name: str, check):
        self.name = name
        self.check = check
        self.lock = threading.Lock()
        self.running: Future | None = None

    def start(self) -> Future:
        with self.lock:
            if self.running is None or self.running.done():
                future: Future = Future()
                self.running = future
                threading.Thread(target=self._run, args=(future,), name=f"readyz-{self.name}", daemon=True).start()
            return self.running

    def _run(self, future: Future) -> None:
        try:
            future.set_result(bool(self.check()))
        except Exception as error:  # noqa: BLE001 - any failure means the dependency is not usable
            future.set_exception(error)


# A write that changes nothing: refused by a read-only database (a read-only SQLite file, a PostgreSQL standby in
# recovery), and held up by a SQLite database another writer has locked. It is rolled back either way.
WRITE_PROBE = "DELETE FROM alembic_version WHERE 1 = 0"


def _database(app: Flask):
    def check() -> bool:
        with app.extensions["bodymap.engine"].connect() as connection, connection.begin() as transaction:
            connection.execute(text(WRITE_PROBE))
            transaction.rollback()
        return True

    return check


def _rate_limit_store(app: Flask):
    """The shared store the limits are counted in; with limits off there is nothing to reach."""
    return app.extensions["bodymap.rate_limits"].check


def _verdict(future: Future, deadline: float) -> str:
    try:
        return "ok" if future.result(timeout=max(0.0, deadline - time.monotonic())) else "unreachable"
    except TimeoutError:
        return f"no answer within {READY_WITHIN_SECONDS:g} s"
    except Exception as error:  # noqa: BLE001 - reported by name, never raised
        return f"unreachable ({type(error).__name__})"


def _plain(text_body: str, status: int) -> Response:
    response = Response(text_body, status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


def healthz():
    """The process is up and answering."""
    return _plain("ok\n", 200)


def readyz():
    """Ready for patients: the database takes a write and the rate-limit store answers, both within 1.5 s."""
    probes: list[Probe] = current_app.extensions["bodymap.probes"]
    futures = [(probe.name, probe.start()) for probe in probes]
    deadline = time.monotonic() + READY_WITHIN_SECONDS  # the checks run at once: one second in all, at most
    lines, ready = [], True
    for name, future in futures:
        verdict = _verdict(future, deadline)
        ready = ready and verdict == "ok"
        lines.append(f"{name}: {verdict}")
    lines += [note() for note in current_app.extensions.get(NOTES, ())]
    return _plain(("ready" if ready else "not ready") + "\n" + "\n".join(lines) + "\n", 200 if ready else 503)


def add_note(app: Flask, note) -> None:
    """Add a line to /readyz's body that tells, without deciding: `note()` gives it, quickly and never raising."""
    app.extensions.setdefault(NOTES, []).append(note)


def init_app(app: Flask) -> None:
    app.extensions["bodymap.probes"] = [
        Probe("database", _database(app)),
        Probe("rate-limit store", _rate_limit_store(app)),
    ]
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
