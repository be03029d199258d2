"""Made-up rows for benchmarks and demos: `flask --app bodymap seed --requests N --audit-events N --view-days N`.

Everything is invented: names from a fixed list of made-up names, numbers in 555-0100 to 555-0199 (set aside for
fiction), both languages, one to four areas a request from the loaded content's regions, statuses and calls spread
over the last RETENTION_DAYS (older requests are further along), audit rows spread over AUDIT_RETENTION_DAYS, and
view counts for every region and side on each of the last days. A few desk accounts are added for the calls and the
audit rows to name; their passwords are no hash at all, so no one can sign in with them.

Seeded requests carry a submission key that starts with KEY_PREFIX: that is how the seed knows its own rows, and it
refuses a database holding requests it did not make (real patients' requests) unless forced. Rows go in batches of
BATCH, each in a transaction of its own (on PostgreSQL with COPY), so a million audit rows take seconds, not minutes.

The vocabularies (regions and sides, feelings, durations, audit actions) come from the caller: this layer knows the
tables, not the features that give their columns meaning.
"""

from __future__ import annotations

import datetime
import json
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, select, text

from bodymap.data.models import CALL_OUTCOMES, PREFERRED_TIMES, CallbackRequest, RegionView, StaffMember, utcnow

KEY_PREFIX = "seed-"
BATCH = 50_000
NO_PASSWORD = "!seeded account: no password signs in"
FIRST_NAMES = (
    "Avery", "Bruno", "Carmen", "Dalia", "Elliot", "Fabián", "Greta", "Hollis", "Inés", "Jonah", "Kirra", "Lucía",
    "Marcus", "Nadia", "Oren", "Paloma", "Quincy", "Rosalind", "Santiago", "Tamsin", "Ulises", "Verity", "Wendell",
    "Ximena", "Yusuf", "Zelda",
)  # fmt: skip
LAST_NAMES = (
    "Abernathy", "Belmonte", "Castellanos", "Drummond", "Echeverría", "Fairweather", "Galindo", "Hargreave",
    "Ibarra", "Jessop", "Kettering", "Lozano", "Merriweather", "Navarrete", "Oakhurst", "Pemberton", "Quintero",
    "Rutherford", "Saldívar", "Thistlewood", "Urquiza", "Vantongeren", "Whitcombe", "Yáñez",
)  # fmt: skip
AREA_CODES = ("202", "312", "415", "503", "617", "720")
NOTES = {
    "en": (
        "",
        "",
        "",
        "Mornings are best.",
        "It started after gardening.",
        "Please leave a message.",
        "Worse at night",
    ),
    "es": ("", "", "", "Mejor por la mañana.", "Empezó después de correr.", "Puede dejar un mensaje."),
}
DESK_STAFF = 8
ADDRESSES = ("203.0.113.0", "198.51.100.0", "192.0.2.0", "2001:db8:1::")
# How often each kind of staff action happens, roughly, on a busy desk (the rest share what is left).
ACTION_WEIGHTS = {
    "queue_viewed": 30, "request_viewed": 25, "status_changed": 10, "call_logged": 10, "signed_in": 10,
    "signed_out": 6, "session_timed_out": 4, "sign_in_failed": 2, "csv_exported": 1,
}  # fmt: skip
REQUEST_ACTIONS = ("request_viewed", "status_changed", "call_logged")
STATUS_OUTCOMES = {
    "contacted": ("left_message", "callback", "no_answer"),
    "booked": ("booked",),
    "closed": ("physician", "information", "closed", "emergency"),
}


class NotOurs(Exception):
    """The database holds callback requests the seed did not make."""


@dataclass(frozen=True)
class Vocabulary:
    """What the rows may say: each region's slug and sides (empty: none), the feelings, durations and audit actions."""

    regions: tuple[tuple[str, tuple[str, ...]], ...]
    feelings: tuple[str, ...]
    durations: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Seeded:
    requests: int = 0
    areas: int = 0
    calls: int = 0
    audit_events: int = 0
    view_rows: int = 0

    def __str__(self) -> str:
        return (
            f"{self.requests} callback requests ({self.areas} areas), {self.calls} logged calls,"
            f" {self.audit_events} audit rows, {self.view_rows} daily view counts"
        )


