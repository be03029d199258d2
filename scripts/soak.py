"""Reliability under load and outages: nothing a patient was told is saved may be lost or doubled.

Usage: make soak  (or: .venv/bin/python scripts/soak.py [--requests N] [--connections N])

On loopback only, and never touching the machine's own servers beyond one schema and one key prefix:
- gunicorn with production's gunicorn.conf.py and 4 workers (gthread, 8 threads each) serves the app on
  PostgreSQL (127.0.0.1:5432, database `test`, user `postgres`, in a schema of its own, dropped at the end) with
  rate limits counted in Redis (127.0.0.1:6379, under a key prefix of its own, deleted at the end);
- the app reaches both through loopback TCP proxies this script runs, so it can cut them: a cut drops
  every open connection and refuses new ones for 5 seconds, then lets them through again;
- 64 connections send 10,000 callback requests, 5% of them repeats of one already answered (the same
  form sent again), half as htmx and half as a plain form post, each from its own client address
  (X-Forwarded-For, with TRUSTED_PROXIES=1, as behind a load balancer);
- mid-run, one worker is killed (SIGKILL), the Redis connection is cut for 5 s, then the database's; then the
  database hangs for 5 s (its proxy accepts and passes nothing, as a stuck server or a dead network looks).

A patient whose request fails to arrive (the connection dropped with the killed worker) or who gets the
503 page (the database was cut or hung) sends the same form again after a moment, as a person would. The 503s
are counted apart: each must come while the database is cut or hung (or, after a hang, while the app waits
DATABASE_PAUSE_SECONDS before it asks again), with `Retry-After: 60` and the clinic's phone number. It prints
what was sent, confirmed and stored, and exits 1 if any confirmed request is missing, any row is doubled, any
other 5xx was answered, or gunicorn killed a worker for a timeout. Bounded: the requests stop after 6 minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import queue
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
CUT_SECONDS = 5.0
HANG_SECONDS = 5.0
PAUSE_SECONDS = 10.0  # the app's DATABASE_PAUSE_SECONDS: after a hang, how long it answers 503 without asking
RUN_LIMIT_SECONDS = 360
REPEAT_SHARE = 0.05
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CuttableProxy:
    """A loopback TCP proxy to `upstream`, in a process of its own (so the 64 client threads here never slow
    it), whose connections can be cut for a while."""

    def __init__(self, name: str, upstream: tuple[str, int]):
        self.name = name
        self.port = free_port()
        self.cut_until = multiprocessing.Value("d", 0.0)  # wall-clock time until which connections are refused
        self.cuts = multiprocessing.Value("i", 0)  # raised by each cut: the proxy then drops what is open
        self.hang_until = multiprocessing.Value("d", 0.0)  # wall-clock time until which nothing passes either way
        self.windows: list[tuple[float, float]] = []  # when 503s are expected (monotonic), one per cut or hang
        self.process = multiprocessing.Process(
            target=run_proxy, args=(self.port, upstream, self.cut_until, self.cuts, self.hang_until), daemon=True
        )
        self.process.start()
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                break
            time.sleep(0.05)

    def cut(self, seconds: float) -> None:
        """Drop every open connection and refuse new ones for `seconds`."""
        start = time.monotonic()
        self.windows.append((start, start + seconds))
        self.cut_until.value = time.time() + seconds
        with self.cuts.get_lock():
            self.cuts.value += 1

    def hang(self, seconds: float, pause: float) -> None:
        """Accept connections and pass nothing, either way, for `seconds`; the app then waits `pause` to ask again."""
        start = time.monotonic()
        self.windows.append((start, start + seconds + pause))
        self.hang_until.value = time.time() + seconds

    def close(self) -> None:
        self.process.terminate()
        self.process.join(5)


def run_proxy(port: int, upstream: tuple[str, int], cut_until, cuts, hang_until) -> None:
    """The proxy's process: a thread per direction of each connection, and one that drops them all at a cut; while
    hung, nothing is read or passed, and a new connection is accepted and left waiting."""
    listener = socket.create_server(("127.0.0.1", port))
    open_sockets: set[socket.socket] = set()
    lock = threading.Lock()

    def reset(sock: socket.socket) -> None:
        """Close with a reset, as a dead server or a cut cable looks to the app (the shutdown wakes its pump)."""
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def hung() -> None:
        while time.time() < hang_until.value:
            time.sleep(0.02)

    def pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                hung()
                data = source.recv(65536)
                if not data:
                    break
                hung()
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with lock:
                    open_sockets.discard(sock)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def watch_for_cuts() -> None:
        seen = cuts.value
        while True:
            time.sleep(0.02)
            if cuts.value != seen:
                seen = cuts.value
                with lock:
                    victims = list(open_sockets)
                    open_sockets.clear()
                for sock in victims:
                    reset(sock)

    def connect(client: socket.socket) -> None:
        hung()  # accepted, and then nothing happens until the hang is over
        try:
            server = socket.create_connection(upstream, timeout=5)
        except OSError:
            reset(client)
            return
        server.settimeout(None)
        with lock:
            open_sockets.update((client, server))
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=pump, args=(source, target), daemon=True).start()

    threading.Thread(target=watch_for_cuts, daemon=True).start()
    while True:
        client, _ = listener.accept()
        if time.time() < cut_until.value:
            reset(client)
            continue
        threading.Thread(target=connect, args=(client,), daemon=True).start()


class Tally:
    """Counts shared by every connection."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = self.new = self.repeats = self.posts = 0
        self.confirmed: dict[str, str] = {}  # submission key -> name
        self.retried_after_drop = 0
        self.planned_503 = 0
        self.unplanned_503 = 0
        self.bad_503_page = 0
        self.other_5xx = 0
        self.refused: dict[int, int] = {}
        self.drops: dict[str, int] = {}
        self.unconfirmed = 0
        self.done = 0

    def add(self, field: str, amount: int = 1) -> None:
        with self.lock:
            setattr(self, field, getattr(self, field) + amount)


