"""Storage: the SQLAlchemy Core schema, repositories, the event log and its ledger hashes,
notifications, and Alembic migrations, for PostgreSQL and SQLite.

Rule: implements ``podium.app.ports``; imports ``podium.domain`` and ``podium.app.ports``; never the wire.
"""

from podium.store.database import SchemaNewerThanCode, SchemaOutOfDate, SqlDatabase, open_database
from podium.store.migrate import current_revision, head_revision, pending, upgrade

__all__ = [
    "SchemaNewerThanCode",
    "SchemaOutOfDate",
    "SqlDatabase",
    "current_revision",
    "head_revision",
    "open_database",
    "pending",
    "upgrade",
]