def not_ours(connection: Connection) -> bool:
    """Whether any callback request was made by someone other than the seed."""
    query = select(CallbackRequest.id).where(CallbackRequest.submission_key.not_like(f"{KEY_PREFIX}%")).limit(1)
    return connection.scalar(query) is not None


def seed(
    engine: Engine,
    vocabulary: Vocabulary,
    *,
    requests: int = 0,
    audit_events: int = 0,
    view_days: int = 0,
    days: int = 90,
    audit_days: int = 2190,
    force: bool = False,
    seed_number: int = 27,
) -> Seeded:
    """Write the made-up rows (see the module's docstring); NotOurs unless the requests there are all seeded or
    `force`."""
    with engine.connect() as connection:
        if not force and not_ours(connection):
            raise NotOurs("this database holds callback requests the seed did not make")
    rng = random.Random(seed_number)
    now = utcnow().replace(microsecond=0)
    writer = _Writer(engine)
    try:
        staff = _staff(writer.engine, rng)
        made = _requests(writer, vocabulary, rng, requests, days, now, staff) if requests else (0, 0, 0)
        audit_rows = _audit_rows(rng, vocabulary, staff, audit_events, audit_days, now, writer.stamp)
        audited = writer.write("audit_events", AUDIT_COLUMNS, audit_rows)
        viewed = _views(writer, vocabulary, rng, view_days, now.date()) if view_days else 0
        with writer.engine.begin() as connection:  # the planner's statistics, as autovacuum would gather them later
            for table in ("callback_requests", "callback_areas", "call_logs", "call_log_areas", "audit_events"):
                connection.exec_driver_sql(f"ANALYZE {table}")
            connection.exec_driver_sql("ANALYZE region_views")
    finally:
        writer.close()
    return Seeded(*made, audited, viewed)


class _Writer:
    """Rows into a table, BATCH a transaction: COPY on PostgreSQL, executemany elsewhere. `stamp` writes a time or a
    day as the database takes it (in SQLite, the text SQLAlchemy keeps there, which sorts as the time does)."""

    def __init__(self, engine: Engine):
        self.postgresql = engine.dialect.name == "postgresql"
        # The app's engine cuts any operation longer than DATABASE_TIMEOUT_SECONDS (its watchdog, and on PostgreSQL a
        # statement_timeout): right for a page, not for a COPY of 50,000 rows. The seed has a plain engine of its own.
        url = engine.url.render_as_string(hide_password=False)
        self.engine = create_engine(url, hide_parameters=True) if self.postgresql else engine
        self.stamp = _same if self.postgresql else _sqlite_text

    def close(self) -> None:
        if self.postgresql:
            self.engine.dispose()

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        total = 0
        for batch in _batches(rows):
            with self.engine.begin() as connection:
                if self.postgresql:
                    raw = connection.connection.dbapi_connection
                    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
                else:  # the indexes of a million rows fit in memory while they grow: far fewer reads and writes
                    connection.exec_driver_sql("PRAGMA cache_size = -262144")
                    marks = ", ".join("?" for _ in columns)
                    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                    connection.exec_driver_sql(sql, batch)
            total += len(batch)
        return total


def _same(value):
    return value


