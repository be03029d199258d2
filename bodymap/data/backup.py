"""A consistent copy of a SQLite database while the app runs (`flask --app bodymap db backup PATH`).

SQLite's online backup API copies the database page by page as one reader would see it, so requests written
meanwhile are either in the copy whole or not at all, and the app's writers never wait on it (WAL). The copy is
written beside PATH under a temporary name, given the rollback journal (one file, no -wal or -shm to carry along),
checked with `PRAGMA integrity_check`, and only then put at PATH: never over an existing file unless asked.

PostgreSQL has its own tools (pg_dump, pg_restore): the README's "Backups" shows them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from bodymap.settings import private_files


class BackupRefused(Exception):
    """The backup cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    """What a backup holds."""

    source: Path
    path: Path
    size: int  # bytes
    callback_requests: int


def sqlite_file(database_url: str) -> Path:
    """The SQLite file DATABASE_URL names; BackupRefused for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        if url.get_backend_name() == "postgresql":
            raise BackupRefused(
                "The database is PostgreSQL: back it up with pg_dump, e.g. "
                "pg_dump --format=custom --file=bodymap.dump DBNAME (see the README's Backups)."
            )
        raise BackupRefused(f"The database is {url.get_backend_name()}: back it up with that database's own tools.")
    if not url.database or url.database == ":memory:":
        raise BackupRefused("The database is in memory: there is nothing on disk to back up.")
    return Path(url.database)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection that never creates the file by mistake (`mode=rw` fails on a missing one)."""
    return sqlite3.connect(f"file:{urllib.parse.quote(str(path.resolve()))}?mode={mode}", uri=True, timeout=30)


def backup(database_url: str, path: Path, overwrite: bool = False) -> Backup:
    """Copy the SQLite database of `database_url` to `path`, consistently, while the app may be writing to it."""
    source = sqlite_file(database_url)
    if not source.is_file():
        raise BackupRefused(f"There is no database at {source} to back up.")
    path = Path(path)
    if path.resolve() in {source.resolve(), *(source.resolve().with_name(source.name + s) for s in ("-wal", "-shm"))}:
        raise BackupRefused(f"{path} is the database itself: give the backup a path of its own.")
    if path.is_dir():
        raise BackupRefused(f"{path} is a folder: give the backup's file name, e.g. {path / 'bodymap.sqlite3'}.")
    if not path.parent.is_dir():
        raise BackupRefused(f"The folder {path.parent} does not exist.")
    if path.exists() and not overwrite:
        raise BackupRefused(f"{path} exists already: choose another name, or --force to replace it.")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with private_files():  # patients' details: readable by this user alone, like the database
            partial.unlink(missing_ok=True)
            with (
                contextlib.closing(_connect(source, "rw")) as live,
                contextlib.closing(_connect(partial, "rwc")) as copy,
            ):
                live.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one file: no -wal to carry along
                verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
                if verdict != "ok":
                    raise BackupRefused(f"The copy failed SQLite's integrity check ({verdict}); nothing was written.")
                requests = _count(copy, "callback_requests")
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        if overwrite:
            os.replace(partial, path)
        else:
            try:
                os.link(partial, path)  # fails if a file appeared at `path` meanwhile: never overwritten
            except FileExistsError:
                raise BackupRefused(f"{path} exists already: choose another name, or --force to replace it.") from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(source, path, path.stat().st_size, requests)


def _count(connection: sqlite3.Connection, table: str) -> int:
    """The rows of `table`; 0 when the schema has no such table yet."""
    found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] if found else 0
