"""decide(): every asset kind, event kind and status, from literal tables."""

from itertools import product
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from podium.agent.decide import (
    HANDLERS,
    BuildFunction,
    CheckPlanFinished,
    CheckTransientOutputs,
    Command,
    DropModel,
    EnqueueTask,
    PlanFinished,
    StopTask,
    decide,
    required_work_on_start,
)
from podium.api.generated import (
    common_pb2,
    computeplan_pb2,
    computetask_pb2,
    event_pb2,
    function_pb2,
    model_pb2,
)

ME, OTHER = "MyOrg1MSP", "MyOrg2MSP"
T = computetask_pb2
CREATED, UPDATED, DISABLED = (
    event_pb2.EVENT_ASSET_CREATED,
    event_pb2.EVENT_ASSET_UPDATED,
    event_pb2.EVENT_ASSET_DISABLED,
)
ALL_ASSET_KINDS = list(common_pb2.AssetKind.values())
ALL_EVENT_KINDS = list(event_pb2.EventKind.values())

FINAL: list[Command] = [CheckTransientOutputs(("parent-1", "parent-2")), CheckPlanFinished("plan")]
ENQUEUE: list[Command] = [EnqueueTask("task", "plan")]
STOP: list[Command] = [StopTask("task")]

# status -> (my task CREATED, my task UPDATED, another organization's task CREATED or UPDATED)
TASK_TABLE: dict[Any, tuple[list[Command], list[Command], list[Command]]] = {
    T.STATUS_UNKNOWN: ([], [], []),
    T.STATUS_WAITING_FOR_BUILDER_SLOT: ([], [], []),
    T.STATUS_BUILDING: ([], [], []),
    T.STATUS_WAITING_FOR_PARENT_TASKS: ([], [], []),
    T.STATUS_WAITING_FOR_EXECUTOR_SLOT: (ENQUEUE, ENQUEUE, []),
    T.STATUS_EXECUTING: ([], [], []),
    T.STATUS_DONE: (FINAL, FINAL, FINAL),
    T.STATUS_CANCELED: (FINAL, STOP + FINAL, FINAL),
    T.STATUS_FAILED: (FINAL, STOP + FINAL, FINAL),
}


def _task(status: Any, worker: str, *, parents: tuple[str, ...] = ("parent-1", "parent-2")) -> T.ComputeTask:
    inputs = [T.ComputeTaskInput(identifier="opener", asset_key="data-manager")]
    inputs += [
        T.ComputeTaskInput(
            identifier="model",
            parent_task_output=T.ParentTaskOutputRef(parent_task_key=key, output_identifier="m"),
        )
        for key in (*parents, *parents[:1])  # a repeated parent is named once
    ]
    return T.ComputeTask(key="task", compute_plan_key="plan", worker=worker, status=status, inputs=inputs)


def _task_event(event_kind: Any, task: T.ComputeTask) -> event_pb2.Event:
    return event_pb2.Event(
        asset_kind=common_pb2.ASSET_COMPUTE_TASK, event_kind=event_kind, asset_key=task.key, compute_task=task
    )


def test_the_task_table_covers_every_status() -> None:
    assert set(TASK_TABLE) == set(T.ComputeTaskStatus.values())


@pytest.mark.parametrize(
    ("status", "event_kind", "worker"),
    [
        pytest.param(
            status,
            kind,
            worker,
            id=f"{T.ComputeTaskStatus.Name(status)} {event_pb2.EventKind.Name(kind)} {worker}",
        )
        for status, kind, worker in product(TASK_TABLE, (CREATED, UPDATED), (ME, OTHER))
    ],
)
def test_task_events(status: Any, event_kind: Any, worker: str) -> None:
    mine_created, mine_updated, others = TASK_TABLE[status]
    expected = others if worker == OTHER else mine_created if event_kind == CREATED else mine_updated

    assert decide(_task_event(event_kind, _task(status, worker)), ME) == expected


def test_a_final_task_without_parents_only_checks_its_plan() -> None:
    event = _task_event(UPDATED, _task(T.STATUS_DONE, ME, parents=()))

    assert decide(event, ME) == [CheckPlanFinished("plan")]


