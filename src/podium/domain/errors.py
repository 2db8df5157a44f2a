"""The exception tree of podium, with stable codes.

Every refusal the orchestrator can give is a ``DomainError`` carrying a stable ``code`` (``OE0xxx``) and
a message. The API maps each class to one gRPC status code (``podium.api.errors``); clients classify by
code or class, never by parsing text::

    DomainError
    ├── NotFound                 OE0002  a referenced asset does not exist in the channel
    ├── AlreadyExists            OE0006  a key is taken, or a unique output is already registered
    ├── BadRequest               OE0003  the request cannot apply in the current state of things
    │   └── MissingHeader        OE0003  a required gRPC header is absent or repeated
    ├── InvalidTransition        OE0104  a state machine refused an action
    ├── Unimplemented            OE0010  an action or input kind that is not supported
    ├── InvalidAsset             OE0101  validation failed (also graph errors, disabled parent models)
    ├── PermissionDenied         OE0102  ownership, ``process`` permission, channel or identity refused
    ├── MissingTaskOutput        OE0106  a model or performance names an output the task lacks
    ├── IncompatibleKind         OE0107  a model for an output of another kind
    ├── CannotDisableOutput      OE0108  DisableOutput refused
    ├── PlanTerminated           OE0109  the compute plan is already canceled or failed
    ├── TransactionConflict      OE0008  concurrent writes kept conflicting past the retry budget
    ├── StorageUnavailable       OE0009  the database cannot be reached
    ├── LedgerBroken             OE0011  a hash chain does not verify (``podium.domain.ledger``)
    ├── Overloaded               OE0012  a configured capacity is reached (open event streams)
    └── InternalError            OE0007  a broken invariant (a bug): logged with the request id

Messages follow Substra 1.0's texts where its backend matches them (for example
``transitionDone inappropriate in current state STATUS_DONE``).
"""

from typing import ClassVar


class DomainError(Exception):
    """Base of every refusal. ``str(error)`` is ``"<code>: <message>"``, the wire message."""

    code: ClassVar[str] = "OE0000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    code = "OE0002"

    def __init__(self, resource: str, key: str, message: str | None = None) -> None:
        super().__init__(message or f'{resource} with key "{key}" not found')
        self.resource = resource
        self.key = key


class AlreadyExists(DomainError):
    code = "OE0006"

    def __init__(self, resource: str, key: str, message: str | None = None) -> None:
        super().__init__(message or f'{resource} with key "{key}" already exists')
        self.resource = resource
        self.key = key


class BadRequest(DomainError):
    code = "OE0003"


class MissingHeader(BadRequest):
    def __init__(self, header: str) -> None:
        super().__init__(f"missing or invalid header '{header}'")
        self.header = header


class InvalidTransition(DomainError):
    """A state machine refused ``transition`` from ``current`` (a status name)."""

    code = "OE0104"

    def __init__(self, transition: str, current: str) -> None:
        super().__init__(f"event {transition} inappropriate in current state {current}")
        self.transition = transition
        self.current = current


class Unimplemented(DomainError):
    code = "OE0010"


class InvalidAsset(DomainError):
    code = "OE0101"

    @classmethod
    def of(cls, resource: str, details: str) -> "InvalidAsset":
        """The contract's validation message: ``<resource> is not valid: <details>``."""
        return cls(f"{resource} is not valid: {details}")


class PermissionDenied(DomainError):
    code = "OE0102"


class MissingTaskOutput(DomainError):
    code = "OE0106"


class IncompatibleKind(DomainError):
    code = "OE0107"


class CannotDisableOutput(DomainError):
    code = "OE0108"


class PlanTerminated(DomainError):
    code = "OE0109"

    def __init__(self, plan_key: str) -> None:
        super().__init__(f"compute plan {plan_key} is already terminated")
        self.plan_key = plan_key


class TransactionConflict(DomainError):
    code = "OE0008"


class StorageUnavailable(DomainError):
    code = "OE0009"


class Overloaded(DomainError):
    """The server is at a configured capacity (for example, open event streams); retry later."""

    code = "OE0012"


class InternalError(DomainError):
    code = "OE0007"


ALL_ERROR_TYPES: tuple[type[DomainError], ...] = (
    NotFound,
    AlreadyExists,
    BadRequest,
    MissingHeader,
    InvalidTransition,
    Unimplemented,
    InvalidAsset,
    PermissionDenied,
    MissingTaskOutput,
    IncompatibleKind,
    CannotDisableOutput,
    PlanTerminated,
    TransactionConflict,
    StorageUnavailable,
    Overloaded,
    InternalError,
)
"""Every concrete error class; the API's status table must cover each (a test checks it)."""
