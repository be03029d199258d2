"""Schema changes through Alembic: the migrations live in the project's `migrations/` folder.

`flask --app bodymap db upgrade|downgrade|revision` (in `bodymap.cli`) call these.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

from bodymap.resources import MIGRATIONS


def _folder(app: Flask) -> Path:
    """The migrations folder: the project's, unless the app is configured with another (tests use a copy)."""
    return Path(app.config.get("MIGRATIONS_PATH") or MIGRATIONS)


def _config(app: Flask) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_folder(app)))
    return config


@contextmanager
def _migrating(app: Flask) -> Iterator:
    """A connection in a transaction for Alembic. On SQLite, foreign keys are off while it runs: a batch migration
    rebuilds a table by dropping the old one, and with foreign keys on, SQLite deletes every row that points at
    it (ON DELETE CASCADE: a request's areas, its notifications). They are checked before the commit instead."""
    with app.extensions["bodymap.engine"].connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside a transaction: SQLite ignores the pragma inside one
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the migration left rows pointing at rows that are not there")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(app: Flask, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    config = _config(app)
    with _migrating(app) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(app: Flask, revision: str) -> None:
    """Take the schema back to `revision` (`-1` for one step, `base` for none)."""
    config = _config(app)
    with _migrating(app) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def next_revision_id(folder: Path) -> str:
    """Migrations are numbered in order: 0001, 0002, ..."""
    numbers = [int(path.name[:4]) for path in (folder / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def revision(app: Flask, message: str, autogenerate: bool) -> Path:
    """Write the next migration file; with `autogenerate`, from the models' difference to the database."""
    config = _config(app)
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    with app.extensions["bodymap.engine"].begin() as connection:
        config.attributes["connection"] = connection
        number = next_revision_id(_folder(app))
        script = command.revision(config, message=message, autogenerate=autogenerate, rev_id=number)
    return Path(script.path)
