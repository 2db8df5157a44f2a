"""One organization's node: its identity, where its files live, and how it reaches the orchestrator,
its broker and its peers. Shared by the agent, the workers, the SDK and the CLI, so that they agree on
one layout and one set of ``PODIUM_*`` variables.

Layout under ``home`` (``PODIUM_HOME``)::

    home/
      storage/           the organization's files (``LocalStorage``): functions, openers, models, logs
      datasamples/<key>/ data-sample directories (never leave the organization)
      envs/<function>/   built function environments
      work/<task>/       task working directories (removed after the task)
      cursors/           the agent's event cursors and verified ledger heads
      broker/            the embedded broker's data (when ``broker_url`` is the default)
      leases.db          which worker holds which executing task (heartbeats)
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from podium.client.config import ClientConfig

ENV_ORGANIZATION: Final = "PODIUM_ORGANIZATION"
ENV_CHANNEL: Final = "PODIUM_CHANNEL"
ENV_HOME: Final = "PODIUM_HOME"
ENV_ORCHESTRATOR: Final = "PODIUM_ORCHESTRATOR_TARGET"
ENV_INSECURE: Final = "PODIUM_ORCHESTRATOR_INSECURE"
ENV_TLS_CA: Final = "PODIUM_TLS_CA"
ENV_TLS_CERT: Final = "PODIUM_TLS_CERT"
ENV_TLS_KEY: Final = "PODIUM_TLS_KEY"
ENV_BROKER_URL: Final = "PODIUM_BROKER_URL"
ENV_ASSET_LISTEN: Final = "PODIUM_ASSET_LISTEN"
ENV_ASSET_URL: Final = "PODIUM_ASSET_URL"

ALL_VARIABLES: Final = (
    ENV_ORGANIZATION,
    ENV_CHANNEL,
    ENV_HOME,
    ENV_ORCHESTRATOR,
    ENV_INSECURE,
    ENV_TLS_CA,
    ENV_TLS_CERT,
    ENV_TLS_KEY,
    ENV_BROKER_URL,
    ENV_ASSET_LISTEN,
    ENV_ASSET_URL,
)
"""Every variable an organization's processes read (the charts must set only these)."""

DEFAULT_CHANNEL: Final = "mychannel"
DEFAULT_ORCHESTRATOR: Final = "127.0.0.1:9000"
DEFAULT_ASSET_LISTEN: Final = "127.0.0.1:0"


class NodeConfigError(ValueError):
    """A missing or contradictory setting; the message names the variable."""


@dataclass(frozen=True)
class NodeConfig:
    """Settings of one organization's processes, read once at an entry point.

    Attributes:
        organization: the MSP id, also the ``O=`` of its certificate.
        channel: the channel it works in.
        home: the root of the layout above.
        orchestrator: the orchestrator's ``host:port``.
        insecure: plain-text gRPC (development only).
        tls_ca: CA bundle that verifies the orchestrator and peers.
        tls_cert, tls_key: the organization's client certificate and key (mTLS, and the asset server's
            certificate).
        broker_url: the Celery broker; empty means the embedded broker under ``home/broker``.
        asset_listen: where the asset server listens (``host:port``).
        asset_url: the public base URL of the asset server, registered as the organization's address;
            empty means ``https://<asset_listen>``.
    """

    organization: str
    channel: str = DEFAULT_CHANNEL
    home: Path = Path("podium-node")
    orchestrator: str = DEFAULT_ORCHESTRATOR
    insecure: bool = False
    tls_ca: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    broker_url: str = ""
    asset_listen: str = DEFAULT_ASSET_LISTEN
    asset_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "NodeConfig":
        """Read the ``PODIUM_*`` variables; keyword ``overrides`` (from flags) win when not None."""
        env = os.environ if environ is None else environ

        def path(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        values: dict[str, object] = {
            "organization": env.get(ENV_ORGANIZATION, ""),
            "channel": env.get(ENV_CHANNEL, DEFAULT_CHANNEL),
            "home": Path(env.get(ENV_HOME, "podium-node")),
            "orchestrator": env.get(ENV_ORCHESTRATOR, DEFAULT_ORCHESTRATOR),
            "insecure": env.get(ENV_INSECURE, "false").strip().lower() in ("1", "true", "yes", "on"),
            "tls_ca": path(ENV_TLS_CA),
            "tls_cert": path(ENV_TLS_CERT),
            "tls_key": path(ENV_TLS_KEY),
            "broker_url": env.get(ENV_BROKER_URL, ""),
            "asset_listen": env.get(ENV_ASSET_LISTEN, DEFAULT_ASSET_LISTEN),
            "asset_url": env.get(ENV_ASSET_URL, ""),
        }
        values.update({name: value for name, value in overrides.items() if value is not None})
        config = cls(**values)  # type: ignore[arg-type]
        return config.check()

    def check(self) -> "NodeConfig":
        """Validate; return ``self``. Raises ``NodeConfigError`` naming the variable."""
        if not self.organization:
            raise NodeConfigError(f"{ENV_ORGANIZATION} (--org) is required")
        if not self.insecure and not (self.tls_ca and self.tls_cert and self.tls_key):
            raise NodeConfigError(
                f"set {ENV_TLS_CA}, {ENV_TLS_CERT} and {ENV_TLS_KEY}, or {ENV_INSECURE}=true for plain text"
            )
        return self

    def client_config(self, channel: str | None = None) -> ClientConfig:
        """How this organization's processes reach the orchestrator."""
        return ClientConfig(
            target=self.orchestrator,
            mspid=self.organization,
            channel=channel or self.channel,
            insecure=self.insecure,
            # Plain-text gRPC to the orchestrator may go with TLS files kept for the asset exchange.
            ca_cert=None if self.insecure else self.tls_ca,
            client_cert=None if self.insecure else self.tls_cert,
            client_key=None if self.insecure else self.tls_key,
        )

    @property
    def storage_dir(self) -> Path:
        return self.home / "storage"

    @property
    def data_samples_dir(self) -> Path:
        return self.home / "datasamples"

    def data_sample_dir(self, key: str) -> Path:
        return self.data_samples_dir / key

    @property
    def envs_dir(self) -> Path:
        return self.home / "envs"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    @property
    def cursors_dir(self) -> Path:
        return self.home / "cursors"

    @property
    def broker_dir(self) -> Path:
        return self.home / "broker"

    @property
    def leases_path(self) -> Path:
        return self.home / "leases.db"
