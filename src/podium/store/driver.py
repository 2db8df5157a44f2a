"""PostgreSQL statements of a transaction that psycopg runs directly, under the SQLAlchemy connection.

Run through SQLAlchemy, a short statement costs as much Python as the database spends on it. Here the
store runs its reads and writes by key on the driver connection underneath the SQLAlchemy one, in the
same transaction, with no result-object machinery; ``podium.store.pipeline`` runs the hottest ones.

Contracts:

- ``fetch_all`` and ``execute`` run one statement in the connection's open transaction, after the
  statements ``pipeline`` has queued; ``copy_rows`` streams a large batch of rows with ``COPY``
  (``copy_rows_unless_taken`` in a savepoint, for rows whose keys may be taken).
- Every psycopg error leaves as ``sqlalchemy.exc.DBAPIError``, like the errors of statements run through
  SQLAlchemy, so that ``errors.translate`` classifies both alike; a broken connection is invalidated.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection, exc

from podium.store import pipeline
from podium.store.pipeline import as_dbapi_error, driver_sql, raw_connection

__all__ = ["copy_rows", "copy_rows_unless_taken", "driver_sql", "execute", "fetch_all"]

Parameters = Sequence[Any] | Mapping[str, Any]


def fetch_all(connection: Connection, sql: str, parameters: Parameters) -> list[tuple[Any, ...]]:
    """Run a read (``%s``/``%b`` or ``%(name)s`` placeholders) and answer its rows as tuples.

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused the statement (or a queued write) or could
            not be reached.
    """
    pipeline.flush(connection)
    with as_dbapi_error(connection, sql):
        return raw_connection(connection).execute(sql, parameters).fetchall()


def execute(connection: Connection, sql: str, parameters: Parameters) -> None:
    """Run a write whose result is not needed, now.

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused the statement (or a queued write) or could
            not be reached.
    """
    pipeline.flush(connection)
    with as_dbapi_error(connection, sql):
        raw_connection(connection).execute(sql, parameters)


def copy_rows(connection: Connection, copy_sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Stream ``rows`` into ``copy_sql`` (``COPY table (columns…) FROM STDIN``) in the open transaction:
    for large batches, cheaper than any ``INSERT`` for both sides (no arrays to build and expand).

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused a row or could not be reached.
    """
    pipeline.flush(connection)
    with (
        as_dbapi_error(connection, copy_sql),
        raw_connection(connection).cursor() as cursor,
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
    pipeline.flush(connection)  # outside the savepoint: a refused row must not undo them
    try:
        with as_dbapi_error(connection, copy_sql), raw_connection(connection).transaction():
            copy_rows(connection, copy_sql, rows)
    except exc.IntegrityError as error:
        if isinstance(error.orig, psycopg.errors.UniqueViolation):
            return False
        raise
    return True
