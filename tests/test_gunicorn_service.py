"""The production command as the README gives it: gunicorn with gunicorn.conf.py and two workers, on loopback.

Every line it writes is a JSON object; one access line per request, with the id the response carries; no patient's
name, phone or note anywhere; /metrics adds up both workers' counts; and a client that is not on this machine gets
a 404 from /metrics unless it brings the token. "Not on this machine" is a client a trusted proxy names
(TRUSTED_PROXIES=1 and X-Forwarded-For, as nginx in front would send), so the test needs no second address.

Which worker answers a connection is the kernel's choice; to be sure both count, each worker in turn is paused
(SIGSTOP) while the other takes ten requests.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import GOOD_CALLBACK, flask_shell, hidden_fields

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_SECONDS = 60
TOKEN = "f" * 40
PATIENT = {"name": "Zebulon Quartermaine", "phone": "(503) 555-0187", "note": "Xylophone trampoline ache."}
PATIENT_TRACES = ("Zebulon", "Quartermaine", "555-0187", "5550187", "Xylophone", "trampoline", "areas-0-pain")
SETTINGS_OF_THIS_RUN = ("LOG_FORMAT", "PROMETHEUS_MULTIPROC_DIR", "SENTRY_DSN", "XDG_RUNTIME_DIR", "DATABASE_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


class Response:
    """What a test needs of an answer: status, headers, body."""

    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def get_data(self, as_text: bool = False):
        return self.body.decode() if as_text else self.body


OPENER = urllib.request.build_opener()


def fetch(opener, url: str, data: dict | None = None, headers: dict | None = None) -> Response:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.headers, error.read())


@contextlib.contextmanager
def production_server(folder: Path):
    """gunicorn started as the README says, on a database of its own in `folder`; stopped on leaving, its logs
    complete in folder/stdout.log and folder/stderr.log."""
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_OF_THIS_RUN}
    environment.update(
        INSTANCE_PATH=str(folder),
        HOME=str(folder),  # gunicorn's control socket
        SECRET_KEY="service-test-secret",
        SESSION_COOKIE_SECURE="false",
        PORT=str(free_port()),
        WEB_CONCURRENCY="2",
        TRUSTED_PROXIES="1",
        METRICS_TOKEN=TOKEN,
    )
    assert flask_shell(folder, "db", "upgrade").returncode == 0
    with (folder / "stdout.log").open("wb") as stdout, (folder / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            [str(GUNICORN), "--config", "gunicorn.conf.py", "bodymap:create_app()"],
            cwd=ROOT,
            env=environment,
            stdout=stdout,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{environment['PORT']}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {(folder / 'stderr.log').read_text()[-3000:]}")
            try:
                if len(worker_pids(process.pid)) == 2 and fetch(OPENER, base + "/healthz").status == 200:
                    break
            except OSError:  # refused while the workers start
                pass
            time.sleep(0.1)
        yield base, process.pid
    finally:
        if process.poll() is None:
            for pid in worker_pids(process.pid):
                os.kill(pid, signal.SIGCONT)
            process.terminate()
        process.wait(timeout=40)


def scrape(response: Response) -> dict[tuple, float]:
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def test_the_production_command_logs_json_counts_both_workers_and_keeps_its_metrics_close(tmp_path):
    with production_server(tmp_path) as (base, master):
        workers = worker_pids(master)
        ids: dict[str, int] = {}  # request id: the worker that was not paused
        for paused, working in ((workers[1], workers[0]), (workers[0], workers[1])):
            os.kill(paused, signal.SIGSTOP)
            try:
                for _ in range(10):
                    response = fetch(OPENER, base + "/?utm_source=newsletter")
                    assert response.status == 200
                    ids[response.headers["X-Request-ID"]] = working
            finally:
                os.kill(paused, signal.SIGCONT)

        patient = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        fields = {**hidden_fields(fetch(patient, base + "/callback")), **GOOD_CALLBACK, **PATIENT, "areas-0-pain": "7"}
        assert fetch(patient, base + "/callback", data=fields, headers={"HX-Request": "true"}).status == 201

        counted = scrape(fetch(OPENER, base + "/metrics"))  # from loopback: no token needed
        assert counted[("bodymap_http_requests_total", (("route", "public.index"), ("status", "200")))] == 20
        assert counted[("bodymap_http_request_duration_seconds_count", (("route", "public.index"),))] == 20
        assert counted[("bodymap_callback_requests_waiting", ())] == 1
        assert counted[("bodymap_desk_emails_waiting", ())] == 1

        elsewhere = {"X-Forwarded-For": "198.51.100.7"}  # a client the trusted proxy says is not on this machine
        for headers in (elsewhere, {**elsewhere, "Authorization": "Bearer wrong-token"}):
            refused = fetch(OPENER, base + "/metrics", headers=headers)
            assert refused.status == 404 and b"bodymap_" not in refused.body
        assert scrape(fetch(OPENER, base + "/metrics", headers={**elsewhere, "Authorization": f"Bearer {TOKEN}"}))

    lines = (tmp_path / "stdout.log").read_text().splitlines() + (tmp_path / "stderr.log").read_text().splitlines()
    parsed = [json.loads(line) for line in lines]  # every line gunicorn, its workers and the app wrote
    assert all({"time", "level", "logger", "message", "process"} <= set(line) for line in parsed)
    assert {line["logger"] for line in parsed} >= {"gunicorn.error", "bodymap.access"}
    home = [line for line in parsed if line["logger"] == "bodymap.access" and line["path"] == "/"]
    assert len(home) == 20
    assert {line["request_id"]: line["process"] for line in home} == ids, "each line names its request and worker"
    assert Counter(ids.values()) == {workers[0]: 10, workers[1]: 10}
    assert {(line["method"], line["status"], line["client"]) for line in home} == {("GET", 200, "127.0.0.0")}
    assert all(line["duration_ms"] >= 0 and line["size"] > 0 for line in home)
    assert [line for line in lines if any(trace in line for trace in PATIENT_TRACES)] == []
    assert not [line for line in lines if "utm_source" in line], "no query string in any line"


def test_the_readme_gives_this_command_for_production():
    assert "gunicorn --config gunicorn.conf.py 'bodymap:create_app()'" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY must be a whole number of at least 1, not '0'"),
        ("PORT", "eighty", "PORT must be a whole number of at least 1, not 'eighty'"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be json or text, not 'xml'"),
    ],
)
def test_a_setting_gunicorn_cannot_use_stops_it_with_the_setting_named(tmp_path, name, value, says):
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_OF_THIS_RUN}
    environment.update(HOME=str(tmp_path), PROMETHEUS_MULTIPROC_DIR=str(tmp_path), **{name: value})
    command = [str(GUNICORN), "--check-config", "--config", "gunicorn.conf.py", "bodymap:create_app()"]
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == says


def test_gunicorns_own_access_lines_are_never_put_together(tmp_path):
    """The app writes one access line per request; gunicorn, handed a logging configuration, would otherwise gather
    each request's headers and environ for a line of its own that its logger then drops."""
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_OF_THIS_RUN}
    environment.update(HOME=str(tmp_path), PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    command = [str(GUNICORN), "--print-config", "--config", "gunicorn.conf.py", "bodymap:create_app()"]
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    printed = {
        name.strip(): value
        for name, value in (line.split(" = ", 1) for line in result.stdout.splitlines() if " = " in line)
    }
    assert printed["logger_class"].strip() == "<AppWritesAccessLines()>"
    assert printed["logconfig_dict"].strip().startswith("{"), "a logging configuration is given"
