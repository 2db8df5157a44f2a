"""Every (status, transition) pair of the task and function machines, against the contract's tables
(reference §9.1, §9.3, §9.5, §10) written out here independently of ``podium.domain.machines``."""

from itertools import product

import pytest

from podium.domain.errors import BadRequest, InvalidTransition
from podium.domain.kinds import FunctionAction, FunctionStatus, TaskAction, TaskStatus
from podium.domain.machines import (
    CLIENT_TASK_ACTIONS,
    TaskTransition,
    can_transition,
    initial_task_status,
    may_request_task_action,
    next_function_status,
    next_task_status,
)

S = TaskStatus
T = TaskTransition
ALIVE = (
    S.WAITING_FOR_BUILDER_SLOT,
    S.BUILDING,
    S.WAITING_FOR_EXECUTOR_SLOT,
    S.WAITING_FOR_PARENT_TASKS,
    S.EXECUTING,
)

EXPECTED_TASK: dict[tuple[TaskStatus, TaskTransition], TaskStatus] = {
    (S.WAITING_FOR_BUILDER_SLOT, T.BUILDING): S.BUILDING,
    (S.BUILDING, T.WAITING_PARENT_TASKS): S.WAITING_FOR_PARENT_TASKS,
    (S.BUILDING, T.WAITING_EXECUTOR_SLOT): S.WAITING_FOR_EXECUTOR_SLOT,
    (S.WAITING_FOR_PARENT_TASKS, T.WAITING_EXECUTOR_SLOT): S.WAITING_FOR_EXECUTOR_SLOT,
    (S.WAITING_FOR_EXECUTOR_SLOT, T.EXECUTING): S.EXECUTING,
    (S.EXECUTING, T.DONE): S.DONE,
    **{(status, T.CANCELED): S.CANCELED for status in ALIVE},
    **{(status, T.FAILED): S.FAILED for status in ALIVE},
}


def _short(status: TaskStatus | FunctionStatus) -> str:
    return status.name


def _task_case_id(status: TaskStatus, transition: TaskTransition) -> str:
    target = EXPECTED_TASK.get((status, transition))
    return f"{_short(status)} --{transition.value}--> {_short(target) if target else 'refused'}"


TASK_PAIRS = list(product(TaskStatus, TaskTransition))


@pytest.mark.parametrize(
    ("status", "transition"), TASK_PAIRS, ids=[_task_case_id(*pair) for pair in TASK_PAIRS]
)
def test_task_transition(status: TaskStatus, transition: TaskTransition) -> None:
    expected = EXPECTED_TASK.get((status, transition))
    assert can_transition(status, transition) is (expected is not None)
    if expected is not None:
        assert next_task_status(status, transition) is expected
    else:
        with pytest.raises(InvalidTransition) as refused:
            next_task_status(status, transition)
        assert (
            str(refused.value)
            == f"OE0104: event {transition.value} inappropriate in current state {status.value}"
        )


def test_refusal_text_is_the_one_clients_match() -> None:
    with pytest.raises(InvalidTransition, match="transitionDone inappropriate in current state STATUS_DONE"):
        next_task_status(S.DONE, T.DONE)


CLIENT_ACTIONS = {
    TaskAction.EXECUTING: T.EXECUTING,
    TaskAction.DONE: T.DONE,
    TaskAction.CANCELED: T.CANCELED,
    TaskAction.FAILED: T.FAILED,
}


def test_client_actions_map_to_the_contract_transitions() -> None:
    assert dict(CLIENT_TASK_ACTIONS) == CLIENT_ACTIONS


@pytest.mark.parametrize(
    ("action", "requester", "allowed"),
    [
        (TaskAction.EXECUTING, "worker", True),
        (TaskAction.EXECUTING, "owner", False),
        (TaskAction.DONE, "worker", True),
        (TaskAction.DONE, "owner", False),
        (TaskAction.CANCELED, "owner", True),
        (TaskAction.CANCELED, "worker", True),
        (TaskAction.FAILED, "owner", True),
        (TaskAction.FAILED, "worker", True),
        (TaskAction.CANCELED, "stranger", False),
        (TaskAction.UNKNOWN, "owner", False),
        (TaskAction.BUILD_STARTED, "owner", False),
        (TaskAction.BUILD_FINISHED, "worker", False),
    ],
)
def test_who_may_request_a_task_action(action: TaskAction, requester: str, allowed: bool) -> None:
    assert may_request_task_action(action, requester, owner="owner", worker="worker") is allowed


