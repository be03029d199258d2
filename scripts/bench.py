"""Throughput benchmarks against gunicorn on loopback, measured with wrk.

Usage: make bench  (or: .venv/bin/python scripts/bench.py [--seconds N])

Each case starts gunicorn with 2 workers and the production settings, warms it
up, then runs wrk with 16 connections for a bounded time on 127.0.0.1 only.
Results are ratios between cases run the same way on the same machine, so they
hold on a noisy machine better than raw numbers do.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
CONNECTIONS = 16
THREADS = 2


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving the app with 2 workers on a throwaway SQLite database."""

    def __init__(self, folder: str, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "INSTANCE_PATH": folder,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "benchmark",
            **env,
        }
        subprocess.run(
            [str(BIN / "flask"), "--app", "bodymap", "db", "upgrade"],
            env=environment,
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "bodymap:create_app()"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(name: str, url: str, seconds: int, headers: dict[str, str], script: str | None = None) -> Result:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout)\s*:?\s*(\d+)", output)
    )
    return Result(name, rate, p50, p99, errors)


POST_SCRIPT = """
-- Each request is a new callback request: its own submission key, one session's token.
local thread_number = 0
function setup(thread)
  thread_number = thread_number + 1
  thread:set("id", thread_number)
end
local counter = 0
function request()
  counter = counter + 1
  local key = string.format("%08x-0000-4000-8000-%012x", id, counter)
  return wrk.format("POST", nil, nil, "csrf_token=TOKEN&submission_key=" .. key ..
    "&name=Bench+Mark&phone=%28503%29+555-0142&preferred_time=any&region=knee&side=left&pain=&note=&consent=y")
end
"""


def callback_session(base: str) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser holding the form would have."""
    with urllib.request.urlopen(base + "/callback", timeout=10) as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()).group(1)
    return cookie, token


def measure_app(seconds: int, env: dict[str, str], cases: list[tuple[str, str, dict]]) -> list[Result]:
    """Several cases against one gunicorn, each warmed up first."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        server = Gunicorn(folder, **env)
        try:
            for name, path, headers in cases:
                script = None
                if path == "POST /callback":
                    cookie, token = callback_session(server.base)
                    script = str(Path(folder) / "post.lua")
                    Path(script).write_text(POST_SCRIPT.replace("TOKEN", urllib.parse.quote(token)))
                    headers = {**headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
                    path = "/callback"
                url = server.base + path
                wrk(name, url, 2, headers, script)  # warm up
                results.append(wrk(name, url, seconds, headers, script))
        finally:
            server.stop()
    return results


def baseline(seconds: int) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        server = Gunicorn(folder, app="hello_wsgi:app")
        try:
            wrk("baseline", server.base + "/", 2, {})
            return wrk("baseline: hello world WSGI", server.base + "/", seconds, {})
        finally:
            server.stop()


def static_path() -> str:
    """The stylesheet's hashed address, as the home page links it."""
    from bodymap.web.assets import load

    return "/static/" + load(Path(__file__).resolve().parent.parent / "static")["css/bodymap.css"].name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="how long each measurement runs (default 10)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run 'make bench', or apt-get install wrk", file=sys.stderr)
        return 1
    browser = {"Accept-Encoding": "br, gzip"}
    htmx = {**browser, "HX-Request": "true"}
    panel = "/pain/knee/panel?side=left"
    # Production settings, but no rate limit: every POST comes from one address here.
    production = {"RATELIMIT_ENABLED": "false"}
    base = baseline(args.seconds)
    results = measure_app(
        args.seconds,
        production,
        [
            ("home page", "/", browser),
            ("region page", "/pain/knee?side=left", browser),
            ("panel", panel, htmx),
            ("static asset", static_path(), browser),
            ("callback POST", "POST /callback", htmx),
        ],
    )
    [uncounted] = measure_app(
        args.seconds, {**production, "VIEW_COUNTING": "false"}, [("panel, view counting off", panel, htmx)]
    )
    targets = {"panel": 0.8, "home page": 0.6, "region page": 0.6}

    print(f"{'case':30} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  target")
    failures = []
    for result in [base, *results, uncounted]:
        ratio = result.requests_per_second / base.requests_per_second
        target = targets.get(result.name)
        note = f">= {target:.0%} of baseline" if target else ""
        if target and ratio < target:
            failures.append(f"{result.name}: {ratio:.0%} of baseline, target {target:.0%}")
        if result.errors:
            failures.append(f"{result.name}: {result.errors} errors")
        if result.p99_ms >= 50:
            failures.append(f"{result.name}: p99 {result.p99_ms:.1f} ms, target under 50 ms")
        print(
            f"{result.name:30} {result.requests_per_second:8.0f} {ratio:6.0%} {result.p50_ms:7.2f}"
            f" {result.p99_ms:7.2f} {result.errors:6d}  {note}"
        )
    counted = next(r for r in results if r.name == "panel")
    counting = counted.requests_per_second / uncounted.requests_per_second
    print(f"\nview counting keeps {counting:.0%} of the panel's throughput (target: at least 90%)")
    if counting < 0.9:
        failures.append(f"view counting costs the panel {1 - counting:.0%}")
    for failure in failures:
        print("MISSED:", failure)
    print("all targets met" if not failures else f"{len(failures)} targets missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
