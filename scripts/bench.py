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


def wrk(name: str, url: str, seconds: int, headers: dict[str, str]) -> Result:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _milliseconds(re.search(r"50%\s+(\S+)", output).group(1))
    p99 = _milliseconds(re.search(r"99%\s+(\S+)", output).group(1))
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout)\s*:?\s*(\d+)", output)
    )
    return Result(name, rate, p50, p99, errors)


def measure(name: str, path: str, seconds: int, headers: dict[str, str] | None = None, **env: str) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        server = Gunicorn(folder, **env)
        try:
            wrk(name, server.base + path, 2, headers or {})  # warm up
            return wrk(name, server.base + path, seconds, headers or {})
        finally:
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="how long each measurement runs (default 10)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run 'make bench', or apt-get install wrk", file=sys.stderr)
        return 1
    htmx = {"HX-Request": "true"}
    panel = "/pain/knee/panel?side=left"
    uncounted = measure("panel, view counting off", panel, args.seconds, htmx, VIEW_COUNTING="false")
    counted = measure("panel, view counting on", panel, args.seconds, htmx, VIEW_COUNTING="true")
    print(f"{'case':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in (uncounted, counted):
        print(
            f"{result.name:32} {result.requests_per_second:9.0f} {result.p50_ms:8.2f} {result.p99_ms:8.2f}"
            f" {result.errors:7d}"
        )
    ratio = counted.requests_per_second / uncounted.requests_per_second
    verdict = "ok" if ratio >= 0.9 else "TOO SLOW"
    print(f"\nview counting keeps {ratio:.0%} of the panel's throughput (target: at least 90%): {verdict}")
    return 0 if ratio >= 0.9 and counted.errors == uncounted.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
