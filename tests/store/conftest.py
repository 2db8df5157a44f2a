"""The store's conformance suite runs every test on each backend through the ``database`` fixture."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from podium.store import SqlDatabase, open_database

BACKENDS = [
    pytest.param("sqlite-memory", id="sqlite-memory"),
    pytest.param("sqlite-file", id="sqlite-file"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database of each backend in turn."""
    backend: str = request.param
    if backend == "sqlite-memory":
        return "sqlite://"
    if backend == "sqlite-file":
        return f"sqlite:///{tmp_path / 'podium.db'}"
    url: str = request.getfixturevalue("clean_postgres_url")
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[SqlDatabase]:
    """An open database of each backend in turn, closed after the test."""
    opened = open_database(database_url, auto_migrate=True)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def postgres_database(clean_postgres_url: str) -> Iterator[SqlDatabase]:
    """An open PostgreSQL database of its own (for what only PostgreSQL does), closed after the test."""
    opened = open_database(clean_postgres_url)
    try:
        yield opened
    finally:
        opened.close()
