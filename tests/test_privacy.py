"""Privacy on shared devices: the confirmation names the patient once; a submission key from another session
shows nothing of that session's request; the instance folder and its files are private from the first byte."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import GOOD_CALLBACK, HTMX, hidden_fields, send_callback, soup, stored

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

ROOT = Path(__file__).resolve().parent.parent


def confirmation_text(response) -> str:
    return soup(response).select_one('.confirmation[role="status"]').get_text(" ", strip=True)


def test_the_confirmation_shows_the_name_once_and_a_reload_shows_no_personal_data(client):
    response = send_callback(client, name="Shared Tablet", phone="(503) 555-0177")
    assert response.status_code == 303
    first = client.get(response.headers["Location"])
    assert "Shared Tablet" in confirmation_text(first)
    assert soup(first).select_one(".recap .phone-number") is not None
    reload = client.get(response.headers["Location"])
    assert reload.status_code == 200
    text = reload.get_data(as_text=True)
    assert "Shared Tablet" not in text and "0177" not in text
    assert soup(reload).select_one(".recap") is None
    assert "We have your request" in confirmation_text(reload)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_submission_key_from_another_session_never_shows_that_sessions_request(db_client, db_app, htmx):
    key = hidden_fields(db_client.get("/callback"))["submission_key"]
    assert send_callback(db_client, submission_key=key, name="First Patient").status_code == 303
    stranger = db_app.test_client()
    fields = {**hidden_fields(stranger.get("/callback")), "submission_key": key}
    data = {**GOOD_CALLBACK, **fields, "name": "Someone Else", "phone": "(503) 555-0199"}
    response = stranger.post("/callback", data=data, headers=HTMX if htmx else {})
    assert response.status_code == (201 if htmx else 303)
    shown = response if htmx else stranger.get(response.headers["Location"])
    text = shown.get_data(as_text=True)
    assert "First Patient" not in text and "0142" not in text and "0199" not in text
    assert soup(shown).select_one(".recap") is None
    assert [s.name for s in stored(db_app)] == ["First Patient"]


def test_a_retry_with_the_same_name_and_number_still_gets_the_full_confirmation(db_client, db_app):
    form = db_client.get("/callback")
    send_callback(db_client, form=form)
    other_browser = db_app.test_client()
    fields = {**hidden_fields(other_browser.get("/callback")), "submission_key": hidden_fields(form)["submission_key"]}
    retry = other_browser.post("/callback", data={**GOOD_CALLBACK, **fields}, headers=HTMX)
    assert retry.status_code == 201
    assert GOOD_CALLBACK["name"] in confirmation_text(retry)
    assert len(stored(db_app)) == 1


def test_a_reload_of_the_confirmation_shows_no_area_or_score(client):
    areas = {"areas-0-pain": "9", "areas-1-region": "neck", "areas-1-side": "", "areas-1-pain": "6"}
    response = send_callback(client, **areas)
    first = soup(client.get(response.headers["Location"]))
    assert len(first.select(".recap-areas li")) == 2
    reload = soup(client.get(response.headers["Location"]))
    assert reload.select_one(".recap-areas") is None and reload.select_one(".recap-score") is None


def test_the_pain_list_reaches_the_form_by_post_only_never_in_a_url(client):
    page = soup(client.get("/callback?areas-0-region=neck&areas-0-pain=9&areas-1-region=hip"))
    regions = [s.select_one("option[selected]") for s in page.select('#callback-form select[name$="-region"]')]
    assert [option["value"] if option else "" for option in regions] == [""], "areas in a URL are ignored"
    assert client.get("/callback/from-list").status_code == 405
    posted = client.post("/callback/from-list", data={"areas-0-region": "neck", "areas-0-pain": "9"})
    assert posted.status_code == 200 and "Location" not in posted.headers


CHILD = """
import os
os.umask(0o022)  # the usual umask, under which files are made world-readable
from bodymap import create_app
from bodymap.data import migrate
app = create_app()
migrate.upgrade(app)
with app.test_client() as client:
    client.get("/callback")
"""


@pytest.mark.slow
def test_the_instance_folder_database_and_secret_key_are_private_from_the_first_byte(tmp_path):
    instance = tmp_path / "fresh" / "instance"
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DATABASE_URL")}
    env["INSTANCE_PATH"] = str(instance)
    subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    files = sorted(p.name for p in instance.iterdir())
    assert "bodymap.sqlite3" in files and "secret_key" in files
    for path in instance.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name  # the database, its WAL files and the key


def test_the_secret_key_is_never_written_before_it_is_private(tmp_path, monkeypatch):
    from bodymap import settings

    modes = []
    real_open = os.open

    def watching_open(path, flags, mode=0o777, *args, **kwargs):
        descriptor = real_open(path, flags, mode, *args, **kwargs)
        if "secret_key" in str(path):
            modes.append(stat.S_IMODE(os.fstat(descriptor).st_mode))
        return descriptor

    monkeypatch.setattr(settings.os, "open", watching_open)
    previous = os.umask(0o022)  # the usual umask, under which files are made world-readable
    try:
        settings.instance_secret(str(tmp_path))
    finally:
        os.umask(previous)
    assert modes and all(mode == 0o600 for mode in modes)
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
