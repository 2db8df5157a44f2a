"""Alembic environment: runs on the connection given by ``podium.store.migrate`` (or opens one from
``sqlalchemy.url``), in batch mode so that SQLite can alter tables, against ``schema.metadata``."""

from alembic import context
from sqlalchemy import Connection

from podium.store.engine import create_podium_engine
from podium.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url: use podium.store.migrate")
    engine = create_podium_engine(url)
    try:
        with engine.connect() as own_connection:
            _run(own_connection)
            own_connection.commit()
    finally:
        engine.dispose()


_main()
