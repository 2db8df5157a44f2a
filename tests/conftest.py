"""Shared fixtures: a PostgreSQL database for the run (DESIGN.md §7).

Discovery, first that works: ``PODIUM_TEST_DATABASE_URL``; a server on 127.0.0.1:5432 (user postgres,
trust); a throwaway cluster made with ``initdb``/``pg_ctl`` (as the ``postgres`` user when running as
root). PostgreSQL cases are skipped only when none is possible, and fail instead when ``CI=true``.

One fresh database per run and per xdist worker, migrated to the code's head, dropped at the end.
Fixtures: ``postgres_server`` (session; creates and drops extra databases), ``postgres_url``
(session), ``clean_postgres_url`` (function; every table emptied first).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

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
    try:
        with psycopg.connect(_conninfo(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Cluster:
    """A throwaway cluster in a temporary directory, owned by the ``postgres`` user when root."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="podium-pg-"))
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        if self._as_postgres:
            shutil.chown(self.directory, "postgres")
        data = str(self.directory / "data")
        self._run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", data, "-o", options, "-l", str(self.directory / "log"), "-w", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


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
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        _unavailable("no server on 127.0.0.1:5432 and no initdb/pg_ctl")
    cluster = _Cluster()
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
