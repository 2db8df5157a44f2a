"""The ports the use cases need, as Protocols. ``podium.store`` implements them.

A ``Transaction`` is scoped to one channel: every read and write through its repositories concerns
that channel only, except ``key_taken`` checks, which are global because keys are global (a key used
in another channel is "already exists", not a database crash). Repositories never commit; the
``Database`` does, once, when the unit of work returns.

Contracts that every implementation MUST keep (checked by the store's conformance suite):

- ``add``/``add_many`` MUST NOT silently overwrite: a duplicate primary key raises ``AlreadyExists``.
- ``query`` methods MUST return rows in the documented stable order, ``limit`` rows at most, from
  ``offset``.
- ``EventLog.append`` MUST give consecutive positions from the channel head, in call order, and
  chain each event's hash to the previous one; events become visible to readers only at commit.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, TypeVar

from podium.domain.assets import (
    ComputePlan,
    ComputeTask,
    ComputeTaskOutputAsset,
    DataManager,
    DataSample,
    FailureReport,
    Function,
    Model,
    Organization,
    Performance,
)
from podium.domain.commands import TaskFilter
from podium.domain.events import Event, EventFilter, NewEvent
from podium.domain.kinds import SortOrder, TaskStatus

T = TypeVar("T")


class RetryableConflict(Exception):
    """Raised by a store when a transaction lost a race (serialization failure, deadlock) and the whole
    unit of work may be run again."""


class Unavailable(Exception):
    """Raised by a store when the database cannot be reached."""


class OrganizationRepository(Protocol):
    def add(self, organization: Organization) -> None: ...
    def get(self, organization_id: str) -> Organization | None: ...
    def all(self) -> list[Organization]:
        """Every organization of the channel, ordered by creation date then id."""
        ...


class FunctionRepository(Protocol):
    def key_taken(self, key: str) -> bool: ...
    def add(self, function: Function) -> None: ...
    def get(self, key: str) -> Function | None: ...
    def update(self, function: Function) -> None:
        """Save name, status and image of an existing function."""
        ...

    def query(self, offset: int, limit: int, compute_plan_key: str = "") -> list[Function]:
        """Ordered by creation date then key; ``compute_plan_key`` keeps functions used by a task of
        that plan."""
        ...


class DataManagerRepository(Protocol):
    def key_taken(self, key: str) -> bool: ...
    def add(self, data_manager: DataManager) -> None: ...
    def get(self, key: str) -> DataManager | None: ...
    def get_many(self, keys: Sequence[str]) -> dict[str, DataManager]: ...
    def update(self, data_manager: DataManager) -> None:
        """Save the name of an existing data manager."""
        ...

    def query(self, offset: int, limit: int) -> list[DataManager]:
        """Ordered by creation date then key."""
        ...


class DataSampleRepository(Protocol):
    def first_key_taken(self, keys: Sequence[str]) -> str | None: ...
    def add_many(self, samples: Sequence[DataSample]) -> None: ...
    def get(self, key: str) -> DataSample | None: ...
    def get_many(self, keys: Sequence[str]) -> dict[str, DataSample]: ...
    def update(self, sample: DataSample) -> None:
        """Save the data-manager keys of an existing sample."""
        ...

    def query(self, offset: int, limit: int, keys: Sequence[str] = ()) -> list[DataSample]:
        """Ordered by creation date then key; ``keys`` (when given) restricts to those keys."""
        ...

    def keys_of_data_manager(self, data_manager_key: str) -> list[str]:
        """Keys of the samples linked to a data manager, ordered by creation date then key."""
        ...


class PlanRepository(Protocol):
    def key_taken(self, key: str) -> bool: ...
    def add(self, plan: ComputePlan) -> None: ...
    def get(self, key: str) -> ComputePlan | None: ...
    def update(self, plan: ComputePlan) -> None:
        """Save name, cancelation date and failure date of an existing plan."""
        ...

    def query(self, offset: int, limit: int, owner: str = "") -> list[ComputePlan]:
        """Ordered by creation date then key."""
        ...


class TaskRepository(Protocol):
    def first_key_taken(self, keys: Sequence[str]) -> str | None: ...
    def add_many(self, tasks: Sequence[ComputeTask]) -> None:
        """Store tasks with their inputs (in order), outputs and parent links (parents must be stored
        earlier in the sequence or already)."""
        ...

    def add_built(self, count: int, built: Iterator[ComputeTask]) -> list[ComputeTask]:
        """``add_many`` of the ``count`` tasks ``built`` yields, each taken from it as it is stored (a
        store may send the first while the last are being built); answers them, in order. What
        ``built`` raises propagates, and the transaction must then be rolled back."""
        ...

    def get(self, key: str) -> ComputeTask | None: ...
    def get_many(self, keys: Sequence[str]) -> dict[str, ComputeTask]: ...
    def statuses(self, keys: Sequence[str]) -> dict[str, TaskStatus]:
        """Current status of each existing task among ``keys`` (cheaper than ``get_many``)."""
        ...

    def set_status(self, key: str, status: TaskStatus) -> None: ...
    def set_statuses(self, keys: Sequence[str], status: TaskStatus) -> None:
        """Set ``status`` on every task of ``keys`` (of this channel) at once, in as few statements as
        the database allows; keys naming no task are ignored. Same effect as ``set_status`` per key."""
        ...

    def query(self, offset: int, limit: int, task_filter: TaskFilter) -> list[ComputeTask]:
        """Ordered by creation date then key."""
        ...

    def children(self, parent_key: str) -> list[ComputeTask]:
        """Tasks having ``parent_key`` among their parents, ordered by creation date then key."""
        ...

    def of_plan(self, plan_key: str, statuses: Sequence[TaskStatus]) -> list[ComputeTask]:
        """Tasks of a plan whose status is among ``statuses``, ordered by rank then creation date then
        key."""
        ...

    def of_function(self, function_key: str, statuses: Sequence[TaskStatus]) -> list[ComputeTask]:
        """Tasks of the channel using a function, with a status among ``statuses``, ordered by rank
        then creation date then key."""
        ...

    def count_by_status(self, plan_key: str) -> dict[TaskStatus, int]: ...


class ModelRepository(Protocol):
    def first_key_taken(self, keys: Sequence[str]) -> str | None: ...
    def add(self, model: Model) -> None: ...
    def get(self, key: str) -> Model | None: ...
    def update(self, model: Model) -> None:
        """Save the address (``None`` once disabled) of an existing model."""
        ...

    def of_task(self, task_key: str) -> list[Model]:
        """Models of a task ordered by creation date then key."""
        ...


class PerformanceRepository(Protocol):
    def exists(self, task_key: str, identifier: str) -> bool: ...
    def add(self, performance: Performance) -> None: ...
    def query(self, offset: int, limit: int, task_key: str = "", identifier: str = "") -> list[Performance]:
        """Ordered by creation date, then task key descending, then identifier."""
        ...


class FailureReportRepository(Protocol):
    def add(self, report: FailureReport) -> None:
        """Store a report; replaces an earlier report of the same asset."""
        ...

    def get(self, asset_key: str) -> FailureReport | None: ...


class OutputAssetRepository(Protocol):
    def add(self, output_asset: ComputeTaskOutputAsset) -> None:
        """Append an output asset, numbered after the existing ones of the same (task, identifier)."""
        ...

    def of_output(self, task_key: str, identifier: str) -> list[ComputeTaskOutputAsset]:
        """In registration order."""
        ...


class EventLog(Protocol):
    def append(self, events: Sequence[NewEvent]) -> list[Event]:
        """Give each event the next position of the channel, a fresh id, the transaction's timestamp
        and its chain hash; store them. Visible to readers at commit."""
        ...

    def query(self, offset: int, limit: int, event_filter: EventFilter, sort: SortOrder) -> list[Event]:
        """Ordered by position (ascending, or descending when ``sort`` is DESCENDING)."""
        ...

    def position_of(self, event_id: str) -> int | None:
        """Position of an event of this channel, ``None`` when absent."""
        ...

    def read_after(self, position: int, limit: int) -> list[Event]:
        """Events with ``position`` greater than the given one, ordered by position."""
        ...

    def head(self) -> tuple[int, str]:
        """Position and hash of the channel's last event; ``(0, GENESIS_HASH)`` when empty."""
        ...


class Transaction(Protocol):
    """One unit of work in one channel, with the request's timestamp."""

    channel: str
    now: datetime
    organizations: OrganizationRepository
    functions: FunctionRepository
    data_managers: DataManagerRepository
    data_samples: DataSampleRepository
    plans: PlanRepository
    tasks: TaskRepository
    models: ModelRepository
    performances: PerformanceRepository
    failure_reports: FailureReportRepository
    output_assets: OutputAssetRepository
    events: EventLog


class Database(Protocol):
    def transaction(self, channel: str, *, read_only: bool) -> AbstractContextManager[Transaction]:
        """Begin a transaction: commit when the block ends normally, roll back when it raises.
        Write transactions of one channel are serialized (the channel head is locked first).
        Raises ``RetryableConflict`` or ``Unavailable``."""
        ...

    def wait_for_events(self, channel: str, after_position: int, timeout: float) -> bool:
        """Block until an event past ``after_position`` may exist in ``channel`` or ``timeout`` seconds
        pass. True means "look again" (a hint, not a promise)."""
        ...


Work = Callable[[Transaction], T]
"""A unit of work: what a use case does inside one transaction."""