@pytest.mark.parametrize(
    ("status", "owner", "expected"),
    [
        (
            status,
            owner,
            [BuildFunction("function")]
            if (status, owner) == (function_pb2.FUNCTION_STATUS_WAITING, ME)
            else [],
        )
        for status, owner in product(function_pb2.FunctionStatus.values(), (ME, OTHER))
    ],
)
def test_function_created(status: Any, owner: str, expected: list[Command]) -> None:
    event = event_pb2.Event(
        asset_kind=common_pb2.ASSET_FUNCTION,
        event_kind=CREATED,
        function=function_pb2.Function(key="function", owner=owner, status=status),
    )

    assert decide(event, ME) == expected


@pytest.mark.parametrize(
    ("canceled", "failed", "expected"),
    [
        (False, False, []),
        (True, False, [PlanFinished("plan")]),
        (False, True, [PlanFinished("plan")]),
        (True, True, [PlanFinished("plan")]),
    ],
)
def test_plan_updated(canceled: bool, failed: bool, expected: list[Command]) -> None:
    plan = computeplan_pb2.ComputePlan(key="plan", owner=OTHER)
    if canceled:
        plan.cancelation_date.CopyFrom(Timestamp(seconds=1))
    if failed:
        plan.failure_date.CopyFrom(Timestamp(seconds=1))
    event = event_pb2.Event(asset_kind=common_pb2.ASSET_COMPUTE_PLAN, event_kind=UPDATED, compute_plan=plan)

    assert decide(event, ME) == expected


def test_model_disabled() -> None:
    event = event_pb2.Event(
        asset_kind=common_pb2.ASSET_MODEL,
        event_kind=DISABLED,
        asset_key="model",
        model=model_pb2.Model(key="model", owner=OTHER),
    )

    assert decide(event, ME) == [DropModel("model")]


def _event_that_would_matter(asset_kind: Any, event_kind: Any) -> event_pb2.Event:
    """An event whose snapshot would ask for work if its (asset, event) pair had a rule."""
    plan = computeplan_pb2.ComputePlan(key="plan", cancelation_date=Timestamp(seconds=1))
    return event_pb2.Event(
        asset_kind=asset_kind,
        event_kind=event_kind,
        asset_key="key",
        compute_task=_task(T.STATUS_WAITING_FOR_EXECUTOR_SLOT, ME),
        function=function_pb2.Function(key="f", owner=ME, status=function_pb2.FUNCTION_STATUS_WAITING),
        compute_plan=plan,
        model=model_pb2.Model(key="m", owner=ME),
    )


@pytest.mark.parametrize(
    ("asset_kind", "event_kind"),
    [pair for pair in product(ALL_ASSET_KINDS, ALL_EVENT_KINDS) if pair not in HANDLERS],
)
def test_every_other_pair_asks_nothing(asset_kind: Any, event_kind: Any) -> None:
    assert decide(_event_that_would_matter(asset_kind, event_kind), ME) == []


def test_decide_is_pure() -> None:
    event = _task_event(UPDATED, _task(T.STATUS_CANCELED, ME))
    before = event.SerializeToString()

    assert decide(event, ME) == decide(event, ME)
    assert event.SerializeToString() == before


def test_required_work_on_start() -> None:
    tasks = [
        T.ComputeTask(key="todo", compute_plan_key="p", worker=ME, status=T.STATUS_WAITING_FOR_EXECUTOR_SLOT),
        T.ComputeTask(
            key="theirs", compute_plan_key="p", worker=OTHER, status=T.STATUS_WAITING_FOR_EXECUTOR_SLOT
        ),
        T.ComputeTask(key="running", compute_plan_key="p", worker=ME, status=T.STATUS_EXECUTING),
        T.ComputeTask(
            key="waiting", compute_plan_key="p", worker=ME, status=T.STATUS_WAITING_FOR_PARENT_TASKS
        ),
    ]
    functions = [
        function_pb2.Function(key="new", owner=ME, status=function_pb2.FUNCTION_STATUS_WAITING),
        function_pb2.Function(key="interrupted", owner=ME, status=function_pb2.FUNCTION_STATUS_BUILDING),
        function_pb2.Function(key="ready", owner=ME, status=function_pb2.FUNCTION_STATUS_READY),
        function_pb2.Function(key="theirs", owner=OTHER, status=function_pb2.FUNCTION_STATUS_WAITING),
    ]

    assert required_work_on_start(tasks, ME, functions=functions) == [
        BuildFunction("new"),
        BuildFunction("interrupted"),
        EnqueueTask("todo", "p"),
    ]
