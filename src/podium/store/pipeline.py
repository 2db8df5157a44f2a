"""A PostgreSQL transaction's hot statements, several to a round trip, on libpq's pipeline.

A task transition is ``BEGIN``, the channel-head lock, a read of the task, a status update, an event
append and ``COMMIT``. Sent one by one, each is a round trip while the writer holds its channel's head
row, and costs psycopg's per-statement Python. Here a transaction queues what it does not need an
answer to yet, and the queue goes out in one round trip with the next statement that needs one (a
read) or with ``COMMIT``: a transition is two or three round trips instead of five or six. Read-only
transactions queue their ``BEGIN`` the same way, and replays and the live feed read events here.

Contracts:

- ``begin`` opens a write transaction lazily: ``BEGIN`` and the head lock are queued, and the lock's
  row is handed to ``on_row`` when they are sent; ``begin_read_only`` queues the ``BEGIN`` of a
  REPEATABLE READ READ ONLY transaction. The connection is put in autocommit mode (SQLAlchemy
  restores the isolation level when it returns to the pool), so that psycopg sends no ``BEGIN`` of
  its own; ``commit`` ends the transaction.
- ``execute_later`` queues a write whose result is not needed; ``fetch`` sends the queue and one read,
  and answers the read's rows; ``flush`` sends the queue alone (``podium.store.driver`` does before its
  statements, and the engine before SQLAlchemy's); ``commit`` sends it with ``COMMIT``; ``discard``
  forgets it (before a rollback). A queued statement's error surfaces where the queue is sent; the
  statements after it in the queue are skipped and the transaction is failed.
- Statements are ``Prepared``: named ones are prepared once per connection (psycopg's own statement
  cache must be off, as ``engine`` sets it: it answers every rollback with ``DEALLOCATE ALL``). If the
  session lost them anyway (``DISCARD ALL``, a pooler), the error is SQLSTATE ``26000``, which
  ``errors.translate`` classifies as retryable; the next attempt prepares them again.
- Every psycopg error leaves as ``sqlalchemy.exc.DBAPIError`` (``as_dbapi_error``), so that
  ``errors.translate`` classifies them like those of SQLAlchemy's statements; a broken connection is
  invalidated.
"""

import re
import select
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import psycopg
from psycopg import pq
from psycopg.adapt import Transformer
from sqlalchemy import Connection, Executable, exc
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

MISSING_STATEMENT: Final = "26000"
"""SQLSTATE of a prepared statement the session no longer has."""

Row = tuple[Any, ...]

_PSYCOPG_DIALECT: Final = psycopg_dialect.dialect()  # type: ignore[no-untyped-call]
_QUEUE: Final = "podium.queued_statements"
"""Key of a connection's queue in its ``info`` (empty between transactions)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement with ``$1``… placeholders, whose parameters are sent as text (cast them in ``sql``).
    Prepared once per connection under ``name``; an empty name sends it unprepared."""

    name: bytes
    sql: bytes


@dataclass(frozen=True, slots=True)
class _Queued:
    statement: Prepared
    parameters: list[bytes | None]
    on_rows: Callable[[list[Row]], None] | None = None


