"""A content typo and a routine `kill -HUP` of gunicorn never take the site down: the new workers serve the last good
content, the log names the problem with its file and line, and /readyz says the content is stale. Without any good
copy, gunicorn stops with the problem said plainly, no traceback."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import flask_shell
from tests.test_last_good_content import break_file

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]  # a real gunicorn on loopback

START_SECONDS = 60  # workers importing the app on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(folder: Path, content: Path, port: int, log: Path, **settings: str) -> subprocess.Popen:
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(folder),
        "INSTANCE_PATH": str(folder),  # as flask_shell's
        "DATABASE_URL": f"sqlite:///{folder}/bodymap.sqlite3",
        "CONTENT_PATH": str(content),
        "SECRET_KEY": "reload-test-secret",
        "SESSION_COOKIE_SECURE": "false",
        "SIGN_OFF_CHECK_SECONDS": "0",
        **settings,
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5"),
        "bodymap:create_app()",
    ]
    with log.open("ab") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def status(url: str) -> tuple[int, str]:
    """The status and body of a GET, following redirects (the staff entry leads to its sign-in page)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def wait_until(check, what: str, log: Path, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except OSError:  # refused or reset while workers start or stop
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def test_a_broken_file_and_a_hup_keep_every_page_answering_and_log_its_line(clinic_file, tmp_path):
    content = tmp_path / "regions.yaml"
    shutil.copy(clinic_file, content)
    assert flask_shell(tmp_path, "db", "upgrade", CONTENT_PATH=str(content)).returncode == 0
    port, log = free_port(), tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    process = gunicorn(tmp_path, content, port, log)
    try:
        wait_until(lambda: status(base + "/readyz")[1].endswith("content: ok\n"), "gunicorn did not start", log)
        line = break_file(content)
        process.send_signal(signal.SIGHUP)
        wait_until(lambda: "content: stale" in status(base + "/readyz")[1], "the new workers did not start", log)
        for path in ("/", "/callback", "/staff/"):
            assert status(base + path)[0] == 200, path
        code, body = status(base + "/readyz")
        assert code == 200 and f"{content}:{line}: clinic: field 'name' must be text" in body
        assert process.poll() is None, "the master kept running"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    said = log.read_text(errors="replace")
    assert f"{content}:{line}: clinic: field 'name' must be text" in said
    assert "the last content that passed its checks" in said
    assert "Traceback" not in said and "Worker failed to boot" not in said


def test_without_any_good_copy_gunicorn_stops_and_says_why_without_a_traceback(clinic_file, tmp_path):
    content = tmp_path / "regions.yaml"
    shutil.copy(clinic_file, content)
    line = break_file(content)
    port, log = free_port(), tmp_path / "gunicorn.log"
    process = gunicorn(tmp_path, content, port, log)
    try:
        process.wait(timeout=START_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
    said = log.read_text(errors="replace")
    assert process.returncode != 0
    assert f"{content}:{line}: clinic: field 'name' must be text" in said
    assert "Traceback" not in said
    assert "App failed to load" in said  # gunicorn stops, rather than starting worker after worker
