"""Engine creation from podium's database URLs, with the per-database connection setup.

URLs: ``sqlite:///path/file.db`` (a file, WAL), ``sqlite://`` (in memory: one connection shared through
``StaticPool``), ``postgresql://…`` (driven by psycopg 3).
"""

import sqlite3
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from podium.store import pipeline

WRITE_OPTION: Final = "podium_write"
"""Connection execution option: the next transaction writes (SQLite: ``BEGIN IMMEDIATE``)."""

SQLITE_BUSY_TIMEOUT_MS: Final = 30_000


def normalize_url(url: str) -> URL:
    """Parse ``url`` and pin the driver: psycopg 3 for PostgreSQL, the standard sqlite3 module for SQLite.

    Raises:
        ValueError: a URL of another database.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string()!r}: use sqlite:// or postgresql://"
    )


def is_memory(url: URL) -> bool:
    """Whether ``url`` names an in-memory SQLite database."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_podium_engine(url: str) -> Engine:
    """An engine for ``url`` with podium's connection setup (see the module docstring)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(
            parsed,
            isolation_level="READ COMMITTED",
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=False,
            # psycopg's own statement cache is off: it answers every rollback with DEALLOCATE ALL,
            # which would also drop the statements ``pipeline`` prepares. UTF-8 on the wire whatever
            # the database's encoding: ``pipeline`` sends its parameters as UTF-8 text.
            connect_args={"prepare_threshold": None, "client_encoding": "utf8"},
        )
        # Statements queued by ``pipeline`` go out before any statement run through SQLAlchemy.
        event.listen(engine, "before_cursor_execute", _send_queued)
        return engine
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    }
    if is_memory(parsed):
        kwargs["poolclass"] = StaticPool
    engine = create_engine(parsed, **kwargs)
    _configure_sqlite(engine, memory=is_memory(parsed))
    return engine


def _send_queued(connection: Connection, *_: object) -> None:
    pipeline.flush(connection)


def _configure_sqlite(engine: Engine, *, memory: bool) -> None:
    """Take transactions away from the sqlite3 module (it defers BEGIN) and emit our own BEGINs."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
