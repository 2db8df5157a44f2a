"""The settings of ``podium serve``, parsed once at the entry point into a frozen ``Settings``.

Nothing reads the environment at import: ``podium.cli.serve`` builds a ``Settings`` from its flags
(each also read from a ``PODIUM_*`` variable, see docs/configuration.md) and calls ``check()``.
"""

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from podium.api.logs import parse_level

MIB: Final = 1024 * 1024
DEFAULT_DATABASE_URL: Final = "sqlite:///./var/podium.db"


class SettingsError(ValueError):
    """A setting is missing, malformed or contradicts another one; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the server process needs to know. Defaults are the documented ones."""

    database_url: str = DEFAULT_DATABASE_URL
    listen: str = "127.0.0.1:9000"
    http_listen: str = "127.0.0.1:8484"
    """``off`` (or empty) disables the HTTP endpoint."""
    channel_config: Path | None = None
    insecure: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    mtls: bool = False
    tls_server_ca: Path | None = None
    tls_client_ca_dir: Path | None = None
    verify_client_msp_id: bool = False
    max_message_bytes: int = 64 * MIB
    tx_retry_budget_seconds: float = 2.0
    log_level: str = "info"
    processes: int = 1
    threads: int = 32
    keepalive_time_seconds: float = 60.0
    keepalive_timeout_seconds: float = 20.0
    keepalive_min_time_seconds: float = 30.0
    keepalive_permit_without_stream: bool = False
    replay_batch_size: int = 500
    max_subscribers: int = 256
    shutdown_grace_seconds: float = 10.0

    def check(self) -> "Settings":
        """Validate the combination of settings; return ``self``.

        Raises:
            SettingsError: naming the offending ``PODIUM_*`` variable.
        """
        split_address(self.listen, "PODIUM_LISTEN")
        if self.http_enabled:
            split_address(self.http_listen, "PODIUM_HTTP_LISTEN")
        if self.insecure and (self.tls_cert or self.tls_key or self.mtls):
            raise SettingsError("PODIUM_INSECURE=true contradicts the TLS settings; choose one")
        if not self.insecure and not (self.tls_cert and self.tls_key):
            raise SettingsError(
                "no transport security: set PODIUM_TLS_CERT and PODIUM_TLS_KEY, "
                "or PODIUM_INSECURE=true (--insecure) to serve plain text"
            )
        if self.mtls and self.tls_client_ca_dir is None and self.tls_server_ca is None:
            raise SettingsError("PODIUM_MTLS=true needs PODIUM_TLS_CLIENT_CA_DIR or PODIUM_TLS_SERVER_CA")
        if self.verify_client_msp_id and not (self.mtls and self.tls_client_ca_dir):
            raise SettingsError(
                "PODIUM_VERIFY_CLIENT_MSP_ID=true needs PODIUM_MTLS=true and PODIUM_TLS_CLIENT_CA_DIR"
            )
        if self.channel_config is None and not is_loopback(self.listen):
            raise SettingsError(
                "PODIUM_CHANNEL_CONFIG is required when listening beyond loopback "
                "(the built-in channel 'mychannel' is open to any organization)"
            )
        positive = {
            "PODIUM_MAX_MESSAGE_BYTES": self.max_message_bytes,
            "PODIUM_PROCESSES": self.processes,
            "PODIUM_THREADS": self.threads,
            "PODIUM_REPLAY_BATCH_SIZE": self.replay_batch_size,
            "PODIUM_MAX_SUBSCRIBERS": self.max_subscribers,
            "PODIUM_KEEPALIVE_TIME_SECONDS": self.keepalive_time_seconds,
            "PODIUM_KEEPALIVE_TIMEOUT_SECONDS": self.keepalive_timeout_seconds,
        }
        for name, value in positive.items():
            if value <= 0:
                raise SettingsError(f"{name} must be positive, got {value}")
        non_negative = {
            "PODIUM_TX_RETRY_BUDGET_SECONDS": self.tx_retry_budget_seconds,
            "PODIUM_KEEPALIVE_MIN_TIME_SECONDS": self.keepalive_min_time_seconds,
            "PODIUM_SHUTDOWN_GRACE_SECONDS": self.shutdown_grace_seconds,
        }
        for name, value in non_negative.items():
            if value < 0:
                raise SettingsError(f"{name} must not be negative, got {value}")
        try:
            parse_level(self.log_level)
        except ValueError as error:
            raise SettingsError(f"PODIUM_LOG_LEVEL: {error}") from error
        return self

    @property
    def http_enabled(self) -> bool:
        """Whether ``/metrics`` and ``/healthz`` are served."""
        return self.http_listen.strip().lower() not in {"", "off"}

    def grpc_options(self) -> list[tuple[str, int]]:
        """Channel arguments of the gRPC server: message sizes, keepalive, port sharing."""
        return [
            ("grpc.max_receive_message_length", self.max_message_bytes),
            ("grpc.max_send_message_length", self.max_message_bytes),
            ("grpc.keepalive_time_ms", int(self.keepalive_time_seconds * 1000)),
            ("grpc.keepalive_timeout_ms", int(self.keepalive_timeout_seconds * 1000)),
            (
                "grpc.http2.min_recv_ping_interval_without_data_ms",
                int(self.keepalive_min_time_seconds * 1000),
            ),
            ("grpc.http2.min_ping_interval_without_data_ms", int(self.keepalive_min_time_seconds * 1000)),
            ("grpc.keepalive_permit_without_calls", int(self.keepalive_permit_without_stream)),
            # gRPC enables SO_REUSEPORT by default, which would let a second server silently share
            # the port; only the multi-process mode wants it.
            ("grpc.so_reuseport", int(self.processes > 1)),
        ]


def split_address(address: str, variable: str) -> tuple[str, int]:
    """``"host:port"`` or ``"[v6]:port"`` -> ``(host, port)``. Raises ``SettingsError``."""
    host, sep, port_text = address.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port_text.isdigit() or int(port_text) > 65535:
        raise SettingsError(f"{variable}: expected host:port, got {address!r}")
    return host, int(port_text)


def is_loopback(address: str) -> bool:
    """Whether the host part of ``address`` is a loopback address (or ``localhost``)."""
    host, _ = split_address(address, "PODIUM_LISTEN")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_sqlite_directory(database_url: str) -> None:
    """Create the folder of an SQLite file URL (``sqlite:///./var/podium.db``) when missing."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return
    path = database_url.removeprefix(prefix).split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
