"""``SqlDatabase``: transactions (begin, commit, roll back in one place), error translation and waiting
for events, over PostgreSQL or SQLite. ``open_database`` is the entry point.

Transactions:

- PostgreSQL writes run READ COMMITTED and their first statement locks the channel's head row, which
  serializes the writers of one channel (not of other channels) and reads the head for the event log
  in the same round trip (``BEGIN`` and the lock are queued and sent with the transaction's first
  statement, ``podium.store.pipeline``). The writers of a channel that queue behind each other in this process
  share one transaction, each in a savepoint, and one commit (``podium.store.batches``).
  SERIALIZABLE would not help here: a waiter's snapshot would predate the lock and fail every time.
  Reads run REPEATABLE READ READ ONLY, their ``BEGIN`` queued and sent with their first statement.
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
from podium.store import driver, pipeline
from podium.store.batches import Batch, Batches
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
        # SQLite's writers, which the database file serializes anyway, take turns in this process: a
        # waiting thread holds no connection instead of spinning on the busy timeout.
        self._writers = threading.Lock()
        self._batches = Batches()
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
        if self._dialect == "postgresql" and not read_only:
            yield from self._run_in_batch(channel)
            return
        turns: AbstractContextManager[object]
        if self._turns is not None:
            turns = self._turns
        elif read_only:
            turns = nullcontext()
        else:
            turns = self._writers
        with turns:
            state = yield from self._run(channel, read_only)
        if state.appended:
            self._waiters.wake(channel)

    def writers_sharing(self, channel: str) -> int:
        """PostgreSQL: the writers of ``channel`` in its open shared transaction (group commit) now."""
        return self._batches.writers(channel)

    def _run_in_batch(self, channel: str) -> Generator[SqlTransaction, None, None]:
        """A PostgreSQL write as a member of its channel's shared transaction (``podium.store.batches``):
        returns once the shared commit succeeded; raises its own work's error, or the commit's."""
        batch = self._batches.join(channel)
        succeeded = False
        try:
            with batch.turn:
                state, savepoint = self._member_begin(batch)
                try:
                    yield SqlTransaction(state)
                except exc.DBAPIError as error:
                    self._member_undo(batch, savepoint)
                    _raise_translated(error)
                except BaseException:
                    self._member_undo(batch, savepoint)
                    raise
                batch.kept = state
                succeeded = True
        finally:
            self._batches.leave(batch, self._finish_batch)
        if succeeded:
            batch.finished.wait()
            if batch.outcome is not None:
                raise _again(batch.outcome) from batch.outcome

    def _member_begin(self, batch: Batch) -> tuple[TxState, str | None]:
        """The member's state on the batch's connection: the transaction begun (with the head lock) by
        its first member, a savepoint for the next ones."""
        if batch.failure is not None:
            raise _again(batch.failure) from batch.failure
        if batch.connection is None:
            batch.connection, state = self._open(batch.channel, read_only=False)
            return state, None
        kept = batch.kept
        if kept is None:  # pragma: no cover - the first member holds the turn until it succeeds or undoes
            raise RuntimeError("shared transaction without a member's state")
        batch.savepoints += 1
        savepoint = f"member_{batch.savepoints}"
        try:
            driver.execute(batch.connection, f"SAVEPOINT {savepoint}", ())
        except exc.DBAPIError as error:
            batch.failure = translate(error)
            raise batch.failure from error
        state = TxState(
            batch.connection,
            batch.channel,
            datetime.now(UTC),
            self._dialect,
            read_only=False,
            head=kept.head,
            appended=kept.appended,
            saved_position=kept.saved_position,
            head_locked=True,
        )
        return state, savepoint

    def _member_undo(self, batch: Batch, savepoint: str | None) -> None:
        """Undo a member whose work raised: its savepoint, or the whole transaction when it ran first."""
        connection = batch.connection
        if connection is None:  # pragma: no cover - undo runs on a begun batch
            return
        pipeline.discard(connection)
        if savepoint is None:
            _rollback_quietly(connection)
            connection.close()
            batch.connection = None
            return
        try:
            driver.execute(connection, f"ROLLBACK TO SAVEPOINT {savepoint}", ())
        except exc.DBAPIError as error:
            batch.failure = translate(error)

    def _finish_batch(self, batch: Batch) -> None:
        """Commit what the batch's members kept (or roll back), then release the members waiting."""
        connection = batch.connection
        try:
            if connection is None:
                return
            state = batch.kept
            if batch.failure is not None or state is None:
                batch.outcome = batch.failure
                _rollback_quietly(connection)
                return
            try:
                _commit(state)
            except exc.DBAPIError as error:
                batch.outcome = translate(error)
                _rollback_quietly(connection)
                return
            if state.appended:
                self._waiters.wake(batch.channel)
        except BaseException as error:  # pragma: no cover - waiting members must never hang
            batch.outcome = error
            raise
        finally:
            if connection is not None:
                connection.close()
            batch.finished.set()

    def _run(self, channel: str, read_only: bool) -> Generator[SqlTransaction, None, TxState]:
        connection, state = self._open(channel, read_only)
        try:
            try:
                yield SqlTransaction(state)
                _commit(state)
            except exc.DBAPIError as error:
                _raise_translated(error)
            return state
        except BaseException:
            _rollback_quietly(connection)
            raise
        finally:
            connection.close()

    def _open(self, channel: str, read_only: bool) -> tuple[Connection, TxState]:
        """A pooled connection with its transaction begun; nothing is left open when this raises.

        Raises:
            RetryableConflict, Unavailable: as ``transaction``.
        """
        try:
            connection = self._engine.connect()
        except exc.DBAPIError as error:
            _raise_translated(error)
        try:
            return connection, self._begin(connection, channel, read_only)
        except BaseException as error:
            _rollback_quietly(connection)
            connection.close()
            if isinstance(error, exc.DBAPIError):
                _raise_translated(error)
            raise

    def _begin(self, connection: Connection, channel: str, read_only: bool) -> TxState:
        state = TxState(connection, channel, datetime.now(UTC), self._dialect, read_only)
        if self._dialect != "postgresql":
            connection.execution_options(**{WRITE_OPTION: not read_only})
            connection.begin()
        elif read_only:
            pipeline.begin_read_only(connection)
        else:
            begin_locking_head(state)
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


def _commit(state: TxState) -> None:
    """Save the head (after appends) and commit the transaction of ``state``."""
    save_head(state)
    if state.dialect == "postgresql":
        pipeline.commit(state.connection)
    else:
        state.connection.commit()


def _again(error: BaseException) -> BaseException:
    """A fresh exception like ``error``, for one member of a batch (members share the batch's error;
    raising one instance from several threads would mix their tracebacks)."""
    try:
        return type(error)(*error.args)
    except TypeError:  # pragma: no cover - an exception class with another constructor
        return error


def _rollback_quietly(connection: Connection) -> None:
    pipeline.discard(connection)
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
