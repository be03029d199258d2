"""Throughput against a bare Flask "hello" under the same gunicorn, in the same run, measured with wrk.

Usage: make bench  (or: .venv/bin/python scripts/bench.py [--seconds N])

Every server is gunicorn with the flags in GUNICORN_FLAGS on 127.0.0.1: production's gunicorn.conf.py (2 workers of 8
threads each, JSON log lines), so the hellos and bodymap run as a clinic runs bodymap; the run prints the settings as
gunicorn reads them:
- a plain WSGI hello world (scripts/hello_wsgi.py) and a bare Flask hello (scripts/hello_flask.py),
  each started by its own module path; each says which app it is in its body, and the benchmark
  checks that before measuring;
- bodymap with the production defaults (rate limits on, view counting on, PUBLIC_URL set);
- bodymap with its database hung: DATABASE_URL points at a loopback server that accepts
  connections and never answers, so any page that waited on the database would show it here;
- bodymap with rate limits off, for the callback POST only (every POST comes from one address).

wrk runs 16 connections for a bounded time per measurement. Each case is measured in several
rounds spread over the run, and the Flask hello before and after each measurement; a case's
ratio is to the mean of those two, and the table shows the median over the rounds (and the
lowest), so a burst of load on the machine moves both sides alike. The p99 shown is the median
of the rounds' p99s. The script exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from pathlib import Path

from loopback import BIN, GUNICORN_FLAGS, ROOT, Gunicorn, Result, free_port, gunicorn_settings, wrk

SCRIPTS = ROOT / "scripts"
P99_TARGET_MS = 20.0
# Ratios to the Flask hello's requests per second, and p99s other than P99_TARGET_MS.
TARGETS = {"region panel": 1.3, "region page": 0.8, "home page": 1.3, "static asset": 0.9, "callback POST": 0.25}
P99_TARGETS = {"callback POST": 50.0}
HELLO_WSGI = "hello from a plain WSGI function\n"
HELLO_FLASK = "hello from a bare Flask app\n"
POST_SCHEMA = f"bench_post_{os.getpid()}"


def start_hello(label: str, module: str, body: str) -> Gunicorn:
    """A hello server, checked to be that hello app (its body) and not bodymap (no bodymap headers)."""
    server = Gunicorn(label, f"{module}:app", SCRIPTS)
    status, headers, text = server.get("/")
    if status != 200 or text != body or "Content-Security-Policy" in headers:
        server.stop()
        raise RuntimeError(f"{label} is not the hello app it should be: {status} {text[:80]!r}")
    server.answer = f"GET / answers {text.strip()!r}, no bodymap headers"
    return server


def start_bodymap(label: str, folder: Path, database_url: str, migrate: bool = True, **env: str) -> Gunicorn:
    """bodymap with the production defaults, on a database of its own; `env` changes what a case needs."""
    port = free_port()
    environment = {
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        **env,
    }
    if migrate:
        subprocess.run(
            [str(BIN / "flask"), "--app", "bodymap", "db", "upgrade"],
            env={**os.environ, **environment},
            check=True,
            capture_output=True,
            timeout=120,
            cwd=ROOT,
        )
    server = Gunicorn(label, "bodymap:create_app()", ROOT, environment, port)
    status, headers, text = server.get("/")
    if status != 200 or "Content-Security-Policy" not in headers or "<html" not in text:
        server.stop()
        raise RuntimeError(f"{label} does not serve bodymap's home page")
    server.answer = f"GET / answers bodymap's home page ({len(text)} bytes, with its Content-Security-Policy)"
    return server


class HungDatabase:
    """A loopback TCP server that accepts every connection and never says a word."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


