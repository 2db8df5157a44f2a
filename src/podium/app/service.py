"""``Orchestrator``: every operation of the contract, each run in one transaction.

This is the only place that begins, commits, rolls back and retries. Each method names whether it
reads or writes; writes are retried as a whole (fresh transaction, fresh timestamp) when the store
reports a lost race, with jittered backoff within the retry budget, after which the caller gets
``TransactionConflict``.
"""

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from podium.app import data, events, failures, functions, organizations, outputs, plans, tasks
from podium.app.ports import Database, RetryableConflict, Transaction, Unavailable
from podium.app.retry import RetryPolicy
from podium.domain import commands
from podium.domain.assets import (
    ComputePlan,
    ComputeTask,
    ComputeTaskInputAsset,
    DataManager,
    DataSample,
    Dataset,
    FailureReport,
    Function,
    Model,
    Organization,
    Page,
    Performance,
)
from podium.domain.errors import StorageUnavailable, TransactionConflict
from podium.domain.events import Event, EventFilter
from podium.domain.kinds import SortOrder

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks, and in which channel: given once per request by the transport."""

    organization: str
    channel: str


class Telemetry(Protocol):
    """What the orchestrator reports to metrics. Implementations must be cheap and never raise."""

    def transaction_retried(self) -> None: ...
    def transaction_finished(self, read_only: bool, committed: bool) -> None: ...


class NoTelemetry:
    def transaction_retried(self) -> None:
        return None

    def transaction_finished(self, read_only: bool, committed: bool) -> None:
        return None


class StopSignal(Protocol):
    """Tells a long-lived read when to end (a ``threading.Event`` is one)."""

    def is_set(self) -> bool: ...


class Orchestrator:
    """The use cases bound to a database. Thread-safe: hold one per process."""

    def __init__(
        self,
        database: Database,
        retry: RetryPolicy | None = None,
        telemetry: Telemetry | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._database = database
        self._retry = retry or RetryPolicy()
        self._telemetry = telemetry or NoTelemetry()
        self._sleep = sleep

    def _read(self, caller: Caller, work: Callable[[Transaction], T]) -> T:
        return self._run(caller.channel, work, read_only=True)

    def _write(self, caller: Caller, work: Callable[[Transaction], T]) -> T:
        return self._run(caller.channel, work, read_only=False)

    def _run(self, channel: str, work: Callable[[Transaction], T], *, read_only: bool) -> T:
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._database.transaction(channel, read_only=read_only) as tx:
                    result = work(tx)
            except RetryableConflict as conflict:
                self._telemetry.transaction_finished(read_only, committed=False)
                elapsed = time.monotonic() - started
                if elapsed >= self._retry.budget:
                    raise TransactionConflict(
                        f"concurrent updates kept conflicting for {elapsed:.3f}s over {attempt} attempts; "
                        "retry later"
                    ) from conflict
                self._telemetry.transaction_retried()
                self._sleep(min(self._retry.delay(attempt), self._retry.budget - elapsed))
                continue
            except Unavailable as unavailable:
                raise StorageUnavailable(f"database unavailable: {unavailable}") from unavailable
            except BaseException:
                self._telemetry.transaction_finished(read_only, committed=False)
                raise
            self._telemetry.transaction_finished(read_only, committed=True)
            return result

    # Organizations
    def register_organization(self, caller: Caller, command: commands.RegisterOrganization) -> Organization:
        return self._write(
            caller, lambda tx: organizations.register_organization(tx, caller.organization, command)
        )

    def get_all_organizations(self, caller: Caller) -> list[Organization]:
        return self._read(caller, organizations.get_all_organizations)

    # Functions
    def register_function(self, caller: Caller, command: commands.NewFunction) -> Function:
        return self._write(caller, lambda tx: functions.register_function(tx, caller.organization, command))

    def get_function(self, caller: Caller, key: str) -> Function:
        return self._read(caller, lambda tx: functions.get_function(tx, key))

    def query_functions(
        self, caller: Caller, page: commands.PageRequest, compute_plan_key: str = ""
    ) -> Page[Function]:
        return self._read(caller, lambda tx: functions.query_functions(tx, page, compute_plan_key))

    def update_function(self, caller: Caller, command: commands.UpdateFunction) -> None:
        self._write(caller, lambda tx: functions.update_function(tx, caller.organization, command))

    def apply_function_action(self, caller: Caller, command: commands.ApplyFunctionAction) -> None:
        self._write(caller, lambda tx: functions.apply_function_action(tx, caller.organization, command))

    # Data managers, samples, datasets
    def register_data_manager(self, caller: Caller, command: commands.NewDataManager) -> DataManager:
        return self._write(caller, lambda tx: data.register_data_manager(tx, caller.organization, command))

    def get_data_manager(self, caller: Caller, key: str) -> DataManager:
        return self._read(caller, lambda tx: data.get_data_manager(tx, key))

    def query_data_managers(self, caller: Caller, page: commands.PageRequest) -> Page[DataManager]:
        return self._read(caller, lambda tx: data.query_data_managers(tx, page))

    def update_data_manager(self, caller: Caller, command: commands.UpdateDataManager) -> None:
        self._write(caller, lambda tx: data.update_data_manager(tx, caller.organization, command))

    def register_data_samples(
        self, caller: Caller, samples: Sequence[commands.NewDataSample]
    ) -> list[DataSample]:
        return self._write(
            caller, lambda tx: data.register_data_samples(tx, caller.organization, list(samples))
        )

    def update_data_samples(self, caller: Caller, command: commands.UpdateDataSamples) -> None:
        self._write(caller, lambda tx: data.update_data_samples(tx, caller.organization, command))

    def get_data_sample(self, caller: Caller, key: str) -> DataSample:
        return self._read(caller, lambda tx: data.get_data_sample(tx, key))

    def query_data_samples(
        self, caller: Caller, page: commands.PageRequest, keys: tuple[str, ...] = ()
    ) -> Page[DataSample]:
        return self._read(caller, lambda tx: data.query_data_samples(tx, page, keys))

    def get_dataset(self, caller: Caller, key: str) -> Dataset:
        return self._read(caller, lambda tx: data.get_dataset(tx, key))

    # Compute plans
    def register_plan(self, caller: Caller, command: commands.NewComputePlan) -> ComputePlan:
        return self._write(caller, lambda tx: plans.register_plan(tx, caller.organization, command))

    def get_plan(self, caller: Caller, key: str) -> ComputePlan:
        return self._read(caller, lambda tx: plans.get_plan(tx, key))

    def query_plans(self, caller: Caller, page: commands.PageRequest, owner: str = "") -> Page[ComputePlan]:
        return self._read(caller, lambda tx: plans.query_plans(tx, page, owner))

    def update_plan(self, caller: Caller, command: commands.UpdateComputePlan) -> None:
        self._write(caller, lambda tx: plans.update_plan(tx, caller.organization, command))

    def apply_plan_action(self, caller: Caller, command: commands.ApplyPlanAction) -> None:
        self._write(caller, lambda tx: plans.apply_plan_action(tx, caller.organization, command))

    def is_plan_running(self, caller: Caller, key: str) -> bool:
        return self._read(caller, lambda tx: plans.is_plan_running(tx, key))

    # Compute tasks
    def register_tasks(self, caller: Caller, command: commands.RegisterTasks) -> list[ComputeTask]:
        return self._write(caller, lambda tx: tasks.register_tasks(tx, caller.organization, command))

    def get_task(self, caller: Caller, key: str) -> ComputeTask:
        return self._read(caller, lambda tx: tasks.get_task(tx, key))

    def query_tasks(
        self, caller: Caller, page: commands.PageRequest, task_filter: commands.TaskFilter
    ) -> Page[ComputeTask]:
        return self._read(caller, lambda tx: tasks.query_tasks(tx, page, task_filter))

    def apply_task_action(self, caller: Caller, command: commands.ApplyTaskAction) -> None:
        self._write(caller, lambda tx: tasks.apply_task_action(tx, caller.organization, command))

    def get_task_input_assets(self, caller: Caller, key: str) -> list[ComputeTaskInputAsset]:
        return self._read(caller, lambda tx: tasks.get_task_input_assets(tx, key))

    def disable_output(self, caller: Caller, command: commands.DisableOutput) -> None:
        self._write(caller, lambda tx: outputs.disable_output(tx, caller.organization, command))

    # Models and performances
    def register_models(self, caller: Caller, command: commands.RegisterModels) -> list[Model]:
        return self._write(caller, lambda tx: outputs.register_models(tx, caller.organization, command))

    def get_model(self, caller: Caller, key: str) -> Model:
        return self._read(caller, lambda tx: outputs.get_model(tx, key))

    def get_task_models(self, caller: Caller, task_key: str) -> list[Model]:
        return self._read(caller, lambda tx: outputs.get_task_models(tx, task_key))

    def register_performance(self, caller: Caller, command: commands.NewPerformance) -> Performance:
        return self._write(caller, lambda tx: outputs.register_performance(tx, caller.organization, command))

    def query_performances(
        self, caller: Caller, page: commands.PageRequest, task_key: str = "", identifier: str = ""
    ) -> Page[Performance]:
        return self._read(caller, lambda tx: outputs.query_performances(tx, page, task_key, identifier))

    # Failure reports and profiling
    def register_failure_report(self, caller: Caller, command: commands.NewFailureReport) -> FailureReport:
        return self._write(
            caller, lambda tx: failures.register_failure_report(tx, caller.organization, command)
        )

    def get_failure_report(self, caller: Caller, asset_key: str) -> FailureReport:
        return self._read(caller, lambda tx: failures.get_failure_report(tx, asset_key))

    def register_profiling_step(self, caller: Caller, command: commands.NewProfilingStep) -> None:
        self._write(caller, lambda tx: events.register_profiling_step(tx, command))

    # Events
    def query_events(
        self, caller: Caller, page: commands.PageRequest, event_filter: EventFilter, sort: SortOrder
    ) -> Page[Event]:
        return self._read(caller, lambda tx: events.query_events(tx, page, event_filter, sort))

    def cursor_position(self, caller: Caller, start_event_id: str) -> int:
        """The position after which a subscription from ``start_event_id`` starts (exclusive): 0 for an
        empty id, else that event's position in the caller's channel. An unknown id is ``NotFound``."""
        return self._read(caller, lambda tx: events.cursor_position(tx, start_event_id))

    def events_after(self, caller: Caller, position: int, limit: int) -> list[Event]:
        """At most ``limit`` events of the caller's channel with a position greater than ``position``,
        in position order, read in one short read-only transaction. Because a channel's writers commit
        in position order, the result is gap-free: it starts at ``position + 1`` when not empty."""
        return self._read(caller, functools.partial(events.events_after, position=position, limit=limit))

    def wait_for_events(self, channel: str, after_position: int, timeout: float) -> bool:
        """Block until an event past ``after_position`` may exist in ``channel`` or ``timeout`` seconds
        pass. True means "look again" (a hint, not a promise); False, nothing new came in time.

        Raises:
            StorageUnavailable: the database cannot be reached.
        """
        try:
            return self._database.wait_for_events(channel, after_position, timeout)
        except Unavailable as unavailable:
            raise StorageUnavailable(f"database unavailable: {unavailable}") from unavailable
