"""A throwaway PostgreSQL cluster, for when no server answers: ``initdb`` into a temporary folder and
``pg_ctl start`` on a free loopback port; ``stop()`` stops it and removes the folder.

Used by the benchmark runner (``bench.infra``) and by the test suite's fixtures (``tests/conftest.py``).
The binaries come from the ``PATH`` or, as Debian installs them, from ``/usr/lib/postgresql/<v>/bin``.
When running as root the cluster belongs to the ``postgres`` user (PostgreSQL refuses to run as root).
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


def pg_binary(name: str) -> str | None:
    """The path of PostgreSQL's ``name`` (``initdb``, ``pg_ctl``…), newest version first; None if absent."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: [int(part) if part.isdigit() else 0 for part in Path(path).parts[3].split(".")],
        reverse=True,
    )
    return candidates[0] if candidates else None


def answers(conninfo: str) -> bool:
    """Whether a PostgreSQL server accepts a connection to ``conninfo`` (libpq URL), within 3 s."""
    try:
        with psycopg.connect(conninfo, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ThrowawayCluster:
    """A cluster in a temporary folder. ``fsync=False`` trades durability for speed (tests only: a
    benchmark against it would not measure what a real deployment pays)."""

    def __init__(self, *, fsync: bool) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="podium-pg-"))
        self.port = _free_port()
        self._fsync = fsync
        self._as_postgres = os.geteuid() == 0

    @staticmethod
    def available() -> bool:
        """Whether ``initdb`` and ``pg_ctl`` can be found."""
        return pg_binary("initdb") is not None and pg_binary("pg_ctl") is not None

    def _run(self, name: str, *arguments: str) -> None:
        binary = pg_binary(name)
        if binary is None:
            raise FileNotFoundError(f"{name} not found on the PATH nor under /usr/lib/postgresql")
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        subprocess.run([*prefix, binary, *arguments], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        """Create and start the cluster; answer the URL of its ``postgres`` database (user postgres,
        trust authentication, loopback only).

        Raises:
            FileNotFoundError, OSError, subprocess.SubprocessError: it could not be created or started.
        """
        if self._as_postgres:
            shutil.chown(self.directory, "postgres")
        data = str(self.directory / "data")
        self._run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        if not self._fsync:
            options += " -c fsync=off"
        self._run("pg_ctl", "-D", data, "-o", options, "-l", str(self.directory / "log"), "-w", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the cluster (immediately) and remove its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