class Patient:
    """One connection's worth of patients: a session (cookie and CSRF token), then posts."""

    def __init__(self, port: int, tally: Tally, database: CuttableProxy):
        self.port = port
        self.tally = tally
        self.database = database
        self.cookie, self.token = self._open_form()

    def _request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def _open_form(self) -> tuple[str, str]:
        for _ in range(20):
            try:
                status, headers, body = self._request("GET", "/callback")
            except OSError:
                time.sleep(0.5)
                continue
            match = TOKEN.search(body)
            if status == 200 and match:
                return headers["Set-Cookie"].split(";", 1)[0], match[1] or match[2]
            time.sleep(0.5)
        raise RuntimeError("the callback form never loaded")

    def send(self, job: dict) -> None:
        """Post one callback request until it is confirmed (or the run runs out of time)."""
        form = {
            "csrf_token": self.token,
            "submission_key": job["key"],
            "name": job["name"],
            "phone": job["phone"],
            "preferred_time": "morning",
            "areas-0-region": "knee",
            "areas-0-side": "left",
            "areas-0-pain": "4",
            "note": "Soak test",
            "consent": "y",
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": self.cookie,
            "X-Forwarded-For": job["address"],
        }
        if job["htmx"]:
            headers["HX-Request"] = "true"
        body = urllib.parse.urlencode(form).encode()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.tally.add("posts")
            try:
                status, answer_headers, page = self._request("POST", "/callback", body, headers)
            except OSError as error:  # the worker died mid-request: send the same form again
                self.tally.add("retried_after_drop")
                with self.tally.lock:
                    self.tally.drops[type(error).__name__] = self.tally.drops.get(type(error).__name__, 0) + 1
                time.sleep(0.2)
                continue
            if status in (201, 303):
                with self.tally.lock:
                    self.tally.confirmed[job["key"]] = job["name"]
                return
            if status == 503:
                self._check_503(answer_headers, page)
                time.sleep(0.5)
                continue
            if status >= 500:
                self.tally.add("other_5xx")
                time.sleep(0.2)
                continue
            with self.tally.lock:
                self.tally.refused[status] = self.tally.refused.get(status, 0) + 1
            return
        self.tally.add("unconfirmed")

    def _check_503(self, headers: dict, page: str) -> None:
        now = time.monotonic()
        # A request that started just before an outage may be answered just after it: 4 s of grace either side.
        during = any(start - 4 <= now <= end + 4 for start, end in self.database.windows)
        self.tally.add("planned_503" if during else "unplanned_503")
        if headers.get("Retry-After") != "60" or 'href="tel:' not in page:
            self.tally.add("bad_503_page")


