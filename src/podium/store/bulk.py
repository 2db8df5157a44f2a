"""Bulk inserts on PostgreSQL: one ``INSERT … SELECT … FROM unnest(…)`` statement per batch.

SQLAlchemy renders a large batch as multi-row ``VALUES`` statements with thousands of named parameters,
and psycopg re-parses each such statement text with a Python regex (statements that long bypass its
cache). Here the statement text is short and constant, its parameters are one array per column (dumped
by psycopg's C adapters), and PostgreSQL expands the arrays server-side: one parse, one round trip.
SQLite keeps SQLAlchemy's path (the callers choose).
"""

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, DateTime, Double, Integer, String, Table
from sqlalchemy.types import TypeDecorator

from podium.store.types import UtcDateTime


def _array_type(column: Column[Any]) -> str:
    """The PostgreSQL array type a column's values are sent as (JSON documents travel as text)."""
    column_type: Any = column.type
    if isinstance(column_type, UtcDateTime | DateTime):
        return "timestamptz[]"
    if isinstance(column_type, BigInteger):
        return "bigint[]"
    if isinstance(column_type, Integer):
        return "integer[]"
    if isinstance(column_type, Double):
        return "double precision[]"
    if isinstance(column_type, String) and not isinstance(column_type, TypeDecorator):
        return "text[]"
    return "jsonb[]"  # the JSON variant (json_document)


@cache
def unnest_insert_sql(table: Table, names: tuple[str, ...]) -> str:
    """``INSERT INTO table (names…) SELECT * FROM unnest(%s::type[], …)``: one ``%s`` per column, to
    be bound to ``column_arrays(table, rows)``."""
    arrays = []
    for name in names:
        array_type = _array_type(table.c[name])
        # jsonb[] is sent as text[] of JSON texts: psycopg has no jsonb array dumper for str.
        arrays.append("%b::text[]::jsonb[]" if array_type == "jsonb[]" else f"%b::{array_type}")
    return f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({', '.join(arrays)})"


@cache
def values_insert_sql(table: Table, names: tuple[str, ...]) -> str:
    """``INSERT INTO table (names…) VALUES ($1::type, …)``: one row, one text parameter per column
    (the form of ``pipeline.Prepared``; JSON documents as their text)."""
    placeholders = [
        f"${number}::{_array_type(table.c[name]).removesuffix('[]')}"
        for number, name in enumerate(names, start=1)
    ]
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(placeholders)})"


def column_arrays(table: Table, rows: Sequence[Mapping[str, Any]]) -> tuple[list[Any], ...]:
    """One list per column of ``rows`` (in the order of the first row's keys), ready to bind."""
    columns = [(name, _array_type(table.c[name])) for name in rows[0]]
    return tuple(
        [_value(array_type, row[name]) for row in rows]
        if array_type in ("jsonb[]", "timestamptz[]")
        else [row[name] for row in rows]
        for name, array_type in columns
    )


@cache
def _statement(table: Table, names: tuple[str, ...], returning_key: bool) -> str:
    statement = unnest_insert_sql(table, names)
    if returning_key:
        key = next(iter(table.primary_key.columns)).name
        statement += f" ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
    return statement


_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))  # ``json.dumps`` would build one per call


def json_text(document: Any) -> str:
    """A JSON column's value as bound in the arrays: its compact JSON text (Python None becomes JSON
    null, like SQLAlchemy's JSON type without ``none_as_null``)."""
    if not document and type(document) is dict:
        return "{}"  # most events' metadata
    return _COMPACT_JSON.encode(document)


def _value(array_type: str, value: Any) -> Any:
    if array_type == "jsonb[]":
        return json_text(value)
    if array_type == "timestamptz[]" and isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: podium stores UTC-aware datetimes only")
        return value.astimezone(UTC)
    return value


def unnest_insert(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], *, returning_key: bool = False
) -> set[Any]:
    """Insert ``rows`` (all with the same columns) in one statement; PostgreSQL only.

    Args:
        connection: a connection to PostgreSQL, inside the caller's transaction.
        table: the target table.
        rows: the rows, as column name → value (JSON columns take the Python document; ``None`` is
            stored as JSON null, so this is not for ``none_as_null`` columns).
        returning_key: skip rows whose single-column primary key is taken (``ON CONFLICT DO NOTHING``)
            and answer the keys inserted; otherwise a conflict raises as usual and the answer is empty.
    """
    if not rows:
        return set()
    return unnest_insert_arrays(
        connection, table, tuple(rows[0]), column_arrays(table, rows), returning_key=returning_key
    )


def unnest_insert_arrays(
    connection: Connection,
    table: Table,
    names: tuple[str, ...],
    arrays: Sequence[list[Any]],
    *,
    returning_key: bool = False,
) -> set[Any]:
    """``unnest_insert`` of rows given column by column: ``arrays[i]`` holds the values of column
    ``names[i]`` for every row (JSON columns as JSON texts, timestamps UTC-aware). Saves building one
    dict per row when the caller can produce the columns directly."""
    statement = _statement(table, names, returning_key)
    result = connection.exec_driver_sql(statement, tuple(arrays))
    return {row[0] for row in result} if returning_key else set()
