"""What an organization must do about one event: a pure function from an event to commands.

``decide(event, me)`` looks only at the event (the asset snapshot it carries) and the organization's
MSP id; the executor carries the commands out, re-reading the orchestrator where the truth matters
(a task is enqueued only if still To do, a transient output disabled only if every consumer is done).
Every command is idempotent for the executor, because events are delivered at least once.

| asset / event | condition | commands |
|---|---|---|
| FUNCTION CREATED | owner is me, status WAITING | ``BuildFunction`` |
| COMPUTE_TASK CREATED / UPDATED | worker is me, status WAITING_FOR_EXECUTOR_SLOT | ``EnqueueTask`` |
| COMPUTE_TASK UPDATED | worker is me, status CANCELED or FAILED | ``StopTask`` |
| COMPUTE_TASK CREATED / UPDATED | DONE, CANCELED, FAILED | ``CheckTransientOutputs``, ``CheckPlanFinished`` |
| COMPUTE_PLAN UPDATED | cancelation or failure date set | ``PlanFinished`` |
| MODEL DISABLED | — | ``DropModel`` |
| anything else | — | nothing |

The final-status rule applies whatever the worker; ``CheckTransientOutputs`` is omitted for a task without
parents. ``StopTask`` on FAILED covers a failure registered by someone else (a function build failure);
for the task's own failure report the executor has already stopped, and stopping is a no-op.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from podium.api.generated import common_pb2, computetask_pb2, event_pb2, function_pb2


@dataclass(frozen=True)
class BuildFunction:
    """Build the environment of my function, then report it READY (or FAILED with a build report)."""

    function_key: str


@dataclass(frozen=True)
class EnqueueTask:
    """Put my To-do task on the work queue (the worker re-checks its status before running it)."""

    task_key: str
    compute_plan_key: str


@dataclass(frozen=True)
class StopTask:
    """Stop my task if it runs here, and drop it from the queue."""

    task_key: str


@dataclass(frozen=True)
class CheckTransientOutputs:
    """A task reached a final state: disable the transient outputs of those parents that are mine,
    once all their children are final (the executor asks the orchestrator)."""

    parent_task_keys: tuple[str, ...]


@dataclass(frozen=True)
class CheckPlanFinished:
    """A task reached a final state: if the plan is no longer running, clean up its local files."""

    compute_plan_key: str


@dataclass(frozen=True)
class PlanFinished:
    """The plan was canceled or failed: stop its tasks here and clean up its local files."""

    compute_plan_key: str


@dataclass(frozen=True)
class DropModel:
    """A model was disabled: evict it from the local cache; its owner deletes the file."""

    model_key: str


Command = (
    BuildFunction
    | EnqueueTask
    | StopTask
    | CheckTransientOutputs
    | CheckPlanFinished
    | PlanFinished
    | DropModel
)

_FINAL_TASK_STATUSES: Final = frozenset(
    {computetask_pb2.STATUS_DONE, computetask_pb2.STATUS_CANCELED, computetask_pb2.STATUS_FAILED}
)
_STOPPED_TASK_STATUSES: Final = frozenset({computetask_pb2.STATUS_CANCELED, computetask_pb2.STATUS_FAILED})


def _function_created(event: event_pb2.Event, me: str) -> list[Command]:
    function = event.function
    if function.owner == me and function.status == function_pb2.FUNCTION_STATUS_WAITING:
        return [BuildFunction(function.key)]
    return []


def _task_changed(event: event_pb2.Event, me: str) -> list[Command]:
    task = event.compute_task
    commands: list[Command] = []
    if task.worker == me and task.status == computetask_pb2.STATUS_WAITING_FOR_EXECUTOR_SLOT:
        commands.append(EnqueueTask(task.key, task.compute_plan_key))
    if (
        task.worker == me
        and task.status in _STOPPED_TASK_STATUSES
        and event.event_kind == event_pb2.EVENT_ASSET_UPDATED
    ):
        commands.append(StopTask(task.key))
    if task.status in _FINAL_TASK_STATUSES:
        parents = parent_task_keys(task)
        if parents:
            commands.append(CheckTransientOutputs(parents))
        commands.append(CheckPlanFinished(task.compute_plan_key))
    return commands


def _plan_updated(event: event_pb2.Event, me: str) -> list[Command]:
    plan = event.compute_plan
    if plan.HasField("cancelation_date") or plan.HasField("failure_date"):
        return [PlanFinished(plan.key)]
    return []


def _model_disabled(event: event_pb2.Event, me: str) -> list[Command]:
    return [DropModel(event.model.key or event.asset_key)]


_Handler = Callable[[event_pb2.Event, str], list[Command]]

HANDLERS: Final[Mapping[tuple[int, int], _Handler]] = {
    (common_pb2.ASSET_FUNCTION, event_pb2.EVENT_ASSET_CREATED): _function_created,
    (common_pb2.ASSET_COMPUTE_TASK, event_pb2.EVENT_ASSET_CREATED): _task_changed,
    (common_pb2.ASSET_COMPUTE_TASK, event_pb2.EVENT_ASSET_UPDATED): _task_changed,
    (common_pb2.ASSET_COMPUTE_PLAN, event_pb2.EVENT_ASSET_UPDATED): _plan_updated,
    (common_pb2.ASSET_MODEL, event_pb2.EVENT_ASSET_DISABLED): _model_disabled,
}
"""The rules, by (asset kind, event kind); a pair not listed asks nothing of anyone."""


def decide(event: event_pb2.Event, me: str) -> list[Command]:
    """The commands organization ``me`` must carry out for ``event`` (see the module table). Pure."""
    handler = HANDLERS.get((event.asset_kind, event.event_kind))
    return handler(event, me) if handler is not None else []


def parent_task_keys(task: computetask_pb2.ComputeTask) -> tuple[str, ...]:
    """The keys of the tasks whose outputs ``task`` consumes, in input order, without duplicates."""
    keys = (
        task_input.parent_task_output.parent_task_key
        for task_input in task.inputs
        if task_input.WhichOneof("ref") == "parent_task_output"
    )
    return tuple(dict.fromkeys(key for key in keys if key))


def required_work_on_start(
    tasks: Iterable[computetask_pb2.ComputeTask],
    me: str,
    *,
    functions: Iterable[function_pb2.Function] = (),
) -> list[Command]:
    """What to (re)do when the agent starts, from the orchestrator's current state (the truth).

    Args:
        tasks: tasks of the channel (typically queried with ``worker=me``); those of other
            organizations are ignored.
        me: this organization's MSP id.
        functions: functions of the channel; mine still WAITING or BUILDING (a build interrupted by a
            restart) are built again (building is idempotent).

    Returns:
        ``BuildFunction`` for each such function, then ``EnqueueTask`` for each of my To-do tasks.
        Tasks already EXECUTING are left to the queue's redelivery and the worker's EXECUTING fence.
    """
    commands: list[Command] = [
        BuildFunction(function.key)
        for function in functions
        if function.owner == me
        and function.status in {function_pb2.FUNCTION_STATUS_WAITING, function_pb2.FUNCTION_STATUS_BUILDING}
    ]
    commands.extend(
        EnqueueTask(task.key, task.compute_plan_key)
        for task in tasks
        if task.worker == me and task.status == computetask_pb2.STATUS_WAITING_FOR_EXECUTOR_SLOT
    )
    return commands