F = FunctionStatus
FA = FunctionAction
EXPECTED_FUNCTION: dict[tuple[FunctionStatus, FunctionAction], FunctionStatus] = {
    (F.WAITING, FA.BUILDING): F.BUILDING,
    (F.BUILDING, FA.READY): F.READY,
    (F.BUILDING, FA.FAILED): F.FAILED,
    (F.WAITING, FA.FAILED): F.FAILED,  # podium: a build failing before BUILDING can be reported
    (F.WAITING, FA.CANCELED): F.CANCELED,
    (F.BUILDING, FA.CANCELED): F.CANCELED,
}
FUNCTION_TRANSITION_NAMES = {
    FA.BUILDING: "transitionBuilding",
    FA.READY: "transitionReady",
    FA.FAILED: "transitionFailed",
    FA.CANCELED: "transitionCanceled",
}
FUNCTION_PAIRS = list(product(FunctionStatus, FunctionAction))


def _function_case_id(status: FunctionStatus, action: FunctionAction) -> str:
    target = EXPECTED_FUNCTION.get((status, action))
    return f"{_short(status)} --{action.name}--> {_short(target) if target else 'refused'}"


@pytest.mark.parametrize(
    ("status", "action"), FUNCTION_PAIRS, ids=[_function_case_id(*pair) for pair in FUNCTION_PAIRS]
)
def test_function_transition(status: FunctionStatus, action: FunctionAction) -> None:
    expected = EXPECTED_FUNCTION.get((status, action))
    if expected is not None:
        assert next_function_status(status, action) is expected
    elif action is FA.UNKNOWN:
        with pytest.raises(BadRequest, match="unsupported action"):
            next_function_status(status, action)
    else:
        with pytest.raises(InvalidTransition) as refused:
            next_function_status(status, action)
        name = FUNCTION_TRANSITION_NAMES[action]
        assert refused.value.message == f"event {name} inappropriate in current state {status.value}"


INITIAL_CASES = [
    # (function status, parent statuses, initial status): §9.5, first match wins
    (F.READY, (), S.WAITING_FOR_EXECUTOR_SLOT),
    (F.READY, (S.DONE, S.DONE), S.WAITING_FOR_EXECUTOR_SLOT),
    (F.READY, (S.DONE, S.EXECUTING), S.WAITING_FOR_PARENT_TASKS),
    (F.READY, (S.WAITING_FOR_BUILDER_SLOT,), S.WAITING_FOR_PARENT_TASKS),
    (F.READY, (S.DONE, S.FAILED), S.CANCELED),
    (F.READY, (S.CANCELED,), S.CANCELED),
    (F.WAITING, (), S.WAITING_FOR_BUILDER_SLOT),
    (F.WAITING, (S.DONE,), S.WAITING_FOR_BUILDER_SLOT),
    (F.WAITING, (S.EXECUTING,), S.WAITING_FOR_BUILDER_SLOT),
    (F.WAITING, (S.FAILED,), S.CANCELED),
    (F.BUILDING, (), S.BUILDING),
    (F.BUILDING, (S.CANCELED,), S.CANCELED),
    (F.FAILED, (), S.FAILED),
    (F.FAILED, (S.DONE,), S.FAILED),
    (F.FAILED, (S.CANCELED,), S.CANCELED),
    (F.CANCELED, (), S.CANCELED),
    (F.UNKNOWN, (), S.UNKNOWN),
    (F.UNKNOWN, (S.DONE,), S.UNKNOWN),
]


@pytest.mark.parametrize(
    ("function_status", "parents", "expected"),
    INITIAL_CASES,
    ids=[f"{f.name} [{','.join(p.name for p in ps)}] -> {e.name}" for f, ps, e in INITIAL_CASES],
)
def test_initial_task_status(
    function_status: FunctionStatus, parents: tuple[TaskStatus, ...], expected: TaskStatus
) -> None:
    assert initial_task_status(function_status, iter(parents)) is expected
