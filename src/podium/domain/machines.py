"""The state machines of compute tasks and functions, as literal tables.

A transition is named as in Substra 1.0 (``transitionDone`` …) because clients match those names in
refusal messages. ``next_*`` functions are pure: they return the new status, or raise
``InvalidTransition`` (``OE0104``) naming the transition and the current status.
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Final

from podium.domain.errors import BadRequest, InvalidTransition
from podium.domain.kinds import FunctionAction, FunctionStatus, TaskAction, TaskStatus


class TaskTransition(StrEnum):
    BUILDING = "transitionBuilding"
    WAITING_PARENT_TASKS = "transitionWaitingParentTasks"
    WAITING_EXECUTOR_SLOT = "transitionWaitingExecutorSlot"
    EXECUTING = "transitionExecuting"
    DONE = "transitionDone"
    CANCELED = "transitionCanceled"
    FAILED = "transitionFailed"


_T = TaskStatus
_ALIVE: Final = (
    _T.WAITING_FOR_BUILDER_SLOT,
    _T.BUILDING,
    _T.WAITING_FOR_EXECUTOR_SLOT,
    _T.WAITING_FOR_PARENT_TASKS,
    _T.EXECUTING,
)

TASK_TRANSITIONS: Final[Mapping[tuple[TaskStatus, TaskTransition], TaskStatus]] = {
    (_T.WAITING_FOR_BUILDER_SLOT, TaskTransition.BUILDING): _T.BUILDING,
    (_T.BUILDING, TaskTransition.WAITING_PARENT_TASKS): _T.WAITING_FOR_PARENT_TASKS,
    (_T.BUILDING, TaskTransition.WAITING_EXECUTOR_SLOT): _T.WAITING_FOR_EXECUTOR_SLOT,
    (_T.WAITING_FOR_PARENT_TASKS, TaskTransition.WAITING_EXECUTOR_SLOT): _T.WAITING_FOR_EXECUTOR_SLOT,
    (_T.WAITING_FOR_EXECUTOR_SLOT, TaskTransition.EXECUTING): _T.EXECUTING,
    (_T.EXECUTING, TaskTransition.DONE): _T.DONE,
    **{(status, TaskTransition.CANCELED): _T.CANCELED for status in _ALIVE},
    **{(status, TaskTransition.FAILED): _T.FAILED for status in _ALIVE},
}
"""Every allowed (status, transition) pair and the status it leads to. Absent pairs are refused."""

CLIENT_TASK_ACTIONS: Final[Mapping[TaskAction, TaskTransition]] = {
    TaskAction.EXECUTING: TaskTransition.EXECUTING,
    TaskAction.DONE: TaskTransition.DONE,
    TaskAction.CANCELED: TaskTransition.CANCELED,
    TaskAction.FAILED: TaskTransition.FAILED,
}
"""The actions a client may request through ApplyTaskAction. Build actions are internal only."""


class TaskRole(StrEnum):
    """Who may request an action on a task."""

    WORKER = "worker"
    OWNER_OR_WORKER = "owner or worker"


TASK_ACTION_REQUESTERS: Final[Mapping[TaskAction, TaskRole]] = {
    TaskAction.EXECUTING: TaskRole.WORKER,
    TaskAction.DONE: TaskRole.WORKER,
    TaskAction.CANCELED: TaskRole.OWNER_OR_WORKER,
    TaskAction.FAILED: TaskRole.OWNER_OR_WORKER,
}


def may_request_task_action(action: TaskAction, requester: str, owner: str, worker: str) -> bool:
    """Whether ``requester`` may ask for ``action`` on a task of this owner and worker."""
    role = TASK_ACTION_REQUESTERS.get(action)
    if role is TaskRole.WORKER:
        return requester == worker
    if role is TaskRole.OWNER_OR_WORKER:
        return requester in (owner, worker)
    return False


def next_task_status(current: TaskStatus, transition: TaskTransition) -> TaskStatus:
    """The status after ``transition``; raises ``InvalidTransition`` when the table has no such pair."""
    try:
        return TASK_TRANSITIONS[(current, transition)]
    except KeyError:
        raise InvalidTransition(transition.value, current.value) from None


def can_transition(current: TaskStatus, transition: TaskTransition) -> bool:
    return (current, transition) in TASK_TRANSITIONS


def status_after_build(parent_statuses: Iterable[TaskStatus]) -> TaskTransition:
    """The transition of a BUILDING task once its function is ready: canceled when a parent failed or
    was canceled (it can never run), to To do when every parent is done, else to Waiting."""
    parents = tuple(parent_statuses)
    if any(status in (TaskStatus.FAILED, TaskStatus.CANCELED) for status in parents):
        return TaskTransition.CANCELED
    if all(status is TaskStatus.DONE for status in parents):
        return TaskTransition.WAITING_EXECUTOR_SLOT
    return TaskTransition.WAITING_PARENT_TASKS


def initial_task_status(function_status: FunctionStatus, parent_statuses: Iterable[TaskStatus]) -> TaskStatus:
    """The status of a task at registration (contract §9.5, first match wins)."""
    # Tuple methods rather than any()/all() over generators: this runs once per registered task.
    parents = tuple(parent_statuses)
    if TaskStatus.FAILED in parents or TaskStatus.CANCELED in parents:
        return TaskStatus.CANCELED
    if function_status is FunctionStatus.READY:
        if parents.count(TaskStatus.DONE) == len(parents):
            return TaskStatus.WAITING_FOR_EXECUTOR_SLOT
        return TaskStatus.WAITING_FOR_PARENT_TASKS
    return _INITIAL_BY_FUNCTION_STATUS.get(function_status, TaskStatus.UNKNOWN)


_INITIAL_BY_FUNCTION_STATUS: Final[Mapping[FunctionStatus, TaskStatus]] = {
    FunctionStatus.WAITING: TaskStatus.WAITING_FOR_BUILDER_SLOT,
    FunctionStatus.BUILDING: TaskStatus.BUILDING,
    FunctionStatus.FAILED: TaskStatus.FAILED,
    FunctionStatus.CANCELED: TaskStatus.CANCELED,
}


class TaskEffect(StrEnum):
    """What a use case must do after a task reached a status, in this order."""

    PROMOTE_READY_CHILDREN = "move children whose parents are all done to To do"
    CANCEL_STRANDED_DESCENDANTS = "cancel every descendant that can no longer run"
    FAIL_PLAN = "stamp the plan's failure date and emit a plan UPDATED event"


TASK_EFFECTS: Final[Mapping[TaskStatus, tuple[TaskEffect, ...]]] = {
    TaskStatus.DONE: (TaskEffect.PROMOTE_READY_CHILDREN,),
    TaskStatus.FAILED: (TaskEffect.FAIL_PLAN, TaskEffect.CANCEL_STRANDED_DESCENDANTS),
    TaskStatus.CANCELED: (TaskEffect.CANCEL_STRANDED_DESCENDANTS,),
}


class FunctionTransition(StrEnum):
    BUILDING = "transitionBuilding"
    READY = "transitionReady"
    FAILED = "transitionFailed"
    CANCELED = "transitionCanceled"


_F = FunctionStatus

FUNCTION_ACTION_TRANSITIONS: Final[Mapping[FunctionAction, FunctionTransition]] = {
    FunctionAction.BUILDING: FunctionTransition.BUILDING,
    FunctionAction.READY: FunctionTransition.READY,
    FunctionAction.FAILED: FunctionTransition.FAILED,
    FunctionAction.CANCELED: FunctionTransition.CANCELED,
}

FUNCTION_TRANSITIONS: Final[Mapping[tuple[FunctionStatus, FunctionTransition], FunctionStatus]] = {
    (_F.WAITING, FunctionTransition.BUILDING): _F.BUILDING,
    (_F.BUILDING, FunctionTransition.READY): _F.READY,
    (_F.BUILDING, FunctionTransition.FAILED): _F.FAILED,
    (_F.WAITING, FunctionTransition.FAILED): _F.FAILED,
    (_F.WAITING, FunctionTransition.CANCELED): _F.CANCELED,
    (_F.BUILDING, FunctionTransition.CANCELED): _F.CANCELED,
}
"""Allowed function transitions. podium also allows WAITING → FAILED (Substra refuses it, so a build
that fails before BUILDING could not be reported)."""


def next_function_status(current: FunctionStatus, action: FunctionAction) -> FunctionStatus:
    """The status after ``action``; raises ``InvalidTransition`` when refused, ``BadRequest`` for an
    action that is no transition (``FUNCTION_ACTION_UNKNOWN``)."""
    transition = FUNCTION_ACTION_TRANSITIONS.get(action)
    if transition is None:
        raise BadRequest("unsupported action")
    try:
        return FUNCTION_TRANSITIONS[(current, transition)]
    except KeyError:
        raise InvalidTransition(transition.value, current.value) from None


FUNCTION_PROPAGATION: Final[Mapping[FunctionStatus, tuple[TaskStatus, TaskTransition | None]]] = {
    FunctionStatus.BUILDING: (TaskStatus.WAITING_FOR_BUILDER_SLOT, TaskTransition.BUILDING),
    FunctionStatus.READY: (TaskStatus.BUILDING, None),
    FunctionStatus.CANCELED: (TaskStatus.BUILDING, TaskTransition.CANCELED),
    FunctionStatus.FAILED: (TaskStatus.BUILDING, TaskTransition.FAILED),
}
"""When a function reaches a status: which of its tasks move (by status) and by which transition.
``None`` means "by the parents' statuses" (``status_after_build``). podium also moves tasks still in
WAITING_FOR_BUILDER_SLOT when a function is canceled or fails: see ``STRANDED_BY_FUNCTION``."""

STRANDED_BY_FUNCTION: Final[Mapping[FunctionStatus, TaskTransition]] = {
    FunctionStatus.CANCELED: TaskTransition.CANCELED,
    FunctionStatus.FAILED: TaskTransition.FAILED,
}
"""Tasks waiting for a builder when their function is canceled or fails can never run."""
