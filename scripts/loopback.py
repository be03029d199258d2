"""Servers and load on loopback for the benchmarks: gunicorn started from a folder, wrk's figures read back.

`scripts/bench.py` (the public pages, the callback POST) and `scripts/bench_desk.py` (the staff pages over a seeded
database) both measure through these.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 16
THREADS = 2
# Production's settings (gunicorn.conf.py: gthread workers of 8 threads, JSON log lines, no idle keep-alive), given
# by path: gunicorn would otherwise read ./gunicorn.conf.py only when started from the checkout, silently.
GUNICORN_FLAGS = ["--config", str(ROOT / "gunicorn.conf.py"), "--workers", "2", "--log-level", "warning"]


@dataclass
class Result:
    name: str
    server: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def gunicorn_settings() -> str:
    """How every server's workers run, as gunicorn itself reads GUNICORN_FLAGS ('workers 2, worker_class ...')."""
    command = [str(BIN / "gunicorn"), *GUNICORN_FLAGS, "--print-config", "unused:app"]
    printed = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tempfile.gettempdir()).stdout
    found = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, re.MULTILINE))
    return ", ".join(f"{name} {found.get(name, '?')}" for name in ("workers", "worker_class", "threads", "keepalive"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn with GUNICORN_FLAGS serving `app` (a 'module:variable' spec), started from `folder`."""

    def __init__(self, label: str, app: str, folder: Path, env: dict[str, str] | None = None, port: int | None = None):
        self.label = label
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [str(BIN / "gunicorn"), *GUNICORN_FLAGS, "--bind", f"127.0.0.1:{self.port}", "--chdir", str(folder)]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; closed in stop()
        self.process = subprocess.Popen(
            [*command, app], env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=self.log
        )
        self.app = app
        self.answer = ""  # what GET / answered, checked before any measurement
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                message = self.log.read().decode(errors="replace")[-2000:]
                self.log.close()
                raise RuntimeError(f"{label}: gunicorn exited: {message}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{label}: gunicorn did not answer within 60 s")

    def get(self, path: str = "/") -> tuple[int, dict[str, str], str]:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    name: str,
    server: Gunicorn,
    path: str,
    seconds: int,
    headers: dict[str, str],
    script: str | None = None,
    connections: int = CONNECTIONS,
):
    threads = min(THREADS, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, server.base + path], capture_output=True, text=True, timeout=seconds + 60)
    text = output.stdout
    if "Requests/sec" not in text:
        raise RuntimeError(f"wrk failed for {name}: {output.stderr or text}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", text, re.MULTILINE).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", text, re.MULTILINE).group(1))
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout)\s*:?\s*(\d+)", text)
    )
    return Result(name, server.label, rate, p50, p99, errors)
