"""What every repository shares: the transaction state, dialect-specific inserts and key batching."""

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, Select, String, Table, any_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from podium.domain.errors import AlreadyExists
from podium.store import driver
from podium.store.bulk import unnest_insert
from podium.store.state import TxState

KEY_BATCH: Final = 5000
"""Keys per ``IN`` list, well under the bound-parameter limits of both databases."""


class Repository:
    """Base of the repositories: holds the transaction state."""

    __slots__ = ("_state",)

    def __init__(self, state: TxState) -> None:
        self._state = state

    @property
    def _connection(self) -> Connection:
        return self._state.connection

    @property
    def _channel(self) -> str:
        return self._state.channel


def batches(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    """``keys`` in slices of at most ``KEY_BATCH``."""
    for start in range(0, len(keys), KEY_BATCH):
        yield keys[start : start + KEY_BATCH]


@cache
def insert_new(table: Table, dialect: str) -> Insert:
    """``INSERT … ON CONFLICT (primary key) DO NOTHING RETURNING <primary key>``.

    The rows it returns are the ones inserted: a missing one names a taken key without aborting the
    transaction, in the same round trip.
    """
    module = postgresql if dialect == "postgresql" else sqlite
    key_columns = list(table.primary_key.columns)
    statement: Insert = (
        module.insert(table).on_conflict_do_nothing(index_elements=key_columns).returning(*key_columns)
    )
    return statement


def insert_checked(
    state: TxState, table: Table, rows: Sequence[Mapping[str, Any]], resource: str, key_of_row: str
) -> None:
    """Insert ``rows``; raise ``AlreadyExists`` naming the first key taken (in the batch or already).

    Args:
        state: the transaction.
        table: a table whose primary key is the single column ``key_of_row``.
        rows: the rows, in the caller's order.
        resource: the resource name for the error ("compute task" …).
        key_of_row: the primary-key column name.
    """
    if not rows:
        return
    keys = [row[key_of_row] for row in rows]
    check_distinct(keys, resource)
    if state.dialect == "postgresql":
        inserted = unnest_insert(state.connection, table, rows, returning_key=True)
    else:
        statement = insert_new(table, state.dialect)
        inserted = {row[0] for row in state.connection.execute(statement, list(rows))}
    check_all_inserted(keys, inserted, resource)


def check_distinct(keys: Sequence[object], resource: str) -> None:
    """Raise ``AlreadyExists`` naming the first key that repeats an earlier one of ``keys``."""
    seen: set[object] = set()
    for key in keys:
        if key in seen:
            raise AlreadyExists(resource, str(key))
        seen.add(key)


def check_all_inserted(keys: Sequence[object], inserted: set[Any], resource: str) -> None:
    """Raise ``AlreadyExists`` naming the first of ``keys`` not in ``inserted`` (taken already)."""
    if len(inserted) != len(keys):
        first = next(key for key in keys if key not in inserted)
        raise AlreadyExists(resource, str(first))


def first_taken(state: TxState, table: Table, keys: Sequence[str]) -> str | None:
    """The first of ``keys`` (in the given order) that is a primary key of ``table`` in any channel."""
    taken: set[str] = set()
    if state.dialect == "postgresql":
        sql = driver.driver_sql(_any_key_statement(table))
        taken.update(row[0] for row in driver.fetch_all(state.connection, sql, {"keys": list(keys)}))
    else:
        column = table.c.key
        statement = select(column).where(column.in_(bindparam("keys", expanding=True)))
        for batch in batches(keys):
            taken.update(state.connection.scalars(statement, {"keys": list(batch)}))
    return next((key for key in keys if key in taken), None)


def any_key(column: ColumnElement[str]) -> ColumnElement[bool]:
    """``column = ANY(:keys)`` with ``keys`` bound as one text array (PostgreSQL only).

    One short, constant statement whatever the number of keys, instead of an expanded ``IN`` list of
    thousands of parameters that psycopg would re-parse in Python.
    """
    return column == any_(bindparam("keys", type_=postgresql.ARRAY(String)))


@cache
def _any_key_statement(table: Table) -> Select[tuple[str]]:
    column = table.c.key
    return select(column).where(any_key(column))
