"""Reading the audit trail: the admins' filters, pages newest first, and every filtered row for the CSV.

Rows come newest first, by (at, id). Each filter has an index ending in (at, id) (see `AuditEvent`), and a page
after the first continues from a key, the id of the last row shown (`before`) or the first (`after`), never from an
OFFSET: page 20,000 costs what page 1 does, and a forged key is a row id like any other. The CSV walks the same way,
BATCH rows a query, so a million rows never sit in memory at once.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from bodymap.audit import ACTIONS
from bodymap.data.models import AuditEvent

PAGE_SIZE = 50
BATCH = 1000
COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.target_kind,
    AuditEvent.target_id,
    AuditEvent.old_value,
    AuditEvent.new_value,
    AuditEvent.address,
    AuditEvent.request_id,
)


class UnknownKey(LookupError):
    """A page key that names no row of the trail (forged, or purged since)."""


@dataclass(frozen=True)
class Filters:
    """What the admin asked for; empty means any. `since` and `until` are UTC, `until` excluded."""

    person: str = ""
    request: int | None = None
    action: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None

    def applied(self, query: Select) -> Select:
        if self.person:
            query = query.where(AuditEvent.actor == self.person)
        if self.request is not None:
            query = query.where(AuditEvent.target_kind == "request", AuditEvent.target_id == self.request)
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.since is not None:
            query = query.where(AuditEvent.at >= self.since)
        if self.until is not None:
            query = query.where(AuditEvent.at < self.until)
        return query


@dataclass(frozen=True)
class Page:
    rows: list  # rows of COLUMNS, newest first
    older: int | None  # the key of the next older page, when there is one
    newer: int | None  # the key of the next newer page, when there is one


def _key(db_session: Session, row_id: int) -> tuple[datetime.datetime, int]:
    at = db_session.scalar(select(AuditEvent.at).where(AuditEvent.id == row_id))
    if at is None:
        raise UnknownKey(row_id)
    return at, row_id


def _newest_first(query: Select) -> Select:
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def page(
    db_session: Session, filters: Filters, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of rows: the newest, or those just older than row `before`, or just newer than row `after`."""
    query = filters.applied(select(*COLUMNS))
    position = tuple_(AuditEvent.at, AuditEvent.id)
    if after is not None:
        key = _key(db_session, after)
        oldest_first = query.where(position > key).order_by(AuditEvent.at, AuditEvent.id)
        rows = list(db_session.execute(oldest_first.limit(size + 1)))
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return Page(rows, older=rows[-1].id if rows else None, newer=rows[0].id if rows and more_newer else None)
    if before is not None:
        query = query.where(position < _key(db_session, before))
    rows = list(db_session.execute(_newest_first(query).limit(size + 1)))
    more_older = len(rows) > size
    rows = rows[:size]
    return Page(
        rows,
        older=rows[-1].id if rows and more_older else None,
        newer=rows[0].id if rows and before is not None else None,
    )


def every_row(db_session: Session, filters: Filters, batch: int | None = None) -> Iterator:
    """Every row the filters keep, newest first, `batch` (BATCH) rows a query (each query ends its transaction)."""
    batch = batch or BATCH
    query = _newest_first(filters.applied(select(*COLUMNS)))
    last = None
    while True:
        step = query if last is None else query.where(tuple_(AuditEvent.at, AuditEvent.id) < last)
        rows = list(db_session.execute(step.limit(batch)))
        db_session.rollback()  # nothing held between batches: no long transaction while the file downloads
        yield from rows
        if len(rows) < batch:
            return
        last = (rows[-1].at, rows[-1].id)


def changes(row) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) for each value the row holds: ('status', 'new', 'contacted')."""
    old = json.loads(row.old_value) if row.old_value else {}
    new = json.loads(row.new_value) if row.new_value else {}
    return [(key, _text(old.get(key)), _text(new.get(key))) for key in dict.fromkeys([*old, *new])]


def _text(value) -> str | None:
    return None if value is None else str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = (
    "time (UTC)", "who", "action", "what it means", "target", "target id",
    "old value", "new value", "network", "request id",
)  # fmt: skip


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula (=, +, -, @, tab, return) gets a leading
    apostrophe, so an account named "=HYPERLINK(...)" cannot run anything on the reader's computer."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows) -> Iterator[str]:
    """The header, then each row, as CSV text (one string a row)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def line(cells) -> str:
        writer.writerow([safe_cell(cell) for cell in cells])
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    yield line(CSV_HEADER)
    for row in rows:
        yield line(
            (
                row.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                row.actor,
                row.action,
                ACTIONS.get(row.action, row.action),
                row.target_kind,
                row.target_id,
                row.old_value,
                row.new_value,
                row.address,
                row.request_id,
            )
        )