_BEGIN: Final = Prepared(b"", b"BEGIN")
_BEGIN_READ_ONLY_QUEUED: Final = _Queued(
    Prepared(b"", b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"), []
)
_COMMIT: Final = _Queued(Prepared(b"", b"COMMIT"), [])

# The statements each live psycopg connection has prepared (forgotten with the connection).
_prepared: Final[weakref.WeakKeyDictionary[psycopg.Connection[Any], set[bytes]]] = weakref.WeakKeyDictionary()


@cache
def driver_sql(statement: Executable) -> str:
    """``statement`` as psycopg runs it (named ``%(name)s`` placeholders), compiled once."""
    return str(statement.compile(dialect=_PSYCOPG_DIALECT))  # type: ignore[attr-defined]


def prepared(name: str, statement: Executable, parameter_names: Sequence[str]) -> Prepared:
    """``statement`` as a ``Prepared`` named ``name``: its bind parameters become ``$1``… in the order
    of ``parameter_names``.

    Raises:
        ValueError: ``parameter_names`` does not name every bind parameter of ``statement``.
    """
    numbers = {parameter: f"${number}" for number, parameter in enumerate(parameter_names, start=1)}
    sql, replaced = re.subn(r"%\((\w+)\)s", lambda match: numbers[str(match.group(1))], driver_sql(statement))
    if replaced < len(numbers) or "%(" in sql:
        raise ValueError(f"{name}: parameters {parameter_names} do not match {sql!r}")
    return Prepared(name.encode(), sql.encode())


def begin(
    connection: Connection, lock: Prepared, parameters: Sequence[str | None], on_row: Callable[[Row], None]
) -> None:
    """Queue ``BEGIN`` and ``lock`` (a statement answering one row, handed to ``on_row``) as the first
    statements of ``connection``'s write transaction."""
    connection.execution_options(isolation_level="AUTOCOMMIT")
    connection.begin()  # SQLAlchemy's bookkeeping only: the server's BEGIN is queued below
    queue = connection.info[_QUEUE] = [_Queued(_BEGIN, [])]
    queue.append(_Queued(lock, _encoded(parameters), lambda rows: on_row(rows[0])))


def begin_read_only(connection: Connection) -> None:
    """Queue ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`` as the first statement of
    ``connection``'s transaction (sent with its first read; ``commit`` ends it)."""
    connection.execution_options(isolation_level="AUTOCOMMIT")
    connection.begin()  # SQLAlchemy's bookkeeping only, as in ``begin``
    connection.info[_QUEUE] = [_BEGIN_READ_ONLY_QUEUED]


def execute_later(connection: Connection, statement: Prepared, parameters: Sequence[str | None]) -> None:
    """Queue a write whose result is not needed.

    Raises:
        UnicodeEncodeError: a parameter is not valid Unicode (nothing is queued).
    """
    connection.info.setdefault(_QUEUE, []).append(_Queued(statement, _encoded(parameters)))


def fetch(connection: Connection, statement: Prepared, parameters: Sequence[str | None]) -> list[Row]:
    """Send the queue and ``statement`` in one round trip; answer ``statement``'s rows.

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused a statement or could not be reached.
    """
    rows: list[Row] = []
    queue = connection.info.pop(_QUEUE, [])
    queue.append(_Queued(statement, _encoded(parameters), rows.extend))
    _send(connection, queue)
    return rows


def flush(connection: Connection) -> None:
    """Send the queue now (nothing when it is empty).

    Raises:
        sqlalchemy.exc.DBAPIError: as ``fetch``.
    """
    queue = connection.info.pop(_QUEUE, None) if not connection.invalidated else None
    if queue:
        _send(connection, queue)


def discard(connection: Connection) -> None:
    """Forget the queue (before rolling back what it belonged to)."""
    if not connection.invalidated:  # an invalidated connection has no info (nor queue) left
        connection.info.pop(_QUEUE, None)


def commit(connection: Connection) -> None:
    """Send the queue with ``COMMIT`` in one round trip, and end SQLAlchemy's record of the transaction.

    Raises:
        sqlalchemy.exc.DBAPIError: the commit failed (or a queued statement); nothing is kept.
    """
    queue = connection.info.pop(_QUEUE, [])
    if queue == [_BEGIN_READ_ONLY_QUEUED]:
        queue = []  # a read-only transaction that ran no statement: nothing was begun
    if queue or raw_connection(connection).pgconn.transaction_status != pq.TransactionStatus.IDLE:
        _send(connection, [*queue, _COMMIT])
    connection.commit()


def raw_connection(connection: Connection) -> psycopg.Connection[Any]:
    """The psycopg connection under an SQLAlchemy one."""
    raw: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    return raw


@contextmanager
def as_dbapi_error(connection: Connection, statement: str) -> Iterator[None]:
    """Re-raise psycopg errors as SQLAlchemy's ``DBAPIError`` (invalidating a broken connection)."""
    try:
        yield
    except psycopg.Error as error:
        broken = raw_connection(connection).broken
        wrapped = exc.DBAPIError.instance(
            statement, None, error, psycopg.Error, connection_invalidated=broken
        )
        if broken:
            connection.invalidate(error)
        raise wrapped from error


def _encoded(parameters: Sequence[str | None]) -> list[bytes | None]:
    return [None if parameter is None else parameter.encode() for parameter in parameters]


def _send(connection: Connection, queue: list[_Queued]) -> None:
    """Send ``queue`` in one round trip and hand each statement's rows to its ``on_rows``."""
    raw = raw_connection(connection)
    with as_dbapi_error(connection, queue[-1].statement.sql.decode()):
        results = _run(raw, queue)
        transformer = Transformer(raw)
        for item, result in zip(queue, results, strict=True):
            if item.on_rows is not None:
                transformer.set_pgresult(result)
                item.on_rows(transformer.load_rows(0, result.ntuples, tuple))


def _run(raw: psycopg.Connection[Any], queue: list[_Queued]) -> list[Any]:
    """Send ``queue`` (preparing each statement this connection has not, right before its first use:
    after a leading ``BEGIN``, whose isolation level must come before any parsing), sync, and answer
    one result per statement of ``queue``.

    Raises:
        psycopg.Error: the first statement the server refused, or the connection failed.
    """
    pgconn = raw.pgconn
    known = _prepared.setdefault(raw, set())
    preparing: list[bytes] = []  # in the order sent: each one's result comes before its first use's
    is_query: list[bool] = []
    pgconn.enter_pipeline_mode()
    try:
        for item in queue:
            name = item.statement.name
            if not name:
                pgconn.send_query_params(item.statement.sql, item.parameters or None)
            else:
                if name not in known and name not in preparing:
                    pgconn.send_prepare(name, item.statement.sql)
                    preparing.append(name)
                    is_query.append(False)
                pgconn.send_query_prepared(name, item.parameters)
            is_query.append(True)
        pgconn.pipeline_sync()
        results = _results_until_sync(pgconn)
    finally:
        _leave_pipeline_mode(raw)
    prepare_results = [result for result, query in zip(results, is_query, strict=True) if not query]
    for name, result in zip(preparing, prepare_results, strict=True):
        if result.status == pq.ExecStatus.COMMAND_OK:
            known.add(name)
    failed = next((result for result in results if result.status == pq.ExecStatus.FATAL_ERROR), None)
    if failed is not None:
        error = psycopg.errors.error_from_result(failed, encoding=raw.info.encoding)
        if error.sqlstate == MISSING_STATEMENT:
            known.clear()  # prepared again on the next attempt
        raise error
    return [result for result, query in zip(results, is_query, strict=True) if query]


def _results_until_sync(pgconn: Any) -> list[Any]:
    """Every result of a pipeline up to its sync point (one per statement sent)."""
    while pgconn.flush():
        select.select([], [pgconn.socket], [])
    results: list[Any] = []
    while True:
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [])
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            continue
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return results
        results.append(result)


def _leave_pipeline_mode(raw: psycopg.Connection[Any]) -> None:
    """Back to normal mode; a connection that cannot get there (results left unread after an
    interruption) is closed, and the pool discards it."""
    pgconn = raw.pgconn
    if pgconn.status != pq.ConnStatus.OK or pgconn.pipeline_status == pq.PipelineStatus.OFF:
        return
    try:
        pgconn.exit_pipeline_mode()
    except psycopg.Error:
        raw.close()
