"""The desk section of `make bench`: the staff pages over six years' worth of rows, on SQLite and on PostgreSQL.

Each database is migrated and seeded (`flask --app bodymap seed --requests 10000 --audit-events 1000000 --view-days
730`, timed), an admin account is added, and bodymap is served by the same gunicorn flags as the rest of the
benchmark. wrk then asks each page with one connection per worker (2), so the latency it reports is the server's
time for the page, not time spent waiting in a queue behind other connections; the targets are p99 under 50 ms for
every page and under 200 ms for insights. The audit CSV of every row is downloaded once while the worker's memory
(RSS) is read before and after: streaming keeps its growth under 50 MB. Last, `flask callbacks purge` runs with the
audit trail kept one day (so nearly the whole million has expired) while a page is asked every 50 ms: no batch may
hold its transaction 1 s or more (the command says how long its longest did), and the page keeps answering.
"""

from __future__ import annotations

import http.cookiejar
import math
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loopback import BIN, GUNICORN_FLAGS, ROOT, Gunicorn, free_port, gunicorn_settings, wrk

PAGE_TARGET_MS = 50.0
INSIGHTS_TARGET_MS = 200.0
CSV_GROWTH_LIMIT_MB = 50.0
PURGE_LIMIT_MS = 1000.0  # the longest a purge batch may hold its transaction, and a page may take meanwhile
ADMIN = "bench-admin@bench.example"
PASSWORD = "quartz heron violet compass"
SEED = ["--requests", "10000", "--audit-events", "1000000", "--view-days", "730"]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pages(newest: int) -> list[tuple[str, str, float]]:
    """(name, path, p99 target in ms) for each page measured."""
    queue = [
        ("queue, first page", "/staff/callbacks"),
        ("queue, page 3", "/staff/callbacks?page=3"),
        ("queue, new", "/staff/callbacks?status=new"),
        ("queue, booked", "/staff/callbacks?status=booked"),
        ("queue, in Spanish", "/staff/callbacks?language=es"),
        ("queue, knee, left", "/staff/callbacks?region=knee&side=left"),
        ("queue, by pain score", "/staff/callbacks?sort=score"),
        ("queue rows (poll)", "/staff/callbacks/rows"),
        ("call guide of a request", f"/staff/callbacks/{newest}/guide"),
        ("call guide of a region", "/staff/guide/knee?side=left"),
        ("audit, newest", "/staff/audit"),
        ("audit, one person", "/staff/audit?person=desk-3%40seeded.example"),
        ("audit, one action", "/staff/audit?action=status_changed"),
        ("audit, one request", "/staff/audit?request=5000"),
        ("audit, a month", "/staff/audit?since=2024-01-01&until=2024-01-31"),
        ("accounts", "/staff/accounts"),
    ]
    found = [(name, path, PAGE_TARGET_MS) for name, path in queue]
    found += [(f"insights, {days} days", f"/staff/insights?days={days}", INSIGHTS_TARGET_MS) for days in (7, 30, 90)]
    return found


