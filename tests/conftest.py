"""Shared fixtures: a PostgreSQL database for the run (DESIGN.md §7).

Discovery, first that works: ``PODIUM_TEST_DATABASE_URL``; a server on 127.0.0.1:5432 (user postgres,
trust); a throwaway cluster made with ``initdb``/``pg_ctl`` (``bench.pgcluster``, fsync off).
PostgreSQL cases are skipped only when none is possible, and fail instead when ``CI=true``.

One fresh database per run and per xdist worker, migrated to the code's head, dropped at the end.
Fixtures: ``postgres_server`` (session; creates and drops extra databases), ``postgres_url``
(session), ``clean_postgres_url`` (function; every table emptied first).
"""

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import make_url

from bench.pgcluster import ThrowawayCluster, answers

_LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class PostgresServer:
    """A reachable PostgreSQL server: ``admin_url`` names a database we may connect to for DDL."""

    admin_url: str

    def create_database(self, name: str) -> str:
        """Create database ``name`` (dropping a leftover of the same name) and return its URL."""
        with psycopg.connect(_conninfo(self.admin_url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(_conninfo(self.admin_url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _answers(url: str) -> bool:
    return answers(_conninfo(url))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required on CI: {reason}")
    pytest.skip(f"no PostgreSQL available: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the run (see the module docstring for the discovery order)."""
    configured = os.environ.get("PODIUM_TEST_DATABASE_URL")
    if configured:
        if not _answers(configured):
            _unavailable(f"PODIUM_TEST_DATABASE_URL={configured} does not answer")
        yield PostgresServer(configured)
        return
    if _answers(_LOCAL_URL):
        yield PostgresServer(_LOCAL_URL)
        return
    if not ThrowawayCluster.available():
        _unavailable("no server on 127.0.0.1:5432 and no initdb/pg_ctl")
    cluster = ThrowawayCluster(fsync=False)
    try:
        url = cluster.start()
    except (OSError, subprocess.SubprocessError) as error:
        cluster.stop()
        _unavailable(f"cannot start a throwaway cluster: {error}")
        return
    try:
        yield PostgresServer(url)
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer, worker_id: str) -> Iterator[str]:
    """A fresh database for this run (and xdist worker), migrated to the code's head."""
    from podium.store.migrate import upgrade

    name = f"podium_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    upgrade(url)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def clean_postgres_url(postgres_url: str) -> str:
    """``postgres_url`` with every podium table emptied (one TRUNCATE)."""
    from podium.store.schema import metadata

    tables = ", ".join(table.name for table in metadata.sorted_tables)
    with psycopg.connect(_conninfo(postgres_url), autocommit=True) as connection:
        connection.execute(f"TRUNCATE {tables}")
    return postgres_url
