"""Schema migrations with Alembic, configured in code (the tree is ``podium/store/migrations``).

``upgrade`` brings a database to the code's revision; ``current_revision``/``pending`` report where it
stands. A database at a revision the code does not know (written by newer code) is refused with
``SchemaNewerThanCode``; ``check_schema`` raises ``SchemaOutOfDate`` when a server must not start.
"""

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from podium.store.engine import create_podium_engine

MIGRATIONS_PATH: Final = Path(__file__).parent / "migrations"


class SchemaOutOfDate(Exception):
    """The database schema is not at the code's revision: run ``podium migrate``."""

    def __init__(self, current: str | None, expected: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f"database schema is at revision {current or 'none (empty database)'}, code expects "
            f"{expected}: run `podium migrate`"
        )
        self.current = current
        self.expected = expected


class SchemaNewerThanCode(SchemaOutOfDate):
    """The database is at a revision this code does not know: it was migrated by newer code."""

    def __init__(self, current: str, expected: str) -> None:
        super().__init__(
            current,
            expected,
            f"database schema is at revision {current}, unknown to this code (which expects {expected}): "
            "it was migrated by a newer podium; run that version",
        )


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration; with ``connection``, migrations run on it (env.py reads it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_PATH))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the code expects (the single head of the tree)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migration tree has no revision")
    return head


def revision_of(connection: Connection) -> str | None:
    """The revision stamped in the database, ``None`` for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def pending_of(connection: Connection) -> list[str]:
    """Revisions still to apply, oldest first; raises ``SchemaNewerThanCode`` for an unknown revision."""
    current = revision_of(connection)
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError as error:
            raise SchemaNewerThanCode(current, head) from error
    return [revision.revision for revision in script.iterate_revisions(head, current)][::-1]


def check_schema(connection: Connection) -> None:
    """Raise ``SchemaOutOfDate`` (or ``SchemaNewerThanCode``) unless the database is at the head."""
    if pending_of(connection):
        raise SchemaOutOfDate(revision_of(connection), head_revision())


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    """Apply the pending migrations on ``connection`` (committed); refuses a database newer than the code."""
    pending_of(connection)
    if connection.in_transaction():
        connection.commit()
    command.upgrade(alembic_config(connection), revision)
    if connection.in_transaction():
        connection.commit()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (the code's head by default)."""
    engine = create_podium_engine(url)
    try:
        with engine.connect() as connection:
            upgrade_connection(connection, revision)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision of the database at ``url``, ``None`` when it has no schema yet."""
    engine = create_podium_engine(url)
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    finally:
        engine.dispose()


def pending(url: str) -> list[str]:
    """Revisions ``upgrade`` would apply to the database at ``url``, oldest first."""
    engine = create_podium_engine(url)
    try:
        with engine.connect() as connection:
            return pending_of(connection)
    finally:
        engine.dispose()