def _flask(environment: dict[str, str], *args: str, input: str | None = None, timeout: int = 600) -> str:

    done = subprocess.run(
        [str(BIN / "flask"), "--app", "bodymap", *args],
        env={**os.environ, **environment},
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def postgres_schema(statement: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(text(f"{statement} SCHEMA {'IF EXISTS ' if statement == 'DROP' else ''}{schema}"
                                + (" CASCADE" if statement == "DROP" else "")))  # fmt: skip
    engine.dispose()


def signed_in(base: str) -> str:
    """The session cookie of the admin, signed in through the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/staff/login", timeout=10) as response:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": ADMIN, "password": PASSWORD}).encode()
    with opener.open(base + "/staff/login", data=form, timeout=10) as response:
        if "/staff/login" in response.url:
            raise RuntimeError("the benchmark's admin could not sign in")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def worker_rss_mb(server) -> dict[int, float]:
    """Each gunicorn worker's resident memory, in MB."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    found = {}
    for pid in map(int, children):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                found[pid] = int(line.split()[1]) / 1024
    return found


def csv_growth(server, cookie: str) -> tuple[float, int]:
    """How much the workers' memory grew (MB, the most either grew) while the whole audit CSV downloaded; its lines."""
    before = worker_rss_mb(server)
    request = urllib.request.Request(server.base + "/staff/audit.csv", headers={"Cookie": cookie})
    lines = 0
    peak = dict(before)
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(1 << 20):
            lines += chunk.count(b"\n")
            for pid, rss in worker_rss_mb(server).items():
                peak[pid] = max(peak.get(pid, 0.0), rss)
    return max(peak[pid] - before.get(pid, peak[pid]) for pid in peak), lines


@dataclass(frozen=True)
class Measured:
    """One figure held against a limit, beside wrk's results: megabytes grown, milliseconds taken."""

    value: float
    unit: str


def purge_while_serving(server, environment: dict[str, str], cookie: str) -> tuple[float, float, int, str]:
    """`callbacks purge` with the audit trail kept one day, while a page is asked every 50 ms: the longest batch's
    transaction (ms, as the command says), the slowest answer meanwhile (ms), answers not 200, what it said."""
    answers: list[tuple[float, int]] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                request = urllib.request.Request(server.base + "/staff/accounts", headers={"Cookie": cookie})
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            answers.append(((time.perf_counter() - started) * 1000, status))
            stop.wait(0.05)

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        said = _flask({**environment, "AUDIT_RETENTION_DAYS": "1"}, "callbacks", "purge").strip()
    finally:
        stop.set()
        asker.join()
    longest = re.search(r"the longest held its transaction ([\d.]+) ms", said)
    slowest = max((took for took, _ in answers), default=0.0)
    return float(longest.group(1)) if longest else math.inf, slowest, sum(s != 200 for _, s in answers), said


def run(seconds: int, folder: Path) -> tuple[list[tuple[str, str, float, object]], list[str]]:
    """Every database's desk pages measured: (database, page, target, wrk result); and the lines to print first."""

    results, notes = [], []
    schema = f"bench_desk_{os.getpid()}"
    databases = {
        "SQLite": f"sqlite:///{folder}/desk.sqlite3",
        "PostgreSQL": f"{POSTGRES}?options=-csearch_path%3D{schema}",
    }
    postgres_schema("DROP", schema)
    postgres_schema("CREATE", schema)
    notes.append(f"gunicorn {' '.join(GUNICORN_FLAGS)}: {gunicorn_settings()}")
    try:
        for label, url in databases.items():
            (folder / label).mkdir(parents=True)
            environment = {"INSTANCE_PATH": str(folder / label), "DATABASE_URL": url, "SECRET_KEY": "benchmark"}
            _flask(environment, "db", "upgrade")
            started = time.monotonic()
            said = _flask(environment, "seed", *SEED).strip()
            notes.append(f"{label}: seed {' '.join(SEED)}: {time.monotonic() - started:.1f} s ({said})")
            _flask(environment, "staff", "add", "--role", "admin", ADMIN, input=PASSWORD + "\n")
            port = free_port()
            environment |= {"PUBLIC_URL": f"http://127.0.0.1:{port}", "SESSION_COOKIE_SECURE": "false"}
            server = Gunicorn(f"bodymap desk, {label}", "bodymap:create_app()", ROOT, environment, port)
            try:
                cookie = signed_in(server.base)
                notes.append(f"{server.label}: gunicorn {server.app} ({server.base}), signed in as {ADMIN}")
                queue = _page(server, "/staff/callbacks", cookie)
                newest = int(re.search(r"/staff/callbacks/(\d+)/guide", queue).group(1))
                for name, path, target in pages(newest):
                    wrk(name, server, path, 1, {"Cookie": cookie}, connections=2)  # warm up
                    result = wrk(name, server, path, seconds, {"Cookie": cookie}, connections=2)
                    results.append((label, name, target, result))
                growth, lines = csv_growth(server, cookie)
                notes.append(f"{label}: audit CSV of {lines - 1} rows streamed")
                results.append((label, "audit CSV: memory grown", CSV_GROWTH_LIMIT_MB, Measured(growth, "MB")))
                longest, slowest, refused, said = purge_while_serving(server, environment, cookie)
                notes.append(f"{label}: callbacks purge: {' '.join(said.split())}")
                results.append((label, "purge: longest batch", PURGE_LIMIT_MS, Measured(longest, "ms")))
                slowest_page = Measured(slowest, "ms" if not refused else f"ms, {refused} answers not 200")
                results.append((label, "purge: a page meanwhile", PURGE_LIMIT_MS, slowest_page))
            finally:
                server.stop()
    finally:
        postgres_schema("DROP", schema)
    return results, notes


def _page(server, path: str, cookie: str) -> str:
    request = urllib.request.Request(server.base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def report(results, notes) -> list[str]:
    """Print the desk's table; the targets missed."""
    print("\nThe desk, seeded (2 connections: one per worker, so latency is the server's time)\n")
    for note in notes:
        print(note)
    print(f"\n{'database':11} {'page':28} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  target")
    missed = []
    for label, name, target, result in results:
        if isinstance(result, Measured):
            met = result.value < target and result.unit in ("MB", "ms")
            print(f"{label:11} {name:28} {'':>6} {'':>7} {result.value:7.1f} {'':>6}  under {target:.0f} "
                  f"{result.unit}: {'met' if met else 'MISSED'}")  # fmt: skip
            if not met:
                missed.append(f"{label}: {name}: {result.value:.1f} {result.unit}, limit {target:.0f}")
            continue
        met = result.requests_per_second > 0 and result.p99_ms < target and not result.errors  # none: missed
        print(
            f"{label:11} {name:28} {result.requests_per_second:6.0f} {result.p50_ms:7.2f} {result.p99_ms:7.2f}"
            f" {result.errors:6d}  p99 < {target:.0f} ms: {'met' if met else 'MISSED'}"
        )
        if not met:
            missed.append(f"{label}: {name}: p99 {result.p99_ms:.1f} ms, target under {target:.0f} ms")
    return missed
