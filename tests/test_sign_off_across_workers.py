"""A sign-off reaches every gunicorn worker by itself: each forked worker runs its own watcher, which sees the new
row within SIGN_OFF_CHECK_SECONDS and drops the panels it keeps; no worker asks the database for a patient."""

from __future__ import annotations

import signal
import time
import urllib.request

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bodymap.content import load, patient_text
from bodymap.data.models import SignOff, utcnow
from tests.helpers import flask_shell, parse
from tests.test_reload_with_broken_content import free_port, gunicorn, status, wait_until

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]  # a real gunicorn on loopback


def review_of(url: str) -> str:
    request = urllib.request.Request(url, headers={"HX-Request": "true"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return parse(response.read().decode()).select_one("p.review")["data-review"]


def test_every_worker_shows_a_new_sign_off_within_the_check_interval(clinic_file, tmp_path):
    assert flask_shell(tmp_path, "db", "upgrade", CONTENT_PATH=str(clinic_file)).returncode == 0
    port, log = free_port(), tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    process = gunicorn(tmp_path, clinic_file, port, log, SIGN_OFF_CHECK_SECONDS="1")
    region = load(clinic_file).regions[0]
    panel = f"{base}/pain/{region.slug}/panel"
    try:
        wait_until(lambda: status(base + "/readyz")[0] == 200, "gunicorn did not start", log)
        assert {review_of(panel) for _ in range(12)} == {"draft"}  # both workers keep the draft panel
        engine = create_engine(f"sqlite:///{tmp_path}/bodymap.sqlite3")
        with Session(engine) as session, session.begin():  # as a clinician's sign-off through another server
            session.add(SignOff(region=region.slug, language="en", digest=patient_text.digest(region),
                                signed_by="Dana Ruiz, PT, DPT", signed_at=utcnow()))  # fmt: skip
        engine.dispose()
        signed_at = time.monotonic()
        wait_until(lambda: {review_of(panel) for _ in range(12)} == {"signed"}, "a worker kept the draft", log, 15)
        assert time.monotonic() - signed_at < 10
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert "Traceback" not in log.read_text(errors="replace")