def worker_pids(master: int) -> list[int]:
    result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in result.stdout.split()]


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped at start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn never started listening")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()

    run = f"soak_{os.getpid()}"
    server_url = f"postgresql://postgres@{POSTGRES[0]}:{POSTGRES[1]}/test"
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f"CREATE SCHEMA {run}")
        redis.Redis(*REDIS, socket_connect_timeout=3).ping()
    except (psycopg.Error, redis.RedisError) as error:
        print(f"soak needs PostgreSQL at {POSTGRES} and Redis at {REDIS}: {error}", file=sys.stderr)
        return 2

    database, store = CuttableProxy("database", POSTGRES), CuttableProxy("redis", REDIS)
    port = free_port()
    instance = tempfile.mkdtemp(prefix="bodymap-soak-")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{database.port}/test?options=-csearch_path%3D{run}",
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{store.port}/0",
        "RATELIMIT_KEY_PREFIX": run,
        "SECRET_KEY": f"soak-{uuid.uuid4()}",
        "SESSION_COOKIE_SECURE": "false",
        "TRUSTED_PROXIES": "1",
        "INSTANCE_PATH": instance,
        "VIEW_COUNTING": "false",
    }
    subprocess.run([str(BIN / "flask"), "--app", "bodymap", "db", "upgrade"], env=env, check=True, cwd=ROOT,
                   capture_output=True, timeout=120)  # fmt: skip
    log = open(Path(instance) / "gunicorn.log", "w")  # noqa: SIM115 - open while gunicorn runs
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "error", "bodymap:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    tally = Tally()
    started = time.monotonic()
    try:
        wait_until_serving(port, gunicorn)
        outcome = soak(args, port, gunicorn, database, store, tally)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        database.close()
        store.close()
    rows, distinct_keys, distinct_names, stored_keys = count_rows(server_url, run)
    missing = sum(1 for key in tally.confirmed if key not in stored_keys)
    cleanup(server_url, run)
    elapsed = time.monotonic() - started

    print(f"requests sent: {tally.sent} ({tally.new} new, {tally.repeats} repeats of a request already answered)")
    print(f"  posts, with patients' retries: {tally.posts} ({tally.retried_after_drop} after a dropped connection)")
    if tally.drops:
        print(f"  dropped connections: {tally.drops}")
    print(f"  events: {', '.join(outcome)}")
    print(f"confirmed: {len(tally.confirmed)} distinct requests (never confirmed: {tally.unconfirmed})")
    if tally.refused:
        print(f"  refused: {tally.refused}")
    print(f"rows stored: {rows}")
    print(f"duplicates: {rows - distinct_names} (distinct keys {distinct_keys}, distinct names {distinct_names})")
    print(f"confirmed but missing: {missing}")
    print(f"5xx: {tally.other_5xx + tally.unplanned_503} (any 5xx but the designed 503s of the cut and the hang)")
    print(
        f"  503 while the database was cut or hung, each with Retry-After 60 and the phone number, sent again: "
        f"{tally.planned_503} (pages missing either: {tally.bad_503_page})"
    )
    timeouts = (Path(instance) / "gunicorn.log").read_text().count("WORKER TIMEOUT")
    print(f"gunicorn worker timeouts: {timeouts}")
    print(f"time: {elapsed:.0f} s on {args.connections} connections, 4 gunicorn workers")
    failed = missing or rows != distinct_names or tally.other_5xx or tally.unplanned_503 or tally.bad_503_page
    failed = failed or timeouts or tally.unconfirmed or len(tally.confirmed) != tally.new
    print("soak: FAILED" if failed else "soak: passed")
    return 1 if failed else 0


