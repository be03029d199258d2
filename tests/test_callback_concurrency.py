"""Under load, through a real gunicorn with two workers: every request is stored exactly once."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.helpers import GOOD_CALLBACK, INPUTS, stored

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]  # nothing here reads the clinic's content

CLIENTS = 8
SUBMISSIONS = 200
RESENT_EVERY = 5  # every fifth form is sent twice, as a double click would
DEADLINE_SECONDS = 240
START_SECONDS = 60  # two workers importing the app on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(db_app, tmp_path):
    """gunicorn serving the app, with two workers, on the test database."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_app.config["DATABASE_URL"],
        "CONTENT_PATH": db_app.config["CONTENT_PATH"],
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "load-test-secret",
        "SESSION_COOKIE_SECURE": "false",
        "RATELIMIT_ENABLED": "false",
    }
    log = tmp_path / "gunicorn.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "bodymap:create_app()",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(base + "/callback", timeout=5):
                    break
            except OSError:  # refused, reset or timed out while the workers start
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "Traceback" not in log.read_text()


def one_client(base: str, count: int, start: float) -> list[int]:
    """A patient's browser: its own cookies, a fresh form for each request."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    statuses = []
    for number in range(count):
        if time.monotonic() - start > DEADLINE_SECONDS:
            break
        with opener.open(base + "/callback", timeout=30) as response:
            page = BeautifulSoup(response.read(), "lxml", parse_only=INPUTS)
        fields = {name: page.select_one(f'input[name="{name}"]')["value"] for name in ("csrf_token", "submission_key")}
        body = urllib.parse.urlencode({**fields, **GOOD_CALLBACK, "note": f"request {number}"}).encode()
        for _ in range(2 if number % RESENT_EVERY == 0 else 1):
            request = urllib.request.Request(base + "/callback", data=body, headers={"HX-Request": "true"})
            try:
                with opener.open(request, timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
                error.close()
    return statuses


# Storage under concurrent workers reads no clinic fact: this run, the slowest in the suite, is on the shipped
# clinic only, on both databases.
@pytest.mark.parametrize("clinic_file", ["shipped"], indirect=True)
def test_200_requests_from_8_clients_make_exactly_200_rows(db_client, db_app, gunicorn):
    start = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda _: one_client(gunicorn, SUBMISSIONS // CLIENTS, start), range(CLIENTS)))
    statuses = [status for result in results for status in result]
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) == {201}
    assert len(statuses) == SUBMISSIONS + SUBMISSIONS // RESENT_EVERY
    assert len(stored(db_app)) == SUBMISSIONS
