"""Migrations: from empty and with rows present on both databases, no drift, refusals."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from podium.cli.main import app
from podium.store import SchemaNewerThanCode, SchemaOutOfDate, head_revision, open_database, pending, upgrade
from podium.store.migrate import current_revision
from podium.store.schema import compute_plans, metadata
from tests.conftest import PostgresServer
from tests.store import builders as b

BACKENDS = [
    pytest.param("sqlite", id="sqlite-file"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[str]:
    """The URL of an empty database (no schema) of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"podium_migrations_{worker_id}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def test_upgrade_from_empty_then_nothing_pending(empty_url: str) -> None:
    assert current_revision(empty_url) is None
    assert pending(empty_url) == ["0001", "0002"]
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    assert pending(empty_url) == []


def test_upgrade_with_rows_present(empty_url: str) -> None:
    upgrade(empty_url, "0001")
    engine = create_engine(_sqlalchemy_url(empty_url))
    with engine.begin() as connection:
        connection.execute(
            compute_plans.insert(),
            {
                "key": "p1",
                "channel": "c1",
                "owner": "org-a",
                "name": "plan p1",
                "tag": "tag",
                "creation_date": b.at(0),
                "data": {"metadata": {"m": "1"}},
            },
        )
    engine.dispose()
    upgrade(empty_url)
    opened = open_database(empty_url, auto_migrate=False)
    try:
        with opened.transaction("c1", read_only=True) as tx:
            assert tx.plans.get("p1") == b.plan("p1")
            assert tx.events.read_after(0, 10) == []
    finally:
        opened.close()


def test_schema_matches_metadata(empty_url: str) -> None:
    upgrade(empty_url)
    engine = create_engine(_sqlalchemy_url(empty_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_out_of_date_schema_is_refused(empty_url: str) -> None:
    upgrade(empty_url, "0001")
    with pytest.raises(SchemaOutOfDate, match=r"revision 0001, code expects 0002: run `podium migrate`"):
        open_database(empty_url, auto_migrate=False)


def test_database_newer_than_code_is_refused(empty_url: str) -> None:
    upgrade(empty_url)
    engine = create_engine(_sqlalchemy_url(empty_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaNewerThanCode, match="9999"):
        open_database(empty_url, auto_migrate=False)
    with pytest.raises(SchemaNewerThanCode):
        upgrade(empty_url)


def test_cli_status_then_migrate(empty_url: str) -> None:
    runner = CliRunner()
    status = runner.invoke(app, ["migrate", "--status"], env={"PODIUM_DATABASE_URL": empty_url})
    assert status.exit_code == 0, status.output
    assert "pending:          0001, 0002" in status.output
    assert current_revision(empty_url) is None
    migrated = runner.invoke(app, ["migrate", "--database-url", empty_url])
    assert migrated.exit_code == 0, migrated.output
    assert current_revision(empty_url) == head_revision()
