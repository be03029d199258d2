"""The database engine: SQLite in the instance folder by default (WAL with synchronous=NORMAL, busy timeout, foreign
keys on); any SQLAlchemy URL in DATABASE_URL instead, PostgreSQL included.

Every wait on the database is bounded, so a database that stops answering costs a patient a quick 503, never a
worker:

- **SQLite** waits at most DATABASE_BUSY_TIMEOUT_MS for a lock another writer holds.
- **PostgreSQL**: connecting gives up after DATABASE_TIMEOUT_SECONDS; the server ends a statement that runs
  longer than that (plus a little); TCP keepalives and `tcp_user_timeout` end a connection whose packets go
  nowhere; a request waits at most two seconds for a free connection from the pool.
- None of those ends the wait on a server that accepts and then never answers (its kernel acknowledges every
  byte), so the app keeps a limit of its own: a watchdog thread in each process (`Deadlines`) cuts the socket of
  any connection that has waited on one operation for longer than DATABASE_TIMEOUT_SECONDS, which ends the wait
  with an error at once. After a cut or a connection that timed out, the process stops trying the database for
  DATABASE_PAUSE_SECONDS (a circuit breaker): every request that needs it answers its 503 at once, then the next
  one tries again, and the same workers serve as soon as the database answers.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, NoSuchModuleError, SQLAlchemyError

from bodymap.settings import ConfigError

POOL_WAIT_SECONDS = 2  # a request waits at most this for a free connection
WATCH_INTERVAL = 0.25  # how often the watchdog looks
ACTIVE = 1  # libpq's PQTRANS_ACTIVE: a command is in flight


DEADLINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its Deadlines (PostgreSQL only)


class DatabasePaused(SQLAlchemyError):
    """The database did not answer in time a moment ago: this process is not trying it again just yet."""


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, busy_timeout_ms: int = 3000, timeout: float = 3.0, pause: float = 10.0) -> Engine:
    """An engine that never writes statement parameters (patients' details) into errors or logs."""
    try:
        return _engine(database_url(url), busy_timeout_ms, timeout, pause)
    except (ArgumentError, ImportError, NoSuchModuleError) as error:
        raise ConfigError(f"DATABASE_URL is not a database address this app can use: {error}") from None


def _engine(url: str, busy_timeout_ms: int, timeout: float, pause: float) -> Engine:
    if make_url(url).get_backend_name() == "postgresql":
        return _postgresql(url, timeout, pause)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, hide_parameters=True, pool_pre_ping=True, pool_timeout=POOL_WAIT_SECONDS)
    in_memory = make_url(url).database in (None, "", ":memory:")  # one connection per thread: no pool to wait on
    pool = {} if in_memory else {"pool_timeout": POOL_WAIT_SECONDS}
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": busy_timeout_ms / 1000}, **pool)

    @event.listens_for(engine, "connect")
    def sqlite_pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL waits for the disk at each checkpoint, not at each commit: a callback request's commit
        # costs no fsync, so the write lock is held for microseconds rather than a disk's flush and the other workers
        # do not queue (and sleep) behind it. The database cannot be corrupted this way; a power cut (not a crash of
        # the app) may lose the last commits before the checkpoint.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _postgresql(url: str, timeout: float, pause: float) -> Engine:
    connect_args = {
        "connect_timeout": max(1, round(timeout)),
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 3,
        "keepalives_count": 3,
        "tcp_user_timeout": int(timeout * 1000),
    }
    engine = create_engine(url, hide_parameters=True, pool_timeout=POOL_WAIT_SECONDS, connect_args=connect_args)
    deadlines = DEADLINES[engine] = Deadlines(timeout, pause)

    @event.listens_for(engine, "do_connect")
    def not_while_paused(dialect, conn_rec, cargs, cparams) -> None:
        deadlines.refuse_while_paused()

    @event.listens_for(engine, "connect")
    def watched(dbapi_connection, _record) -> None:
        deadlines.watch(dbapi_connection)
        with dbapi_connection.cursor() as cursor:  # the server ends what runs too long, whatever the client does
            cursor.execute(f"SET statement_timeout = {int((timeout + 2) * 1000)}")
        dbapi_connection.commit()

    @event.listens_for(engine, "checkout")
    def answers(dbapi_connection, _record, _proxy) -> None:
        """A connection from the pool is tried first (SQLAlchemy's pre-ping, with the watchdog over it)."""
        deadlines.refuse_while_paused()
        try:  # outside a transaction: one round trip, where BEGIN, SELECT 1 and ROLLBACK took three
            dbapi_connection.autocommit = True
            try:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            finally:
                dbapi_connection.autocommit = False
        except Exception as error:  # noqa: BLE001 - any failure: this connection is no good
            if deadlines.was_cut(dbapi_connection):
                raise DatabasePaused("the database did not answer within the time allowed") from error
            raise DisconnectionError("the connection from the pool did not answer") from error

    @event.listens_for(engine, "before_cursor_execute")
    def operation(conn, cursor, statement, parameters, context, executemany) -> None:
        deadlines.started(cursor.connection)

    @event.listens_for(engine, "handle_error")
    def timed_out(context) -> None:
        dbapi_connection = getattr(context.connection, "connection", None)
        connection = getattr(dbapi_connection, "dbapi_connection", None)
        timed = type(context.original_exception).__name__ == "ConnectionTimeout"
        if timed or (connection is not None and deadlines.was_cut(connection)):
            deadlines.pause_now()

    return engine


