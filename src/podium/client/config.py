"""The client's settings (frozen values, read once by the caller) and the channel they describe.

Nothing here reads the environment: the agent, SDK and CLI build a ``ClientConfig`` at their entry
points. ``open_channel`` is the one place that turns settings into a ``grpc.Channel``.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import grpc

MIB: Final = 1024 * 1024


class ClientConfigError(ValueError):
    """The settings are contradictory or a TLS file cannot be read; the message says which."""


@dataclass(frozen=True)
class RetrySettings:
    """How calls failing with UNAVAILABLE, ABORTED or DEADLINE_EXCEEDED are retried.

    The sleep before attempt ``n + 1`` is drawn uniformly in ``[0, min(max_backoff, initial_backoff
    * multiplier ** (n - 1))]`` ("full jitter"), so that clients cut off together do not come back
    together. No attempt starts once ``total_timeout`` seconds have passed since the first one.

    Attributes:
        max_attempts: attempts in all, the first included; 1 disables retries.
        initial_backoff: the cap of the first sleep, in seconds.
        max_backoff: the cap of any sleep, in seconds.
        multiplier: how fast the cap grows.
        total_timeout: the time budget of one logical call, retries included, in seconds.
        retry_writes: also retry writes. Safe because the server's state machines and unique keys
            are the fence; a retried write may then answer "already done" (``is_already_done``).
    """

    max_attempts: int = 5
    initial_backoff: float = 0.2
    max_backoff: float = 5.0
    multiplier: float = 2.0
    total_timeout: float = 60.0
    retry_writes: bool = True


@dataclass(frozen=True)
class KeepaliveSettings:
    """HTTP/2 pings that detect a dead connection under a quiet event stream. The defaults match
    Substra's backend and what podium's server accepts (a ping at most every 30 s, only while a
    call is open)."""

    time_seconds: float = 60.0
    timeout_seconds: float = 20.0
    permit_without_calls: bool = False


@dataclass(frozen=True)
class ClientConfig:
    """Where and how to reach the orchestrator, and as whom.

    Attributes:
        target: ``"host:port"``.
        mspid: the organization's MSP id, sent as the ``mspid`` header.
        channel: the channel name, sent as the ``channel`` header (``for_channel`` and
            ``subscribe(channel=…)`` override it).
        insecure: plain text; excludes every TLS setting.
        ca_cert: PEM file of the CA that signed the server certificate (``None``: system roots).
        client_cert: PEM certificate of this organization, for mTLS (with ``client_key``).
        client_key: PEM private key matching ``client_cert``.
        server_name: overrides the name checked in the server certificate (e.g. behind a proxy).
        max_message_bytes: the largest message sent or received (large plans: DESIGN §3.6).
        call_timeout: the deadline of one attempt of a unary call, in seconds; ``None`` for none.
        retry: the retry policy.
        keepalive: pings on the connection.
    """

    target: str
    mspid: str
    channel: str
    insecure: bool = False
    ca_cert: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    server_name: str | None = None
    max_message_bytes: int = 64 * MIB
    call_timeout: float | None = 60.0
    retry: RetrySettings = field(default_factory=RetrySettings)
    keepalive: KeepaliveSettings = field(default_factory=KeepaliveSettings)

    def __post_init__(self) -> None:
        if not self.target or not self.mspid or not self.channel:
            raise ClientConfigError("target, mspid and channel must not be empty")
        if self.insecure and (self.ca_cert or self.client_cert or self.client_key):
            raise ClientConfigError("insecure=True contradicts the TLS files; choose one")
        if (self.client_cert is None) != (self.client_key is None):
            raise ClientConfigError("mTLS needs both client_cert and client_key")
        if self.max_message_bytes <= 0:
            raise ClientConfigError(f"max_message_bytes must be positive, got {self.max_message_bytes}")
        if self.call_timeout is not None and self.call_timeout <= 0:
            raise ClientConfigError(f"call_timeout must be positive, got {self.call_timeout}")
        if self.retry.max_attempts < 1:
            raise ClientConfigError(f"retry.max_attempts must be >= 1, got {self.retry.max_attempts}")

    def channel_options(self) -> list[tuple[str, Any]]:
        """The gRPC channel arguments: message sizes, keepalive, server-name override."""
        options: list[tuple[str, Any]] = [
            ("grpc.max_send_message_length", self.max_message_bytes),
            ("grpc.max_receive_message_length", self.max_message_bytes),
            ("grpc.keepalive_time_ms", int(self.keepalive.time_seconds * 1000)),
            ("grpc.keepalive_timeout_ms", int(self.keepalive.timeout_seconds * 1000)),
            ("grpc.keepalive_permit_without_calls", int(self.keepalive.permit_without_calls)),
            ("grpc.http2.max_pings_without_data", 0),
            # The client does its own retries (with its own rules); gRPC's would double them.
            ("grpc.enable_retries", 0),
        ]
        if self.server_name:
            options.append(("grpc.ssl_target_name_override", self.server_name))
        return options


def _read(path: Path | None, what: str) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        raise ClientConfigError(f"cannot read the {what} {path}: {error}") from error


def open_channel(config: ClientConfig) -> grpc.Channel:
    """A new channel to ``config.target``: plain text when ``insecure``, else TLS (mTLS when a client
    certificate is given).

    Raises:
        ClientConfigError: a TLS file cannot be read.
    """
    options = config.channel_options()
    if config.insecure:
        return grpc.insecure_channel(config.target, options=options)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(config.ca_cert, "CA certificate"),
        private_key=_read(config.client_key, "client key"),
        certificate_chain=_read(config.client_cert, "client certificate"),
    )
    return grpc.secure_channel(config.target, credentials, options=options)
