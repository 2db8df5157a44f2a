"""Translation of database errors into the ports' errors, classified by SQLSTATE or error code.

``RetryableConflict``: the unit of work lost a race and may run again (serialization failure,
deadlock, a unique key inserted concurrently by another transaction, SQLite busy, a prepared statement
dropped from the session). ``Unavailable``: the
database cannot be reached. Anything else is a bug and propagates unchanged.
"""

from typing import Final

from sqlalchemy import exc

from podium.app.ports import RetryableConflict, Unavailable

# Serialization failure, deadlock, unique violation, and a prepared statement of ``pipeline`` gone from
# the session (``pipeline`` prepares it again when the unit of work runs again).
_RETRYABLE_SQLSTATES: Final = frozenset({"40001", "40P01", "23505", "26000"})
_SQLITE_RETRYABLE_PREFIXES: Final = ("SQLITE_BUSY", "SQLITE_LOCKED")
_SQLITE_UNIQUE_CODES: Final = frozenset({"SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"})


def translate(error: exc.DBAPIError) -> Exception:
    """The exception to raise in place of ``error`` (``error`` itself when it is not classified)."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return RetryableConflict(f"transaction conflict (SQLSTATE {sqlstate})")
    sqlite_code = getattr(original, "sqlite_errorname", None)
    if sqlite_code is not None and (
        sqlite_code.startswith(_SQLITE_RETRYABLE_PREFIXES) or sqlite_code in _SQLITE_UNIQUE_CODES
    ):
        return RetryableConflict(f"transaction conflict ({sqlite_code})")
    if error.connection_invalidated:
        return Unavailable(f"database connection lost: {original}")
    if (
        isinstance(error, exc.OperationalError)
        and (sqlstate is None or sqlstate.startswith("08") or sqlstate.startswith("57P"))
        and (sqlite_code is None or sqlite_code == "SQLITE_CANTOPEN")
    ):
        return Unavailable(f"database unavailable: {original}")
    return error