class Deadlines:
    """The watchdog and the circuit breaker of one engine in one process (see the module's docstring)."""

    def __init__(self, timeout: float, pause: float):
        self.timeout = timeout
        self.pause = pause
        self.connections: weakref.WeakSet = weakref.WeakSet()
        self.busy: dict[int, tuple[int, float]] = {}  # id(connection) -> (its operation count, when first seen busy)
        self.operations: dict[int, int] = {}
        self.cut: set[int] = set()
        self.paused_until = 0.0
        self.lock = threading.Lock()
        self.watcher_pid: int | None = None

    # The breaker ---------------------------------------------------------------------------------------------------

    def pause_now(self) -> None:
        self.paused_until = time.monotonic() + self.pause

    @property
    def paused(self) -> bool:
        return time.monotonic() < self.paused_until

    def refuse_while_paused(self) -> None:
        if self.paused:
            raise DatabasePaused(f"the database did not answer a moment ago; trying again within {self.pause:g} s")

    # The watchdog --------------------------------------------------------------------------------------------------

    def watch(self, connection) -> None:
        """A new connection to watch (an id a cut one had is someone else's now)."""
        self.cut.discard(id(connection))
        self.operations.pop(id(connection), None)
        self.connections.add(connection)
        if self.watcher_pid != os.getpid():  # one watchdog per process (a forked worker starts its own)
            with self.lock:
                if self.watcher_pid != os.getpid():
                    self.watcher_pid = os.getpid()
                    threading.Thread(target=self._watch, name="database-deadlines", daemon=True).start()

    def started(self, connection) -> None:
        """An operation starts on `connection`: a new one, however busy the connection was a moment ago."""
        key = id(connection)
        self.operations[key] = self.operations.get(key, 0) + 1

    def was_cut(self, connection) -> bool:
        return id(connection) in self.cut

    def _watch(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL)
            now = time.monotonic()
            for connection in list(self.connections):
                try:
                    active = not connection.closed and connection.pgconn.transaction_status == ACTIVE
                except Exception:  # noqa: BLE001 - a connection closing as we look is not busy
                    active = False
                key = id(connection)
                if not active:
                    self.busy.pop(key, None)
                    continue
                count = self.operations.get(key, 0)
                seen = self.busy.get(key)
                if seen is None or seen[0] != count:
                    self.busy[key] = (count, now)
                elif now - seen[1] > self.timeout:
                    self._cut(connection)

    def _cut(self, connection) -> None:
        """End the wait: shut the socket down under the waiting thread, which then gets an error at once."""
        key = id(connection)
        self.cut.add(key)
        self.busy.pop(key, None)
        self.pause_now()
        try:
            with socket.socket(fileno=os.dup(connection.pgconn.socket)) as duplicate:
                duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
