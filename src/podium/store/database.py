"""``SqlDatabase``: transactions (begin, commit, roll back in one place), error translation and waiting
for events, over PostgreSQL or SQLite. ``open_database`` is the entry point.

Transactions:

- PostgreSQL writes run READ COMMITTED and their first statement locks the channel's head row, which
  serializes the writers of one channel (not of other channels) and reads the head for the event log
  in the same round trip. SERIALIZABLE would not help here: a waiter's snapshot would predate the lock
  and fail every time. Reads run REPEATABLE READ READ ONLY.
- SQLite: ``BEGIN IMMEDIATE`` for writes (one writer at a time), ``BEGIN`` for reads, WAL and a busy
  timeout. An in-memory database has one connection, shared by all threads under a lock.

Errors: serialization failures, deadlocks, unique keys raced across channels and SQLite busy raise
``ports.RetryableConflict``; lost connections raise ``ports.Unavailable``.
"""

import logging
import threading
from collections.abc import Generator, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, NoReturn

from sqlalchemy import Connection, Engine, exc

from podium.app.ports import Database
from podium.store import driver
from podium.store.engine import WRITE_OPTION, create_podium_engine, is_memory
from podium.store.errors import translate
from podium.store.eventlog import begin_locking_head, save_head
from podium.store.migrate import SchemaNewerThanCode, SchemaOutOfDate, check_schema, upgrade_connection
from podium.store.notify import PgListener, Waiters, wait_for_head
from podium.store.state import TxState
from podium.store.transaction import SqlTransaction

_log: Final = logging.getLogger(__name__)

__all__ = ["SchemaNewerThanCode", "SchemaOutOfDate", "SqlDatabase", "open_database"]


def _raise_translated(error: exc.DBAPIError) -> NoReturn:
    translated = translate(error)
    if translated is error:
        raise error
    raise translated from error


class SqlDatabase:
    """``ports.Database`` over an SQLAlchemy engine. Build it with ``open_database``; ``close()`` it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        self._waiters = Waiters()
        # An in-memory SQLite database is one connection: transactions must take turns.
        self._turns: threading.RLock | None = threading.RLock() if is_memory(engine.url) else None
        self._writers = _WriterTurns(per_channel=self._dialect == "postgresql")
        self._listener: PgListener | None = None
        if self._dialect == "postgresql":
            conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listener = PgListener(conninfo, self._waiters)

    @property
    def engine(self) -> Engine:
        """The underlying engine (for tests and maintenance tools)."""
        return self._engine

    @property
    def dialect(self) -> str:
        """``"postgresql"`` or ``"sqlite"``."""
        return self._dialect

    @contextmanager
    def transaction(self, channel: str, *, read_only: bool) -> Iterator[SqlTransaction]:
        """Begin a transaction in ``channel``: commit when the block ends normally, roll back when it
        raises. ``now`` is taken once, here.

        Raises:
            RetryableConflict: the unit of work lost a race and may run again.
            Unavailable: the database cannot be reached.
        """
        turns: AbstractContextManager[object]
        if self._turns is not None:
            turns = self._turns
        elif read_only:
            turns = nullcontext()
        else:
            turns = self._writers.of(channel)
        with turns:
            state = yield from self._run(channel, read_only)
        if state.appended:
            self._waiters.wake(channel)

    def _run(self, channel: str, read_only: bool) -> Generator[SqlTransaction, None, TxState]:
        try:
            connection = self._engine.connect()
        except exc.DBAPIError as error:
            _raise_translated(error)
        try:
            try:
                state = self._begin(connection, channel, read_only)
            except exc.DBAPIError as error:
                _raise_translated(error)
            try:
                yield SqlTransaction(state)
                save_head(state)
                if state.head_locked:
                    driver.commit(connection)
                else:
                    connection.commit()
            except exc.DBAPIError as error:
                _raise_translated(error)
            return state
        except BaseException:
            _rollback_quietly(connection)
            raise
        finally:
            connection.close()

    def _begin(self, connection: Connection, channel: str, read_only: bool) -> TxState:
        if self._dialect == "postgresql":
            if read_only:
                connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        else:
            connection.execution_options(**{WRITE_OPTION: not read_only})
        now = datetime.now(UTC)
        state = TxState(connection, channel, now, self._dialect, read_only)
        if self._dialect == "postgresql" and not read_only:
            begin_locking_head(state)
        else:
            connection.begin()
        return state

    def wait_for_events(self, channel: str, after_position: int, timeout: float) -> bool:
        """Block until an event past ``after_position`` may exist in ``channel`` or ``timeout`` seconds
        pass. True means "look again" (a hint, not a promise)."""
        if self._listener is not None:
            self._listener.ensure_started(timeout)
        return wait_for_head(self._waiters, channel, after_position, timeout, lambda: self._head(channel))

    def _head(self, channel: str) -> int:
        with self.transaction(channel, read_only=True) as tx:
            return tx.events.head()[0]

    def close(self) -> None:
        """Stop the listener and close every pooled connection."""
        if self._listener is not None:
            self._listener.close()
        self._engine.dispose()


class _WriterTurns:
    """In-process turns of the write transactions that the database would serialize anyway.

    The writers of a PostgreSQL channel queue on the channel's head row, SQLite's on the database file.
    Queueing first on a lock of this process costs nothing in concurrency and keeps the waiters off
    the database: a waiting thread holds no pooled connection and sends no statement, and the writer
    holding the turn competes with fewer runnable threads for the interpreter while it holds the row
    lock. Writers in other processes still queue on the database.
    """

    def __init__(self, *, per_channel: bool) -> None:
        self._per_channel = per_channel
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def of(self, channel: str) -> threading.Lock:
        """The lock of ``channel``'s writers (one lock for every channel of an SQLite database)."""
        name = channel if self._per_channel else ""
        with self._guard:
            lock = self._locks.get(name)
            if lock is None:
                lock = self._locks[name] = threading.Lock()
            return lock


def _rollback_quietly(connection: Connection) -> None:
    try:
        connection.rollback()
    except exc.DBAPIError as error:
        # The connection is already broken; the original error is the one worth raising.
        _log.debug("rollback failed: %s", error)


def open_database(url: str, *, auto_migrate: bool | None = None) -> SqlDatabase:
    """Open the database at ``url`` (``sqlite:///file.db``, ``sqlite://``, ``postgresql://…``).

    Args:
        url: the database URL.
        auto_migrate: bring the schema to the code's revision first. Defaults to True for SQLite (the
            embedded mode) and False for PostgreSQL (``podium migrate`` is a separate step).

    Raises:
        SchemaOutOfDate: the schema is behind the code and ``auto_migrate`` is off.
        SchemaNewerThanCode: the database was migrated by newer code (always refused).
        Unavailable: the database cannot be reached.
    """
    engine = create_podium_engine(url)
    if auto_migrate is None:
        auto_migrate = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if auto_migrate:
                upgrade_connection(connection)
            else:
                check_schema(connection)
    except exc.DBAPIError as error:
        engine.dispose()
        _raise_translated(error)
    except BaseException:
        engine.dispose()
        raise
    return SqlDatabase(engine)


if TYPE_CHECKING:

    def _implements_port(database: SqlDatabase) -> Database:
        """Static proof that ``SqlDatabase`` implements ``ports.Database`` (checked by mypy)."""
        return database
