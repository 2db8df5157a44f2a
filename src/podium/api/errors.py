"""The one table that turns exceptions into gRPC statuses.

``STATUS_BY_ERROR`` lists exception classes, most specific first, with the status code each becomes
(DESIGN §3.3). ``status_of`` walks it; an exception matching no row becomes ``INTERNAL`` with the
stable message ``OE0007: internal error (request id <id>)``, so no request ever answers ``UNKNOWN``
and no internal text leaks to clients. The status message of a domain error is ``str(error)``, that is
``"OE0xxx: <message>"``.
"""

from typing import Final

import grpc

from podium.app.ports import RetryableConflict, Unavailable
from podium.domain import errors
from podium.domain.ledger import LedgerBroken

STATUS_BY_ERROR: Final[tuple[tuple[type[BaseException], grpc.StatusCode], ...]] = (
    (LedgerBroken, grpc.StatusCode.DATA_LOSS),
    (errors.MissingHeader, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.BadRequest, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.InvalidTransition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.Unimplemented, grpc.StatusCode.UNIMPLEMENTED),
    (errors.InvalidAsset, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (errors.MissingTaskOutput, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.IncompatibleKind, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.CannotDisableOutput, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.PlanTerminated, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.TransactionConflict, grpc.StatusCode.ABORTED),
    (errors.StorageUnavailable, grpc.StatusCode.UNAVAILABLE),
    (errors.Overloaded, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.InternalError, grpc.StatusCode.INTERNAL),
    # The app converts these store signals into domain errors; should one escape, its meaning is
    # still known (retry may succeed), so it is not reported as a bug.
    (RetryableConflict, grpc.StatusCode.ABORTED),
    (Unavailable, grpc.StatusCode.UNAVAILABLE),
)
"""Exception class -> status code, most specific class first. Rows are matched with ``isinstance``."""

INTERNAL_CODE: Final = "OE0007"


def code_of(error: BaseException) -> grpc.StatusCode | None:
    """The status code of ``error`` from ``STATUS_BY_ERROR``, ``None`` when it is unforeseen."""
    for error_type, code in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return code
    return None


def status_of(error: BaseException, request_id: str) -> tuple[grpc.StatusCode, str]:
    """The status code and message to send for ``error``.

    Domain errors keep their own text (``"OE0xxx: ..."``). Unforeseen exceptions, and the store
    signals that carry no domain message, get a generic text naming the request id so that the
    operator can find the logged traceback; their own text is never sent.
    """
    code = code_of(error)
    if code is None:
        return grpc.StatusCode.INTERNAL, f"{INTERNAL_CODE}: internal error (request id {request_id})"
    if isinstance(error, errors.DomainError):
        return code, str(error)
    if code is grpc.StatusCode.ABORTED:
        return (
            code,
            f"{errors.TransactionConflict.code}: transaction conflict, retry (request id {request_id})",
        )
    return code, f"{errors.StorageUnavailable.code}: storage unavailable (request id {request_id})"
