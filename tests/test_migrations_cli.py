"""A developer writes, applies and undoes a migration with the documented commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bodymap import create_app

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_db_revision_upgrade_and_downgrade_work_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    existing = sorted(p.name for p in (folder / "versions").glob("*.py"))
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/dev.sqlite3", "MIGRATIONS_PATH": str(folder), "TESTING": True}
    )
    cli = app.test_cli_runner()

    result = cli.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "callback_requests" in inspect(app.extensions["bodymap.engine"]).get_table_names()

    result = cli.invoke(args=["db", "revision", "--autogenerate", "-m", "add nothing yet"])
    assert result.exit_code == 0, result.output
    [written] = sorted(set(p.name for p in (folder / "versions").glob("*.py")) - set(existing))
    assert written == f"{int(existing[-1][:4]) + 1:04d}_add_nothing_yet.py"
    text = (folder / "versions" / written).read_text()
    assert f"down_revision = {existing[-1][:4]!r}" in text
    assert "pass" in text, "the models match the database, so there is nothing to change"

    assert cli.invoke(args=["db", "upgrade"]).exit_code == 0
    result = cli.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert "callback_requests" not in inspect(app.extensions["bodymap.engine"]).get_table_names()
    app.extensions["bodymap.engine"].dispose()


@pytest.mark.slow
def test_db_upgrade_and_downgrade_say_which_revision_they_went_from_and_to(tmp_path):
    from bodymap.data import migrate
    from tests.helpers import flask_shell

    head = migrate.head(create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}))
    before = f"{int(head) - 1:04d}"
    upgraded = flask_shell(tmp_path, "db", "upgrade")
    assert upgraded.stdout == f"Upgraded the database schema from none (an empty database) to {head} (the newest).\n"
    again = flask_shell(tmp_path, "db", "upgrade")
    assert again.stdout == f"The database schema is already at {head} (the newest): nothing to do.\n"
    back = flask_shell(tmp_path, "db", "downgrade", "-1")  # as README and CONTRIBUTING write it
    assert back.returncode == 0, back.stderr
    assert back.stdout == f"Took the database schema back from {head} to {before}.\n"
    step = flask_shell(tmp_path, "db", "downgrade")  # one step is the default
    assert step.stdout == f"Took the database schema back from {before} to {int(before) - 1:04d}.\n"
    up = flask_shell(tmp_path, "db", "upgrade")
    assert up.stdout == f"Upgraded the database schema from {int(before) - 1:04d} to {head} (the newest).\n"
    none = flask_shell(tmp_path, "db", "downgrade", "base")
    assert none.stdout == f"Took the database schema back from {head} to none (an empty database).\n"
    nothing = flask_shell(tmp_path, "db", "downgrade", "-1")
    assert nothing.returncode == 1 and "Traceback" not in nothing.stderr
    assert nothing.stderr.startswith("Error: ")
