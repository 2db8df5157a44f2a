"""Who is calling: request headers -> a ``Caller``, available to handlers through ``current_caller()``.

Headers (reference §2.1): ``mspid`` and ``channel`` are required with exactly one non-empty value
each; ``reqid`` is optional (else the first 8 hex characters of a random UUID); ``chaincode`` is
ignored. Checks run in Substra's order: ``mspid`` header, MSP-id verification (when on), ``channel``
header, channel membership.

The sync gRPC server runs a handler in the thread of the interceptor that wraps it, so the
interceptor sets ``CALLER`` (a ``ContextVar``) around each call and each step of a stream.
"""

import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass

import grpc

from podium.api.channels import ChannelRegistry
from podium.api.tls import ClientCAs, peer_certificates, verify_msp_id
from podium.app import service
from podium.domain.errors import InternalError, MissingHeader

Metadata = Sequence[tuple[str, str | bytes]]


@dataclass(frozen=True)
class Caller:
    """The identity of one request: calling organization (MSP id), channel, request id for logs."""

    organization: str
    channel: str
    request_id: str

    def for_app(self) -> service.Caller:
        """The identity as the use cases take it."""
        return service.Caller(self.organization, self.channel)


CALLER: ContextVar[Caller | None] = ContextVar("podium_caller", default=None)
REQUEST_ID: ContextVar[str | None] = ContextVar("podium_request_id", default=None)
"""The request id of the running call, also set for calls without headers (logged by ``logs``)."""


def current_caller() -> Caller:
    """The caller of the request this thread is serving.

    Raises:
        InternalError: called outside a request wrapped by the identity interceptor (a bug).
    """
    caller = CALLER.get()
    if caller is None:
        raise InternalError("no caller: handler not wrapped by the identity interceptor")
    return caller


def new_request_id() -> str:
    """A fresh request id: 8 hex characters of a random UUID."""
    return uuid.uuid4().hex[:8]


def header_values(metadata: Metadata | None, name: str) -> list[str]:
    """Every value of header ``name`` (text headers only)."""
    return [value for key, value in metadata or () if key == name and isinstance(value, str)]


def request_id_of(metadata: Metadata | None) -> str:
    """The ``reqid`` header when it has exactly one non-empty value, else a fresh id."""
    values = header_values(metadata, "reqid")
    if len(values) == 1 and values[0].strip():
        return values[0].strip()
    return new_request_id()


def _single(metadata: Metadata | None, name: str) -> str:
    values = header_values(metadata, name)
    if len(values) != 1 or not values[0].strip():
        raise MissingHeader(name)
    return values[0].strip()


@dataclass(frozen=True)
class Identifier:
    """Derives the caller of a request; the one place where identity is decided.

    Attributes:
        channels: channel membership in force.
        client_cas: when set, MSP-id verification is on and uses these CAs.
    """

    channels: ChannelRegistry
    client_cas: ClientCAs | None = None

    def identify(self, context: grpc.ServicerContext, request_id: str) -> Caller:
        """Check the headers (and the TLS peer when MSP-id verification is on).

        Raises:
            MissingHeader: ``mspid`` or ``channel`` missing, repeated or empty.
            PermissionDenied: MSP-id verification failed, unknown organization, or not a member.
        """
        metadata = context.invocation_metadata()
        organization = _single(metadata, "mspid")
        if self.client_cas is not None:
            verify_msp_id(organization, peer_certificates(context), self.client_cas)
        channel = _single(metadata, "channel")
        self.channels.check_access(organization, channel)
        return Caller(organization, channel, request_id)
