"""A local network of real processes: ``podium serve`` on embedded SQLite with mTLS and MSP-id
verification on loopback, and per organization ``podium agent`` and ``podium worker`` on the
embedded broker. Every process is started by pid and stopped by pid; every wait has a deadline."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

from podium.agent.node import NodeConfig
from podium.client import ClientConfig, OrchestratorClient
from podium.demo.pki import DevPki

PODIUM = (sys.executable, "-m", "podium")
CHANNEL = "mychannel"
T = TypeVar("T")


class NetworkError(RuntimeError):
    """A process of the network did not start or died; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], T], timeout: float, what: str, check: Callable[[], None]) -> T:
    """Poll ``predicate`` every 0.2 s until it is truthy; ``check`` raises when a process died."""
    deadline = time.monotonic() + timeout
    while True:
        check()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise NetworkError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


@dataclass
class Process:
    """A started process, its role and its log file."""

    name: str
    popen: "subprocess.Popen[bytes]"
    log_path: Path
    log: TextIO

    def check(self) -> None:
        code = self.popen.poll()
        if code is not None:
            raise NetworkError(f"{self.name} exited with code {code}; see {self.log_path}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=timeout)
        self.log.close()


@dataclass
class Network:
    """The orchestrator and the organizations of a local network, rooted at ``root``."""

    root: Path
    organizations: list[str]
    pki: DevPki = field(init=False)
    orchestrator_port: int = field(init=False, default=0)
    http_port: int = field(init=False, default=0)
    processes: list[Process] = field(default_factory=list)
    nodes: dict[str, NodeConfig] = field(default_factory=dict)
    # Per organization Celery broker URL (e.g. a Redis DB each); absent means the embedded broker.
    broker_urls: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.pki = DevPki.create(self.root / "pki", self.organizations)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.orchestrator_port}"

    @property
    def database(self) -> Path:
        return self.root / "orchestrator" / "podium.db"

    def _start(self, name: str, args: list[str], env: dict[str, str], log_path: Path) -> Process:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("w", encoding="utf-8")
        popen = subprocess.Popen(
            [*PODIUM, *args],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(name, popen, log_path, log)
        self.processes.append(process)
        return process

    def check(self) -> None:
        for process in self.processes:
            process.check()

    def orchestrator_env(self) -> dict[str, str]:
        channels = self.root / "orchestrator" / "channels.yaml"
        channels.parent.mkdir(parents=True, exist_ok=True)
        members = ", ".join(self.organizations)
        channels.write_text(f"channels:\n  {CHANNEL}: [{members}]\n", encoding="utf-8")
        return {
            "PODIUM_DATABASE_URL": f"sqlite:///{self.database}",
            "PODIUM_LISTEN": self.target,
            "PODIUM_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "PODIUM_CHANNEL_CONFIG": str(channels),
            "PODIUM_TLS_CERT": str(self.pki.server_cert),
            "PODIUM_TLS_KEY": str(self.pki.server_key),
            "PODIUM_MTLS": "true",
            "PODIUM_TLS_SERVER_CA": str(self.pki.server_ca),
            "PODIUM_TLS_CLIENT_CA_DIR": str(self.pki.client_ca_dir),
            "PODIUM_VERIFY_CLIENT_MSP_ID": "true",
            "PODIUM_SHUTDOWN_GRACE_SECONDS": "2",
        }

    def node(self, organization: str) -> NodeConfig:
        credentials = self.pki.organizations[organization]
        return NodeConfig(
            organization=organization,
            channel=CHANNEL,
            home=self.root / organization,
            orchestrator=self.target,
            tls_ca=self.pki.trust,
            tls_cert=credentials.cert,
            tls_key=credentials.key,
            asset_listen=f"127.0.0.1:{free_port()}",
            broker_url=self.broker_urls.get(organization, ""),
        ).check()

    @staticmethod
    def node_env(node: NodeConfig) -> dict[str, str]:
        return {
            "PODIUM_ORGANIZATION": node.organization,
            "PODIUM_CHANNEL": node.channel,
            "PODIUM_HOME": str(node.home),
            "PODIUM_ORCHESTRATOR_TARGET": node.orchestrator,
            "PODIUM_TLS_CA": str(node.tls_ca),
            "PODIUM_TLS_CERT": str(node.tls_cert),
            "PODIUM_TLS_KEY": str(node.tls_key),
            "PODIUM_ASSET_LISTEN": node.asset_listen,
            "PODIUM_BROKER_URL": node.broker_url,
        }

    def start(self, timeout: float = 60.0) -> None:
        """Start the orchestrator, then every organization's agent and worker; return once every
        organization has registered. Raises ``NetworkError`` (processes are left for ``stop``)."""
        self.orchestrator_port, self.http_port = free_port(), free_port()
        env = self.orchestrator_env()
        self._start("orchestrator", ["serve"], env, self.root / "orchestrator" / "serve.log")
        for organization in self.organizations:
            node = self.nodes[organization] = self.node(organization)
            node_env = self.node_env(node)
            self._start(f"agent of {organization}", ["agent"], node_env, node.home / "agent.log")
            self._start(f"worker of {organization}", ["worker"], node_env, node.home / "worker.log")
        with OrchestratorClient(self.client_config(self.organizations[0])) as client:
            wait_for(
                lambda: self._registered(client) >= set(self.organizations),
                timeout,
                "every organization's agent to register",
                self.check,
            )

    @staticmethod
    def _registered(client: OrchestratorClient) -> set[str]:
        try:
            return {organization.id for organization in client.get_all_organizations()}
        except Exception:
            return set()

    def client_config(self, organization: str) -> ClientConfig:
        return self.nodes[organization].client_config()

    def stop(self) -> None:
        """Stop every process, workers and agents first, the orchestrator last."""
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
