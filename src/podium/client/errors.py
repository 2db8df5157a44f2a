"""The client's exception tree: one class per gRPC status code, mirroring the server's table.

Every failed call raises an ``OrchestratorError`` built by ``error_from_rpc``, the only place that
reads a ``grpc.RpcError``. Classify by class (or ``.code`` / ``.oe_code``), not by message text::

    OrchestratorError            .code (grpc.StatusCode), .oe_code ("OE0xxx" or ""), .message
    ├── NotFound                 NOT_FOUND            OE0002
    ├── AlreadyExists            ALREADY_EXISTS       OE0006
    ├── InvalidArgument          INVALID_ARGUMENT     OE0101, OE0106, OE0107
    ├── FailedPrecondition       FAILED_PRECONDITION  OE0003, OE0108, OE0109
    │   └── InvalidTransition    FAILED_PRECONDITION  OE0104  (.transition, .current_status)
    ├── PermissionDenied         PERMISSION_DENIED    OE0102
    ├── Unauthenticated          UNAUTHENTICATED
    ├── Unimplemented            UNIMPLEMENTED        OE0010
    ├── ResourceExhausted        RESOURCE_EXHAUSTED   (e.g. a message over the size limit)
    ├── Cancelled                CANCELLED            (the call was cancelled by the client)
    ├── DataLoss                 DATA_LOSS            OE0011  (a ledger does not verify)
    ├── Internal                 INTERNAL, UNKNOWN    OE0007
    └── TransientError           the codes retried by the client (``RETRYABLE_CODES``)
        ├── Unavailable          UNAVAILABLE          OE0009  (or no connection at all)
        ├── Aborted              ABORTED              OE0008  (write conflicts past the server's budget)
        └── DeadlineExceeded     DEADLINE_EXCEEDED    (the call timeout passed)

A ``TransientError`` is raised only once the client's retries are spent. ``attempts`` tells how many
times the call was sent: a write refused on a later attempt may have committed on an earlier one,
which ``is_already_done`` recognizes.
"""

import re
from typing import Any, Final

import grpc

from podium.domain.kinds import FunctionAction, FunctionStatus, PlanAction, TaskAction, TaskStatus

_OE_PREFIX: Final = re.compile(r"^(OE\d{4}): ?")
_CURRENT_STATE: Final = re.compile(r"event (\S+) inappropriate in current state (\S+)")
INVALID_TRANSITION_CODE: Final = "OE0104"
PLAN_TERMINATED_CODE: Final = "OE0109"