def soak(args, port: int, gunicorn: subprocess.Popen, database: CuttableProxy, store: CuttableProxy, tally: Tally):
    """Send the requests from `args.connections` threads while the outages happen; return what happened."""
    total = args.requests
    repeats = int(total * REPEAT_SHARE)
    tally.new = total - repeats
    jobs: queue.Queue = queue.Queue()
    answered: list[dict] = []
    random.seed(12)
    for number in range(tally.new):
        jobs.put(
            {
                "key": str(uuid.uuid4()),
                "name": f"Soak {number:05d}",
                "phone": f"(503) 555-{number % 10000:04d}",
                "address": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}",
                "htmx": number % 2 == 0,
            }
        )
    repeats_left = [repeats]
    events: list[str] = []
    deadline = time.monotonic() + RUN_LIMIT_SECONDS

    def connection() -> None:
        patient = Patient(port, tally, database)
        while time.monotonic() < deadline:
            with tally.lock:
                repeat = repeats_left[0] > 0 and answered and random.random() < REPEAT_SHARE * 1.2
                if repeat:  # each request is repeated once at most: one address, one patient
                    repeats_left[0] -= 1
                    job = answered.pop(random.randrange(len(answered)))
            if not repeat:
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    with tally.lock:
                        if repeats_left[0] <= 0 or not answered:
                            return
                        repeats_left[0] -= 1
                        job = answered.pop(random.randrange(len(answered)))
                    repeat = True
            tally.add("sent")
            if repeat:
                tally.add("repeats")
            patient.send(job)
            with tally.lock:
                if not repeat:
                    answered.append(job)
                tally.done += 1

    def conductor() -> None:
        """The outages, at set points of the run."""
        plan = [(0.15, "kill"), (0.35, "redis"), (0.55, "database"), (0.75, "hang")]
        for share, event in plan:
            while tally.done < share * total and time.monotonic() < deadline:
                time.sleep(0.05)
            if event == "kill":
                pids = worker_pids(gunicorn.pid)
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    events.append(f"worker {pids[0]} killed at {tally.done} requests")
            elif event == "redis":
                store.cut(CUT_SECONDS)
                events.append(f"Redis cut for {CUT_SECONDS:.0f} s at {tally.done} requests")
            elif event == "database":
                database.cut(CUT_SECONDS)
                events.append(f"database cut for {CUT_SECONDS:.0f} s at {tally.done} requests")
            else:
                database.hang(HANG_SECONDS, PAUSE_SECONDS)
                events.append(f"database hung for {HANG_SECONDS:.0f} s at {tally.done} requests")

    threads = [threading.Thread(target=connection, daemon=True) for _ in range(args.connections)]
    conducting = threading.Thread(target=conductor, daemon=True)
    conducting.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    conducting.join(1)
    if time.monotonic() >= deadline:
        events.append(f"stopped at the {RUN_LIMIT_SECONDS} s limit")
    return events


def count_rows(server_url: str, run: str) -> tuple[int, int, int, set[str]]:
    with psycopg.connect(server_url, connect_timeout=5) as connection:
        rows = connection.execute(
            f"SELECT submission_key, name FROM {run}.callback_requests WHERE note = 'Soak test'"
        ).fetchall()
    return len(rows), len({key for key, _ in rows}), len({name for _, name in rows}), {key for key, _ in rows}


def cleanup(server_url: str, run: str) -> None:
    with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP SCHEMA {run} CASCADE")
    store = redis.Redis(*REDIS)
    for key in store.scan_iter(f"*{run}*"):
        store.delete(key)


if __name__ == "__main__":
    sys.exit(main())