def _sqlite_text(value: datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ", "microseconds")
    return value.isoformat()


def _batches(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _staff(engine: Engine, rng: random.Random) -> list[tuple[int, str]]:
    """The seeded desk accounts, (id, email), made when missing."""
    emails = [f"desk-{n + 1}@seeded.example" for n in range(DESK_STAFF)]
    with engine.begin() as connection:
        found = set(connection.scalars(select(StaffMember.email).where(StaffMember.email.in_(emails))))
        for email in emails:
            if email not in found:
                connection.execute(
                    StaffMember.__table__.insert().values(
                        email=email, password_hash=NO_PASSWORD, session_version=1, created_at=utcnow(),
                        role="desk", display_name=_name(rng), review_languages="",
                    )
                )  # fmt: skip
        rows = connection.execute(select(StaffMember.id, StaffMember.email).where(StaffMember.email.in_(emails)))
        return sorted((row.id, row.email) for row in rows)


REQUEST_COLUMNS = ("submission_key", "created_at", "name", "phone", "preferred_time", "note", "status", "language")
AREA_COLUMNS = ("callback_id", "position", "region", "side", "pain", "feelings", "duration")
CALL_COLUMNS = ("created_at", "outcome", "staff_id", "callback_id")
CALL_AREA_COLUMNS = ("call_id", "position", "region", "side")
AUDIT_COLUMNS = ("at", "staff_id", "actor", "action", "target_kind", "target_id", "old_value", "new_value", "address")


def _status(rng: random.Random, age: datetime.timedelta) -> str:
    """Newer requests are mostly new; older ones mostly booked or closed."""
    if age < datetime.timedelta(hours=20):
        return rng.choices(("new", "contacted", "booked"), (80, 15, 5))[0]
    if age < datetime.timedelta(days=3):
        return rng.choices(("new", "contacted", "booked", "closed"), (15, 35, 35, 15))[0]
    return rng.choices(("new", "contacted", "booked", "closed"), (1, 14, 50, 35))[0]


def _areas(rng: random.Random, vocabulary: Vocabulary) -> list[tuple[str, str | None]]:
    count = rng.choices((1, 2, 3, 4), (50, 30, 15, 5))[0]
    chosen: dict[tuple[str, str | None], None] = {}
    while len(chosen) < count:
        slug, sides = rng.choice(vocabulary.regions)
        side = rng.choice((*sides, None)) if sides else None
        chosen[(slug, side)] = None
        if len(chosen) >= sum(len(sides) + 1 for _, sides in vocabulary.regions):
            break
    return list(chosen)


def _requests(writer, vocabulary, rng, count, days, now, staff) -> tuple[int, int, int]:
    """The requests, oldest first, then their areas and their calls (found again by their keys)."""
    run = f"{KEY_PREFIX}{uuid.uuid4().hex[:12]}-"  # this run's keys: its rows are found again by them
    span = datetime.timedelta(days=days).total_seconds()
    made, moments = [], []
    for n in range(count):
        created = now - datetime.timedelta(seconds=span * (count - n) / (count + 1) + rng.uniform(0, 60))
        language = "es" if rng.random() < 0.25 else "en"
        phone = f"+1{rng.choice(AREA_CODES)}5550{rng.randrange(100, 200)}"
        status = _status(rng, now - created)
        key = f"{run}{n:08d}"
        moments.append(created)
        time, note = rng.choice(tuple(PREFERRED_TIMES)), rng.choice(NOTES[language])
        made.append((key, writer.stamp(created), _name(rng), phone, time, note, status, language))
    writer.write("callback_requests", REQUEST_COLUMNS, made)
    with writer.engine.connect() as connection:
        query = select(CallbackRequest.submission_key, CallbackRequest.id)
        ids = dict(connection.execute(query.where(CallbackRequest.submission_key.like(f"{run}%"))).all())
    area_rows, calls, call_areas = [], [], []
    for (key, *_, status, _language), created in zip(made, moments, strict=True):
        areas = _areas(rng, vocabulary)
        for position, (slug, side) in enumerate(areas):
            pain = None if rng.random() < 0.2 else rng.randint(1, 10)
            feelings = ",".join(rng.sample(vocabulary.feelings, rng.randint(0, 2)))
            duration = rng.choice((None, *vocabulary.durations))
            area_rows.append((ids[key], position, slug, side, pain, feelings, duration))
        if status != "new":
            at = min(now, created + datetime.timedelta(minutes=rng.randint(20, 60 * 30)))
            calls.append((writer.stamp(at), rng.choice(STATUS_OUTCOMES[status]), rng.choice(staff)[0], ids[key]))
            call_areas.append(areas[:2])
    for _ in range(count // 5):  # patients who phoned in: calls about no request
        at = now - datetime.timedelta(seconds=rng.uniform(0, span))
        calls.append((writer.stamp(at), rng.choice(tuple(CALL_OUTCOMES)), rng.choice(staff)[0], None))
        call_areas.append(_areas(rng, vocabulary)[:2])
    writer.write("callback_areas", AREA_COLUMNS, area_rows)
    order = sorted(range(len(calls)), key=lambda n: calls[n][0])  # calls come in the order they were made
    calls, call_areas = [calls[n] for n in order], [call_areas[n] for n in order]
    with writer.engine.connect() as connection:
        before = connection.scalar(text("SELECT coalesce(max(id), 0) FROM call_logs"))
    writer.write("call_logs", CALL_COLUMNS, calls)
    with writer.engine.connect() as connection:
        call_ids = list(connection.scalars(text("SELECT id FROM call_logs WHERE id > :n ORDER BY id"), {"n": before}))
    rows = [(call_id, p, slug, side) for call_id, areas in zip(call_ids, call_areas, strict=True)
            for p, (slug, side) in enumerate(areas)]  # fmt: skip
    writer.write("call_log_areas", CALL_AREA_COLUMNS, rows)
    return len(made), len(area_rows), len(calls)


def _audit_rows(rng, vocabulary, staff, count, audit_days, now, stamp) -> Iterator[tuple]:
    """`count` staff actions, oldest first, evenly over the last `audit_days` days (the choices made up front: a
    million rows must take seconds)."""
    actions = [a for a in vocabulary.actions if a in ACTION_WEIGHTS] or list(vocabulary.actions)
    weights = [ACTION_WEIGHTS.get(a, 1) for a in actions]
    span = datetime.timedelta(days=audit_days).total_seconds() - 3600
    step = datetime.timedelta(seconds=span / max(count, 1))
    at = now - datetime.timedelta(seconds=span)
    statuses = [
        tuple(json.dumps({"status": value}, separators=(",", ":")) for value in pair)
        for pair in (("new", "contacted"), ("contacted", "booked"), ("new", "closed"))
    ]
    shown = [json.dumps({"shown": n}, separators=(",", ":")) for n in range(5, 51)]
    who = rng.choices(staff, k=count)
    where = rng.choices(ADDRESSES, k=count)
    spread = rng.choices(range(200), k=count)
    for n, action in enumerate(rng.choices(actions, weights, k=count)):
        staff_id, email = who[n]
        target_kind = target_id = old = new = None
        if action in REQUEST_ACTIONS:
            target_kind, target_id = "request", 1 + n // 100 + spread[n]
            if action == "status_changed":
                old, new = statuses[spread[n] % 3]
        elif action == "queue_viewed":
            new = shown[spread[n] % len(shown)]
        elif action == "sign_in_failed":
            staff_id = None
        yield (stamp(at), staff_id, email, action, target_kind, target_id, old, new, where[n])
        at += step


def _views(writer, vocabulary, rng, view_days, today) -> int:
    """A count for every region and side (none chosen too) on each of the last `view_days` days that has none yet."""
    first = today - datetime.timedelta(days=view_days - 1)
    with writer.engine.connect() as connection:
        taken = set(connection.scalars(select(RegionView.day).where(RegionView.day >= first).distinct()))
    popularity = {slug: rng.uniform(0.2, 1.0) for slug, _ in vocabulary.regions}

    def rows() -> Iterator[tuple]:
        for n in range(view_days):
            day = first + datetime.timedelta(days=n)
            if day in taken:
                continue
            for slug, sides in vocabulary.regions:
                for side in ("", *sides):
                    yield (writer.stamp(day), slug, side, int(rng.expovariate(1 / (40 * popularity[slug]))))

    return writer.write("region_views", ("day", "region", "side", "views"), rows())
