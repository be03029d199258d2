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
