"""What a benchmark run starts on loopback: a fresh PostgreSQL database, ``podium serve`` processes.

Everything started here is stopped by pid (``Server.stop``, ``Postgres.drop``); every wait is bounded.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import grpc
import psycopg

from bench.pgcluster import ThrowawayCluster, answers
from podium.api.generated import info_pb2, info_pb2_grpc

PG_ADMIN_URL: Final = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHANNEL: Final = "bench"
ORG: Final = "BenchOrgMSP"
REPO: Final = Path(__file__).resolve().parent.parent
PODIUM: Final = str(REPO / ".venv" / "bin" / "podium")
START_TIMEOUT_S: Final = 30.0
STOP_TIMEOUT_S: Final = 15.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Postgres:
    """A fresh database ``podium_bench_<random>``; ``drop()`` removes it.

    On the server of ``BENCH_PG_ADMIN_URL`` (default: user postgres on 127.0.0.1:5432). When that
    variable is not set and no server answers there, on a throwaway cluster of its own (``initdb``,
    default configuration, fsync on), which ``drop()`` stops and removes.
    """

    name: str = field(default_factory=lambda: f"podium_bench_{secrets.token_hex(4)}")
    admin_url: str = PG_ADMIN_URL
    cluster: ThrowawayCluster | None = None

    @property
    def url(self) -> str:
        """The podium database URL (psycopg-compatible too)."""
        return self.admin_url.rsplit("/", 1)[0] + "/" + self.name

    def create(self) -> "Postgres":
        """Create the database (starting a throwaway cluster first if needed) and migrate it with
        ``podium migrate``.

        Raises:
            RuntimeError: no server answers and none can be started.
        """
        if not answers(self.admin_url):
            if "BENCH_PG_ADMIN_URL" in os.environ or not ThrowawayCluster.available():
                raise RuntimeError(
                    f"PostgreSQL does not answer at {self.admin_url} (see docs/performance.md)"
                )
            self.cluster = ThrowawayCluster(fsync=True)
            try:
                self.admin_url = self.cluster.start()
            except BaseException:
                self.cluster.stop()
                self.cluster = None
                raise
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        try:
            subprocess.run(
                [PODIUM, "migrate", "--database-url", self.url], check=True, capture_output=True, timeout=120
            )
        except BaseException:
            self.drop()  # no database left behind when the migration cannot run
            raise
        return self

    def drop(self) -> None:
        """Drop the database (terminating leftover sessions first); stop the throwaway cluster."""
        try:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            if self.cluster is not None:
                self.cluster.stop()
                self.cluster = None

    def version(self) -> str:
        """``SHOW server_version``."""
        with psycopg.connect(self.admin_url) as admin:
            row = admin.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"


def channel_config_file(directory: Path) -> Path:
    """A channel configuration with the single channel ``bench`` open to ``BenchOrgMSP``."""
    path = directory / "channels.yaml"
    path.write_text(f"channels:\n  {CHANNEL}: [{ORG}]\n", encoding="utf-8")
    return path


class Server:
    """``podium serve --insecure`` on 127.0.0.1 as a subprocess (``processes`` workers)."""

    def __init__(self, database_url: str, *, processes: int = 1, threads: int = 32) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._workdir = Path(tempfile.mkdtemp(prefix="podium-bench-"))
        env = {
            **os.environ,
            "PODIUM_DATABASE_URL": database_url,
            "PODIUM_LISTEN": self.address,
            # An empty PODIUM_HTTP_LISTEN reads as unset; worker i serves HTTP on this port + i.
            "PODIUM_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
            "PODIUM_INSECURE": "true",
            "PODIUM_CHANNEL_CONFIG": str(channel_config_file(self._workdir)),
            "PODIUM_PROCESSES": str(processes),
            "PODIUM_THREADS": str(threads),
            "PODIUM_LOG_LEVEL": "warning",
        }
        self._log = (self._workdir / "server.log").open("wb")
        self.process = subprocess.Popen(
            [PODIUM, "serve"], env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes = processes

    def wait_ready(self) -> "Server":
        """Block until InfoService answers (bounded); raise with the server log otherwise."""
        deadline = time.monotonic() + START_TIMEOUT_S
        with grpc.insecure_channel(self.address) as channel:
            stub = info_pb2_grpc.InfoServiceStub(channel)
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                try:
                    stub.QueryVersion(info_pb2.QueryVersionParam(), timeout=1, metadata=metadata())
                    return self
                except grpc.RpcError:
                    time.sleep(0.1)
        self.stop()
        log = (self._workdir / "server.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"podium serve did not become ready:\n{log}")

    def worker_pids(self) -> list[int]:
        """The pids serving RPCs: the process itself, or its forked children."""
        if self.processes == 1:
            return [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mib(self) -> float:
        """The largest VmHWM (peak resident set) among the serving processes, in MiB."""
        return max((peak_rss_mib(pid) for pid in self.worker_pids()), default=0.0)

    def stop(self) -> None:
        """SIGTERM the server by pid, SIGKILL it after a bounded wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        self._log.close()


def peak_rss_mib(pid: int) -> float:
    """VmHWM of ``pid`` in MiB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def metadata() -> tuple[tuple[str, str], ...]:
    """The headers of every call: the organization and the channel."""
    return (("mspid", ORG), ("channel", CHANNEL))


def python() -> str:
    """The interpreter running the suite (load generators use the same one)."""
    return sys.executable


class BareServer:
    """``python -m bench.bare`` on 127.0.0.1 (the no-database gRPC ceiling), stopped by pid."""

    def __init__(self, threads: int = 32) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [python(), "-m", "bench.bare", str(self.port), str(threads)], cwd=REPO, start_new_session=True
        )

    def wait_ready(self) -> "BareServer":
        """Block until Echo answers (bounded)."""
        from bench import bare

        deadline = time.monotonic() + START_TIMEOUT_S
        with grpc.insecure_channel(self.address) as channel:
            echo = channel.unary_unary(bare.ECHO)
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    echo(b"", timeout=1)
                    return self
                except grpc.RpcError:
                    time.sleep(0.1)
        self.stop()
        raise RuntimeError("the bare gRPC server did not become ready")

    def stop(self) -> None:
        """SIGTERM by pid, SIGKILL after a bounded wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