POST_SCRIPT = """
-- Each request is a new callback request: its own submission key (a run's keys never repeat another's: a key sent
-- again is answered as a retry, which is not what this measures), one session's token.
local urandom = io.open("/dev/urandom", "rb")
local a, b = urandom:read(2):byte(1, 2)
urandom:close()
local run = a * 256 + b
local thread_number = 0
function setup(thread)
  thread_number = thread_number + 1
  thread:set("id", run * 0x10000 + thread_number)
end
local counter = 0
function request()
  counter = counter + 1
  local key = string.format("%08x-0000-4000-8000-%012x", id, counter)
  return wrk.format("POST", nil, nil, "csrf_token=TOKEN&submission_key=" .. key ..
    "&name=Bench+Mark&phone=%28503%29+555-0142&preferred_time=any&areas-0-region=knee&areas-0-side=left&areas-0-pain=&note=&consent=y")
end
"""


def callback_session(server: Gunicorn) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser holding the form would have."""
    with urllib.request.urlopen(server.base + "/callback", timeout=10) as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()).group(1)
    return cookie, token


def static_path() -> str:
    """The stylesheet's hashed address, as the home page links it."""
    sys.path.insert(0, str(ROOT))
    from bodymap.web.assets import load

    return "/static/" + load(ROOT / "static")["css/bodymap.css"].name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="how long each measurement runs (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each case (default 3)")
    parser.add_argument("--desk-seconds", type=int, default=3, help="how long each desk page runs (default 3)")
    parser.add_argument("--public-only", action="store_true", help="leave out the desk (seeding takes minutes)")
    parser.add_argument("--desk-only", action="store_true", help="the desk alone")
    args = parser.parse_args()
    import bench_desk  # beside this script (the desk section), once run as one

    if args.desk_only:
        with tempfile.TemporaryDirectory() as temporary:
            return finish(bench_desk.report(*bench_desk.run(args.desk_seconds, Path(temporary))))

    if shutil.which("wrk") is None:
        print("wrk is not installed: run 'make bench', or apt-get install wrk", file=sys.stderr)
        return 1
    browser = {"Accept-Encoding": "br, gzip"}
    htmx = {**browser, "HX-Request": "true"}
    pages = [
        ("home page", "/", browser),
        ("region page", "/pain/knee?side=left", browser),
        ("region panel", "/pain/knee/panel?side=left", htmx),
        ("static asset", static_path(), browser),
    ]
    servers: list[Gunicorn] = []
    hung = HungDatabase()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        try:
            wsgi = start_hello("hello WSGI", "hello_wsgi", HELLO_WSGI)
            servers.append(wsgi)
            flask = start_hello("hello Flask", "hello_flask", HELLO_FLASK)
            servers.append(flask)
            (folder / "production").mkdir()
            production = start_bodymap("bodymap", folder / "production", f"sqlite:///{folder}/production/bench.sqlite3")
            servers.append(production)
            (folder / "hung").mkdir()
            hung_url = f"postgresql://bench@127.0.0.1:{hung.port}/x"
            stalled = start_bodymap("bodymap, database hung", folder / "hung", hung_url, migrate=False)
            servers.append(stalled)
            (folder / "unlimited").mkdir()
            unlimited = start_bodymap(
                "bodymap, rate limits off",
                folder / "unlimited",
                f"sqlite:///{folder}/unlimited/bench.sqlite3",
                RATELIMIT_ENABLED="false",
            )
            servers.append(unlimited)
            bench_desk.postgres_schema("DROP", POST_SCHEMA)
            bench_desk.postgres_schema("CREATE", POST_SCHEMA)
            (folder / "unlimited-postgresql").mkdir()
            unlimited_pg = start_bodymap(
                "bodymap, rate limits off, PostgreSQL",
                folder / "unlimited-postgresql",
                f"{bench_desk.POSTGRES}?options=-csearch_path%3D{POST_SCHEMA}",
                RATELIMIT_ENABLED="false",
            )
            servers.append(unlimited_pg)
            print(f"gunicorn {' '.join(GUNICORN_FLAGS)}: {gunicorn_settings()}\n")
            for server in servers:
                print(f"{server.label:26} gunicorn {' '.join(GUNICORN_FLAGS)} {server.app}  ({server.base})")
                print(f"{'':26} {server.answer}")
            print()

            cases = [(name, production, path, headers, None) for name, path, headers in pages]
            cases += [(f"{name}, database hung", stalled, path, headers, None) for name, path, headers in pages]
            for label, server in (("SQLite", unlimited), ("PostgreSQL", unlimited_pg)):
                cookie, token = callback_session(server)
                script = folder / f"post-{label}.lua"
                script.write_text(POST_SCRIPT.replace("TOKEN", urllib.parse.quote(token)))
                post_headers = {**htmx, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
                name = f"callback POST, {label} (rate limits off)"
                cases += [(name, server, "/callback", post_headers, str(script))]
            cases.insert(0, ("hello WSGI", wsgi, "/", {}, None))

            for name, server, path, headers, lua in [("hello Flask", flask, "/", {}, None), *cases]:
                wrk(name, server, path, 1, headers, lua)  # warm up: first requests render and compress
            baselines = [wrk("hello Flask", flask, "/", args.seconds, {})]
            measured: dict[str, list[tuple[Result, float]]] = {name: [] for name, *_ in cases}
            for _ in range(args.rounds):
                for name, server, path, headers, lua in cases:
                    result = wrk(name, server, path, args.seconds, headers, lua)
                    baselines.append(wrk("hello Flask", flask, "/", args.seconds, {}))
                    around = (baselines[-2].requests_per_second + baselines[-1].requests_per_second) / 2
                    measured[name].append((result, around))
        finally:
            for server in servers:
                server.stop()
            hung.close()
            bench_desk.postgres_schema("DROP", POST_SCHEMA)
        missed = report(baselines, measured)
        if not args.public_only:
            missed += bench_desk.report(*bench_desk.run(args.desk_seconds, folder / "desk"))
    return finish(missed)


def finish(missed: list[str]) -> int:
    """Say which targets were missed; 1 if any."""
    print()
    for failure in missed:
        print("MISSED:", failure)
    print("all targets met" if not missed else f"{len(missed)} targets missed")
    return 1 if missed else 0


def report(baselines: list[Result], measured: dict[str, list[tuple[Result, float]]]) -> list[str]:
    """The table: per case, the median over rounds of its ratio to the Flask hello measured around it, and of its
    p99, and the server that answered it; the targets missed."""
    failures = []
    rates = [b.requests_per_second for b in baselines]
    p99s = sorted(b.p99_ms for b in baselines)
    print(
        f"\nhello Flask, measured {len(baselines)} times around the cases: {min(rates):.0f} to {max(rates):.0f} req/s,"
        f" p99 median {statistics.median(p99s):.2f} ms\n"
    )
    print(
        f"{'case':42} {'req/s':>6} {'hello':>6} {'ratio':>6} {'(lowest)':>8} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'errors':>6}  target"
    )
    for name, rounds in measured.items():
        ratios = [result.requests_per_second / around for result, around in rounds]
        ratio = statistics.median(ratios)
        rate = statistics.median(result.requests_per_second for result, _ in rounds)
        hello = statistics.median(around for _, around in rounds)
        p50 = statistics.median(result.p50_ms for result, _ in rounds)
        p99 = statistics.median(result.p99_ms for result, _ in rounds)
        errors = sum(result.errors for result, _ in rounds)
        target = next((t for case, t in TARGETS.items() if name.startswith(case)), None)
        p99_target = next((t for case, t in P99_TARGETS.items() if name.startswith(case)), P99_TARGET_MS)
        verdict = ""
        if target is not None:
            met = ratio >= target and p99 < p99_target and not errors
            verdict = f">= {target:.2f}x, p99 < {p99_target:.0f} ms: {'met' if met else 'MISSED'}"
            if ratio < target:
                failures.append(f"{name}: {ratio:.2f}x the Flask hello, target {target:.2f}x")
            if p99 >= p99_target:
                failures.append(f"{name}: p99 {p99:.1f} ms, target under {p99_target:.0f} ms")
        if errors:
            failures.append(f"{name}: {errors} errors")
        print(
            f"{name:42} {rate:6.0f} {hello:6.0f} {ratio:5.2f}x {min(ratios):7.2f}x {p50:7.2f} {p99:7.2f}"
            f" {errors:6d}  {verdict}  [{rounds[0][0].server}]"
        )
    return failures


if __name__ == "__main__":
    sys.exit(main())
