"""A typed client of the orchestrator's gRPC service, used by the agent, SDK and CLI.

Rule: imports ``podium.api.generated`` stubs and ``podium.domain``; retries only what is safe.

Public surface::

    ClientConfig(target, mspid, channel, …)      settings (frozen); RetrySettings, KeepaliveSettings
    OrchestratorClient(config, grpc_channel=None) every RPC as a typed method; subscribe() -> Stream
    OrchestratorError and its subclasses        one class per status code (tree in ``errors``)
    is_already_done(error, action)               a refusal that means "the effect is already there"

Retries: UNAVAILABLE, ABORTED and DEADLINE_EXCEEDED only, with exponential backoff and full jitter,
bounded in attempts and total time, for reads and (by default) writes: the server's state machines
and unique keys are the fence, so a retried write can at worst answer ``AlreadyExists`` or an
``InvalidTransition`` to the state it asked for, which ``is_already_done`` recognizes.
"""

from podium.client.client import OrchestratorClient
from podium.client.config import (
    ClientConfig,
    ClientConfigError,
    KeepaliveSettings,
    RetrySettings,
    open_channel,
)
from podium.client.errors import (
    RETRYABLE_CODES,
    Aborted,
    AlreadyExists,
    Cancelled,
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    InvalidTransition,
    NotFound,
    OrchestratorError,
    PermissionDenied,
    ResourceExhausted,
    TransientError,
    Unauthenticated,
    Unavailable,
    Unimplemented,
    error_from_rpc,
    error_from_status,
    is_already_done,
)
from podium.client.transport import Stream, Transport

__all__ = [
    "RETRYABLE_CODES",
    "Aborted",
    "AlreadyExists",
    "Cancelled",
    "ClientConfig",
    "ClientConfigError",
    "DataLoss",
    "DeadlineExceeded",
    "FailedPrecondition",
    "Internal",
    "InvalidArgument",
    "InvalidTransition",
    "KeepaliveSettings",
    "NotFound",
    "OrchestratorClient",
    "OrchestratorError",
    "PermissionDenied",
    "ResourceExhausted",
    "RetrySettings",
    "Stream",
    "TransientError",
    "Transport",
    "Unauthenticated",
    "Unavailable",
    "Unimplemented",
    "error_from_rpc",
    "error_from_status",
    "is_already_done",
    "open_channel",
]
