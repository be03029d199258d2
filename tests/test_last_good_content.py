"""Publishing never takes the site down: the app keeps the last content that passed its checks and serves it while
the file is broken (saying so once in the log and in /readyz); without that copy it refuses to start. Commands that
need no content run with a broken file, and a setting or content error is a message, never a traceback."""

from __future__ import annotations

import logging
import shutil
import stat

import pytest

from bodymap import content as bodymap_content
from bodymap import create_app
from bodymap.content import ContentError
from tests.helpers import flask_shell, soup

pytestmark = pytest.mark.one_clinic  # a broken file is broken whatever the clinic

BROKEN = "  name: 12\n"  # the clinic's name written as a number


def copy_of(clinic_file, folder):
    path = folder / "regions.yaml"
    shutil.copy(clinic_file, path)
    return path


def break_file(path) -> int:
    """A mistake in the clinic block; the line it is on."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  name: "))
    lines[at] = BROKEN
    path.write_text("".join(lines), encoding="utf-8")
    return at + 1


def test_a_broken_file_is_served_from_the_last_good_copy_and_readyz_says_why(make_app, clinic_file, tmp_path, caplog):
    path = copy_of(clinic_file, tmp_path)
    snapshot = tmp_path / "instance-copy.yaml"
    make_app(CONTENT_PATH=str(path), CONTENT_SNAPSHOT=str(snapshot))
    assert snapshot.is_file() and stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    good = make_app(CONTENT_PATH=str(path), CONTENT_SNAPSHOT=str(snapshot)).test_client().get("/pain/knee")
    line = break_file(path)
    with caplog.at_level(logging.ERROR):
        app = make_app(CONTENT_PATH=str(path), CONTENT_SNAPSHOT=str(snapshot))
    client = app.test_client()
    served = client.get("/pain/knee")
    assert served.status_code == 200
    assert soup(served).select_one("#panel-heading").get_text() == soup(good).select_one("#panel-heading").get_text()
    assert client.get("/callback").status_code == 200
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert f"{path}:{line}: clinic: field 'name' must be text" in errors[0].getMessage()
    assert "the last content that passed its checks" in errors[0].getMessage()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    last = ready.get_data(as_text=True).splitlines()[-1]
    assert last.startswith("content: stale: serving the last good copy (saved ")
    assert f"{path}:{line}: clinic: field 'name' must be text" in last
    assert snapshot.read_text(encoding="utf-8").count("\n") > 100, "the broken file never replaces the copy"


def test_without_a_copy_a_broken_file_stops_the_app_with_its_line(clinic_file, tmp_path):
    path = copy_of(clinic_file, tmp_path)
    line = break_file(path)
    with pytest.raises(ContentError) as refused:
        create_app({"CONTENT_PATH": str(path), "CONTENT_SNAPSHOT": str(tmp_path / "none.yaml")})
    assert refused.value.problems[0].startswith(f"{path}:{line}: clinic: field 'name' must be text")


def test_the_copy_of_another_file_is_never_served(make_app, clinic_file, tmp_path):
    """A copy kept for the file the app read before (CONTENT_PATH changed) is not this file's last good content."""
    snapshot = tmp_path / "copy.yaml"
    make_app(CONTENT_PATH=str(clinic_file), CONTENT_SNAPSHOT=str(snapshot))
    other = copy_of(clinic_file, tmp_path)
    break_file(other)
    with pytest.raises(ContentError):
        create_app({"CONTENT_PATH": str(other), "CONTENT_SNAPSHOT": str(snapshot)})


def test_readyz_says_ok_while_the_file_itself_is_served(client):
    assert client.get("/readyz").get_data(as_text=True).splitlines()[-1] == "content: ok"


def test_an_app_built_for_a_command_loads_the_content_only_when_asked(clinic_file, tmp_path):
    import click

    path = copy_of(clinic_file, tmp_path)
    break_file(path)
    with click.Context(click.Command("upgrade")):
        app = create_app({"CONTENT_PATH": str(path), "CONTENT_SNAPSHOT": str(tmp_path / "none.yaml")})
    assert not bodymap_content.loaded(app)
    with pytest.raises(ContentError):
        bodymap_content.get(app)


# Commands, in a real shell, with a broken file and no last good copy -------------------------------------------------


@pytest.fixture
def broken(clinic_file, tmp_path):
    """A broken content file and no copy of any good one: the environment of the commands below."""
    path = copy_of(clinic_file, tmp_path)
    line = break_file(path)
    return {"CONTENT_PATH": str(path)}, f"{path}:{line}"


@pytest.mark.slow
def test_db_upgrade_staff_and_callbacks_purge_run_with_a_broken_file(tmp_path, broken):
    environment, _ = broken
    upgrade = flask_shell(tmp_path, "db", "upgrade", **environment)
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stdout.startswith("Upgraded the database schema from none (an empty database) to ")
    added = flask_shell(
        tmp_path, "staff", "add", "desk@clinic.example", input="maple river quiet lantern\n", **environment
    )
    assert added.returncode == 0, added.stderr
    listed = flask_shell(tmp_path, "staff", "list", **environment)
    assert listed.returncode == 0 and listed.stdout.startswith("desk@clinic.example\tdesk\t")
    purged = flask_shell(tmp_path, "callbacks", "purge", **environment)
    assert purged.returncode == 0 and purged.stdout.startswith("Deleted 0 callback requests, 0 logged calls")
    status = flask_shell(tmp_path, "notify", "status", **environment)
    assert status.returncode == 0 and status.stdout.startswith("0 waiting")
    for result in (upgrade, added, listed, purged, status):
        assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_serving_with_a_broken_file_and_no_copy_is_refused_with_its_line_not_a_traceback(tmp_path, broken):
    environment, where = broken
    result = flask_shell(tmp_path, "run", "--port", "0", **environment)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {where}: clinic: field 'name' must be text")
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_setting_that_cannot_be_used_is_a_message_not_a_traceback(tmp_path):
    result = flask_shell(tmp_path, "db", "upgrade", RETENTION_DAYS="ninety")
    assert result.returncode == 1
    assert result.stderr == "Error: RETENTION_DAYS must be a whole number of at least 1, not 'ninety'\n"
