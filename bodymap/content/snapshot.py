"""The last content that passed its checks, kept in the instance folder, so a broken file never takes the site down.

Each process that loads the content file and finds it valid keeps a copy of its bytes (written to a new file and
renamed into place, so a reader never sees half of one). A process that finds the file broken serves the copy
instead, says so once in the log with the file's problems, and `/readyz` says the content is stale and why.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from bodymap.content.model import Content
from bodymap.settings import private_files


@dataclass
class Served:
    """The content a process serves, in each of the clinic's languages, and where it came from."""

    by_language: dict[str, Content]
    source: Path  # the file read: the content file, or the snapshot when the file is broken
    digest: str  # of the bytes read: part of the version every stored page is tagged with
    problems: list[str] = field(default_factory=list)  # the content file's, while the snapshot is served
    saved_at: datetime.datetime | None = None  # when the snapshot served was taken (UTC)

    @property
    def stale(self) -> bool:
        return bool(self.problems)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _header(source: Path) -> bytes:
    """The snapshot's first line: which file it is a copy of (another file's copy is never served for this one)."""
    return f"# bodymap: the last good copy of {source.resolve()}, served while that file has problems\n".encode()


def keep(snapshot: Path, source: Path, data: bytes) -> None:
    """Keep `data` (the bytes of `source`, which passed its checks) as the snapshot, unless it already is."""
    data = _header(source) + data
    try:
        if snapshot.read_bytes() == data:
            return
    except OSError:
        pass
    partial = snapshot.with_name(f".{snapshot.name}.{os.getpid()}")
    try:
        with private_files():  # beside the secret key and the database: readable by this user alone
            partial.write_bytes(data)
        os.replace(partial, snapshot)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def of(snapshot: Path, source: Path) -> bool:
    """The snapshot is there, and is a copy of `source` (not of a file the app was set to read before)."""
    try:
        with snapshot.open("rb") as file:
            return file.readline() == _header(source)
    except OSError:
        return False


def saved_at(snapshot: Path) -> datetime.datetime:
    """When the snapshot was written (UTC, no zone, as the database keeps times)."""
    return datetime.datetime.fromtimestamp(snapshot.stat().st_mtime, datetime.UTC).replace(tzinfo=None)
