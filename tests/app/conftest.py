"""Fixtures of the use-case tests: a real database (SQLite file, and PostgreSQL) and a fresh channel per
test, so tests never see each other's rows."""

import uuid
from collections.abc import Iterator

import pytest

from podium.app.service import Orchestrator
from podium.store.database import SqlDatabase, open_database
from tests.app.world import World


@pytest.fixture(scope="session")
def _postgres_database(request: pytest.FixtureRequest) -> Iterator[SqlDatabase]:
    url: str = request.getfixturevalue("postgres_url")
    database = open_database(url, auto_migrate=True)
    yield database
    database.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlDatabase]:
    if request.param == "postgres":
        yield request.getfixturevalue("_postgres_database")
        return
    path = tmp_path_factory.mktemp("sqlite") / "podium.db"
    sqlite = open_database(f"sqlite:///{path}")
    yield sqlite
    sqlite.close()


@pytest.fixture
def orchestrator(database: SqlDatabase) -> Orchestrator:
    return Orchestrator(database)


@pytest.fixture
def world(orchestrator: Orchestrator) -> World:
    return World(orchestrator, f"channel-{uuid.uuid4().hex[:12]}")
