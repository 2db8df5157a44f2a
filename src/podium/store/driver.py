"""The hot statements of PostgreSQL transactions, run on psycopg directly.

A task transition is a handful of short statements (lock the channel head, read the task, update it,
append its event, commit), each a round trip made while the writer holds its channel's head row. Run
through SQLAlchemy, each also cost as much Python as the database spent on it. Here the store runs
those statements on the driver connection underneath the SQLAlchemy one, in the same transaction:
server-side binding as before (psycopg prepares a statement after a few runs), no result-object
machinery, and ``BEGIN`` sent with the head lock in one message.

Contracts:

- ``begin_with_head_lock`` opens a write transaction and runs the head lock in one round trip. The
  connection is put in autocommit mode for it (SQLAlchemy restores the isolation level when the
  connection returns to the pool), so that the driver sends no ``BEGIN`` of its own; ``commit`` ends it.
- ``fetch_all`` and ``execute`` run one statement in the connection's open transaction; ``copy_rows``
  streams a large batch of rows with ``COPY`` (``copy_rows_unless_taken`` in a savepoint, for rows
  whose keys may be taken).
- Every psycopg error leaves as ``sqlalchemy.exc.DBAPIError``, like the errors of statements run through
  SQLAlchemy, so that ``errors.translate`` classifies both alike; a broken connection is invalidated.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, Final

import psycopg
from sqlalchemy import Connection, Executable, exc
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

_PSYCOPG_DIALECT: Final = psycopg_dialect.dialect()  # type: ignore[no-untyped-call]

Parameters = Sequence[Any] | Mapping[str, Any]


def begin_with_head_lock(connection: Connection, lock_sql: str, parameters: Parameters) -> tuple[Any, ...]:
    """Begin ``connection``'s write transaction and run ``lock_sql`` (a statement that returns one row)
    in one round trip; answer that row.

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused or could not be reached.
    """
    connection.execution_options(isolation_level="AUTOCOMMIT")
    connection.begin()  # SQLAlchemy's bookkeeping only: the server's BEGIN is sent below
    raw = _driver(connection)
    with _as_dbapi_error(connection, lock_sql):
        cursor = psycopg.ClientCursor(raw)
        # One simple-protocol message of two statements; the parameters are quoted by the driver.
        cursor.execute("BEGIN; " + cursor.mogrify(lock_sql, parameters))
        cursor.nextset()
        row: tuple[Any, ...] | None = cursor.fetchone()
    if row is None:  # pragma: no cover - the head lock always answers its row
        raise RuntimeError(f"no row from {lock_sql!r}")
    return row


def fetch_all(connection: Connection, sql: str, parameters: Parameters) -> list[tuple[Any, ...]]:
    """Run a read (``%s``/``%b`` or ``%(name)s`` placeholders) and answer its rows as tuples.

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused the statement or could not be reached.
    """
    with _as_dbapi_error(connection, sql):
        return _driver(connection).execute(sql, parameters).fetchall()


def execute(connection: Connection, sql: str, parameters: Parameters) -> None:
    """Run a write whose result is not needed.

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused the statement or could not be reached.
    """
    with _as_dbapi_error(connection, sql):
        _driver(connection).execute(sql, parameters)


def copy_rows(connection: Connection, copy_sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Stream ``rows`` into ``copy_sql`` (``COPY table (columns…) FROM STDIN``) in the open transaction:
    for large batches, cheaper than any ``INSERT`` for both sides (no arrays to build and expand).

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused a row or could not be reached.
    """
    with (
        _as_dbapi_error(connection, copy_sql),
        _driver(connection).cursor() as cursor,
        cursor.copy(copy_sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def copy_rows_unless_taken(connection: Connection, copy_sql: str, rows: Iterable[Sequence[Any]]) -> bool:
    """``copy_rows`` inside a savepoint: answer False, with nothing of it kept and the transaction
    still usable, when a row's unique key is taken (the caller then finds out which, another way).

    Raises:
        sqlalchemy.exc.DBAPIError: any other refusal, or the database could not be reached.
    """
    try:
        with _as_dbapi_error(connection, copy_sql), _driver(connection).transaction():
            copy_rows(connection, copy_sql, rows)
    except exc.IntegrityError as error:
        if isinstance(error.orig, psycopg.errors.UniqueViolation):
            return False
        raise
    return True


def commit(connection: Connection) -> None:
    """Commit a transaction begun by ``begin_with_head_lock`` and end SQLAlchemy's record of it.

    Raises:
        sqlalchemy.exc.DBAPIError: the commit failed; the transaction is not kept.
    """
    with _as_dbapi_error(connection, "COMMIT"):
        _driver(connection).commit()
    connection.commit()


@cache
def driver_sql(statement: Executable) -> str:
    """``statement`` as psycopg runs it (named ``%(name)s`` placeholders), compiled once."""
    return str(statement.compile(dialect=_PSYCOPG_DIALECT))  # type: ignore[attr-defined]


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    raw: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    return raw


@contextmanager
def _as_dbapi_error(connection: Connection, statement: str) -> Iterator[None]:
    """Re-raise psycopg errors as SQLAlchemy's ``DBAPIError`` (invalidating a broken connection)."""
    try:
        yield
    except psycopg.Error as error:
        broken = _driver(connection).broken
        wrapped = exc.DBAPIError.instance(
            statement, None, error, psycopg.Error, connection_invalidated=broken
        )
        if broken:
            connection.invalidate(error)
        raise wrapped from error