class OrchestratorError(Exception):
    """A call the orchestrator (or the transport) refused.

    Attributes:
        code: the gRPC status code.
        oe_code: the stable domain code (``"OE0002"``…) parsed from the message, ``""`` when absent.
        message: the status message without its ``OE0xxx: `` prefix.
        method: the full RPC name (``/orchestrator.ComputeTaskService/GetTask``), ``""`` if unknown.
        request_id: the ``reqid`` header sent, to find the call in the server's logs.
        attempts: how many times the call was sent (1 when not retried).
    """

    def __init__(
        self,
        code: Any,
        message: str,
        oe_code: str = "",
        *,
        method: str = "",
        request_id: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.oe_code = oe_code
        self.message = message
        self.method = method
        self.request_id = request_id
        self.attempts = attempts

    def __str__(self) -> str:
        prefix = f"{self.oe_code}: " if self.oe_code else ""
        where = f" [{self.method} reqid={self.request_id}]" if self.method else ""
        return f"{getattr(self.code, 'name', self.code)}: {prefix}{self.message}{where}"


class NotFound(OrchestratorError):
    pass


class AlreadyExists(OrchestratorError):
    pass


class InvalidArgument(OrchestratorError):
    pass


class FailedPrecondition(OrchestratorError):
    pass


class InvalidTransition(FailedPrecondition):
    """A state machine refused the action. ``current_status`` is the wire name of the status the
    asset was in (``"STATUS_DONE"``), ``transition`` the refused one (``"transitionDone"``); both are
    ``""`` when the message does not have the contract's shape."""

    def __init__(self, code: Any, message: str, oe_code: str = "", **context: Any) -> None:
        super().__init__(code, message, oe_code, **context)
        found = _CURRENT_STATE.search(message)
        self.transition = found.group(1) if found else ""
        self.current_status = found.group(2) if found else ""


class PermissionDenied(OrchestratorError):
    pass


class Unauthenticated(OrchestratorError):
    pass


class Unimplemented(OrchestratorError):
    pass


class ResourceExhausted(OrchestratorError):
    pass


class Cancelled(OrchestratorError):
    pass


class DataLoss(OrchestratorError):
    pass


class Internal(OrchestratorError):
    pass


class TransientError(OrchestratorError):
    """A failure that may pass on its own; raised after the retries are spent."""


class Unavailable(TransientError):
    pass


class Aborted(TransientError):
    pass


class DeadlineExceeded(TransientError):
    pass


_SC = grpc.StatusCode
ERROR_BY_CODE: Final[dict[Any, type[OrchestratorError]]] = {
    _SC.NOT_FOUND: NotFound,
    _SC.ALREADY_EXISTS: AlreadyExists,
    _SC.INVALID_ARGUMENT: InvalidArgument,
    _SC.OUT_OF_RANGE: InvalidArgument,
    _SC.FAILED_PRECONDITION: FailedPrecondition,
    _SC.PERMISSION_DENIED: PermissionDenied,
    _SC.UNAUTHENTICATED: Unauthenticated,
    _SC.UNIMPLEMENTED: Unimplemented,
    _SC.RESOURCE_EXHAUSTED: ResourceExhausted,
    _SC.CANCELLED: Cancelled,
    _SC.DATA_LOSS: DataLoss,
    _SC.INTERNAL: Internal,
    _SC.UNKNOWN: Internal,
    _SC.UNAVAILABLE: Unavailable,
    _SC.ABORTED: Aborted,
    _SC.DEADLINE_EXCEEDED: DeadlineExceeded,
}
"""Status code -> exception class; codes absent here become ``OrchestratorError`` itself."""

RETRYABLE_CODES: Final = frozenset({_SC.UNAVAILABLE, _SC.ABORTED, _SC.DEADLINE_EXCEEDED})
"""The only codes the client retries: nothing was decided, or the server asks to try again."""


def error_from_status(
    code: Any, details: str, *, method: str = "", request_id: str = "", attempts: int = 1
) -> OrchestratorError:
    """The exception for a status ``code`` and its message ``details``.

    The ``OE0xxx: `` prefix, when present, is split into ``oe_code``. A FAILED_PRECONDITION with
    ``OE0104`` becomes ``InvalidTransition``.
    """
    found = _OE_PREFIX.match(details)
    oe_code = found.group(1) if found else ""
    message = details[found.end() :] if found else details
    error_type = ERROR_BY_CODE.get(code, OrchestratorError)
    if error_type is FailedPrecondition and oe_code == INVALID_TRANSITION_CODE:
        error_type = InvalidTransition
    return error_type(code, message, oe_code, method=method, request_id=request_id, attempts=attempts)


def error_from_rpc(
    error: grpc.RpcError, *, method: str = "", request_id: str = "", attempts: int = 1
) -> OrchestratorError:
    """The exception for a failed call (a ``grpc.RpcError`` that is also a ``grpc.Call``)."""
    code_of = getattr(error, "code", None)
    details_of = getattr(error, "details", None)
    code = code_of() if callable(code_of) else _SC.UNKNOWN
    details = (details_of() if callable(details_of) else None) or ""
    return error_from_status(code, details, method=method, request_id=request_id, attempts=attempts)


_TARGET_STATUS: Final[dict[str, str]] = {
    TaskAction.DONE: TaskStatus.DONE,
    TaskAction.CANCELED: TaskStatus.CANCELED,
    TaskAction.FAILED: TaskStatus.FAILED,
    FunctionAction.READY: FunctionStatus.READY,
    FunctionAction.CANCELED: FunctionStatus.CANCELED,
    FunctionAction.FAILED: FunctionStatus.FAILED,
}
"""The status each idempotent action leads to. EXECUTING and BUILDING are absent on purpose: they are
the fence that decides which worker runs a task or builds a function, so finding the asset already
there means another worker may hold it — the caller must treat it as a lost race, not a success."""


def is_already_done(error: BaseException, action: str | None = None) -> bool:
    """Whether ``error`` means the requested effect is already in place, so the caller may go on.

    The client retries writes on UNAVAILABLE / ABORTED / DEADLINE_EXCEEDED; an attempt that committed
    before its answer was lost then comes back refused. Use it as::

        try:
            client.apply_task_action(key, TaskAction.DONE, log="task completed")
        except OrchestratorError as error:
            if not is_already_done(error, TaskAction.DONE):
                raise

    Args:
        error: what the call raised.
        action: the wire name of the action requested (``TaskAction``, ``FunctionAction``,
            ``PlanAction`` or their string values); ``None`` for a registration.

    Returns:
        For a registration (``action`` is None): True on ``AlreadyExists`` — note that the key may
        have been taken by a different asset; compare contents when that matters. For a task or
        function action: True on ``InvalidTransition`` whose current status is the action's target
        (DONE when asking DONE…); never for EXECUTING / BUILDING (see ``_TARGET_STATUS``). For
        ``PLAN_ACTION_CANCELED``: True when the plan is already terminated (``OE0109``: canceled or
        failed, either way it will run no more). False otherwise.
    """
    if action is None:
        return isinstance(error, AlreadyExists)
    if action == PlanAction.CANCELED:
        return isinstance(error, FailedPrecondition) and error.oe_code == PLAN_TERMINATED_CODE
    target = _TARGET_STATUS.get(action)
    return target is not None and isinstance(error, InvalidTransition) and error.current_status == target
