"""`flask --app bodymap db backup PATH`: a consistent copy of the SQLite database while the app runs, that restores
into a new instance folder with everything in it; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import threading

import pytest
from sqlalchemy import func, select

from bodymap import create_app
from bodymap.data.models import CallbackArea, CallbackRequest
from tests.helpers import add_rows, add_staff, callback_request, flask_command, send_callback, sign_in, soup, stored

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

PATIENTS = ("Imogen Backup", "Tobias Restore", "Odalys Copy")


@pytest.fixture
def instance_app(tmp_path, monkeypatch, clinic_file):
    """`instance_app(folder)`: the app as an operator runs it, with its database and secret key in `folder`."""
    made = []

    def build(folder):
        monkeypatch.setenv("INSTANCE_PATH", str(folder))
        monkeypatch.delenv("SECRET_KEY", raising=False)
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("CONTENT_PATH", str(clinic_file))
        app = create_app({"TESTING": True, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False})
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["bodymap.engine"].dispose()


def counts(path) -> tuple[int, int]:
    with sqlite3.connect(path) as copy:
        return (
            copy.execute("SELECT count(*) FROM callback_requests").fetchone()[0],
            copy.execute("SELECT count(*) FROM callback_areas").fetchone()[0],
        )


def test_a_backup_made_while_the_app_runs_restores_into_a_new_instance_folder(tmp_path, instance_app):
    running = instance_app(tmp_path / "live")
    assert flask_command(running, "db", "upgrade").exit_code == 0
    client = running.test_client()
    for name in PATIENTS:
        areas = {"areas-1-region": "neck", "areas-1-side": "", "areas-1-pain": "6"}
        assert send_callback(client, name=name, **areas).status_code == 303
    add_staff(running)

    backup = tmp_path / "backups" / "bodymap-2026-12-07.sqlite3"
    backup.parent.mkdir()
    result = flask_command(running, "db", "backup", str(backup))
    assert result.exit_code == 0, result.output
    print(result.output)  # the figures: `pytest -s` shows them
    assert f"to {backup}:" in result.output and "3 callback requests, integrity ok" in result.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600, "patients' details: readable by their owner alone"
    assert not backup.with_name(backup.name + "-wal").exists(), "one file: nothing else to carry"
    assert counts(backup) == (3, 6)

    restored_folder = tmp_path / "restored"  # a new machine: the backup, and the secret key beside it
    restored_folder.mkdir(mode=0o700)
    shutil.copyfile(backup, restored_folder / "bodymap.sqlite3")
    shutil.copyfile(tmp_path / "live" / "secret_key", restored_folder / "secret_key")
    restored = instance_app(restored_folder)
    assert restored.config["DATABASE_URL"] == f"sqlite:///{restored_folder / 'bodymap.sqlite3'}"
    assert restored.config["SECRET_KEY"] == running.config["SECRET_KEY"]
    assert flask_command(restored, "db", "upgrade").exit_code == 0
    assert sorted(request.name for request in stored(restored)) == sorted(PATIENTS)
    assert all(
        [(a.region, a.pain) for a in request.areas] == [("knee", 4), ("neck", 6)] for request in stored(restored)
    )
    desk = restored.test_client()
    assert sign_in(desk).status_code == 303, "the staff account came back too"
    queue = soup(desk.get("/staff/callbacks"))
    assert {name for name in PATIENTS if name in queue.get_text()} == set(PATIENTS)


@pytest.mark.slow
def test_a_backup_taken_while_requests_are_written_holds_each_request_whole(tmp_path, instance_app):
    running = instance_app(tmp_path / "live")
    assert flask_command(running, "db", "upgrade").exit_code == 0
    add_rows(running, callback_request(name="Before", areas=[{"region": "knee"}, {"region": "neck"}]))
    writing = threading.Event()
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            add_rows(running, callback_request(name="During", areas=[{"region": "knee"}, {"region": "hip"}]))
            writing.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        writing.wait(10)
        for number in range(3):
            result = flask_command(running, "db", "backup", str(tmp_path / f"copy-{number}.sqlite3"))
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        writer.join(30)
    with running.extensions["bodymap.sessions"]() as session:
        live = session.scalar(select(func.count()).select_from(CallbackRequest))
        assert session.scalar(select(func.count()).select_from(CallbackArea)) == 2 * live
    for number in range(3):
        requests, areas = counts(tmp_path / f"copy-{number}.sqlite3")
        assert 1 <= requests <= live and areas == 2 * requests, "no request without its areas"


def test_a_backup_never_replaces_a_file_unless_forced(tmp_path, make_app):
    app = make_app()
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"last week's backup")
    result = flask_command(app, "db", "backup", str(target))
    assert result.exit_code == 1
    assert f"{target} exists already: choose another name, or --force to replace it." in result.output
    assert target.read_bytes() == b"last week's backup"
    assert flask_command(app, "db", "backup", "--force", str(target)).exit_code == 0
    assert counts(target) == (0, 0)
    assert [p.name for p in tmp_path.iterdir()] == ["backup.sqlite3"], "no partial file left behind"


def test_a_backup_refuses_the_database_itself_a_folder_and_a_missing_folder(tmp_path, make_app):
    app = make_app()
    database = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    for path, says in (
        (database, "is the database itself"),
        (database + "-wal", "is the database itself"),
        (str(tmp_path), "is a folder"),
        (str(tmp_path / "missing" / "b.sqlite3"), "does not exist"),
    ):
        result = flask_command(app, "db", "backup", path)
        assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output


def test_postgresql_is_backed_up_with_pg_dump(make_app):
    app = make_app(migrated=False, DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/test")
    result = flask_command(app, "db", "backup", "bodymap.dump")
    assert result.exit_code == 1
    assert "The database is PostgreSQL: back it up with pg_dump" in result.output
