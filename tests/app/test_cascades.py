"""Failure and cancellation cascades: nothing is left waiting forever, and every status change has
exactly one event, in order."""

import itertools
import uuid
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podium.app.service import Orchestrator
from podium.domain import commands
from podium.domain.kinds import (
    FINAL_TASK_STATUSES,
    AssetKind,
    EventKind,
    PlanAction,
    TaskAction,
    TaskStatus,
)
from podium.domain.machines import TASK_TRANSITIONS
from tests.app.test_task_graph import dags, register_graph
from tests.app.world import World

WAITING = {TaskStatus.WAITING_FOR_PARENT_TASKS, TaskStatus.WAITING_FOR_BUILDER_SLOT, TaskStatus.BUILDING}


def assert_history_is_consistent(world: World, plan_key: str) -> None:
    """Each task's events form a legal path of the state machine ending at its current status; no
    status change is missing or repeated; positions are gap-free."""
    tasks = world.tasks(plan_key)
    events = world.events()
    assert [event.position for event in events] == list(range(1, len(events) + 1))
    history: dict[str, list[TaskStatus]] = defaultdict(list)
    for event in events:
        if event.asset_kind is AssetKind.COMPUTE_TASK and event.asset_key in tasks:
            history[event.asset_key].append(TaskStatus(event.asset["status"]))
            if event.event_kind is EventKind.UPDATED:
                assert event.metadata["reason"]
    for key, task in tasks.items():
        statuses = history[key]
        assert statuses[-1] is task.status
        legal_targets = {target for (source, _), target in TASK_TRANSITIONS.items()}
        for before, after in itertools.pairwise(statuses):
            assert after in legal_targets
            assert any(
                source is before and target is after for (source, _), target in TASK_TRANSITIONS.items()
            ), f"{before} -> {after} is not a transition"


def assert_nothing_waits_forever(world: World, plan_key: str) -> None:
    tasks = world.tasks(plan_key)
    for task in tasks.values():
        if task.status in WAITING:
            parents = [tasks[key] for key in task.parent_keys if key in tasks]
            assert not any(p.status in (TaskStatus.FAILED, TaskStatus.CANCELED) for p in parents), task


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parents=dags(max_tasks=9),
    data=st.data(),
    action=st.sampled_from([TaskAction.FAILED, TaskAction.CANCELED]),
)
def test_failure_or_cancellation_strands_nothing(
    orchestrator: Orchestrator, parents: list[list[int]], data: st.DataObject, action: TaskAction
) -> None:
    world = World(orchestrator, f"channel-{uuid.uuid4().hex[:12]}")
    plan_key, keys = register_graph(world, parents, list(range(len(parents))))
    caller = world.caller()
    steps = data.draw(st.integers(min_value=0, max_value=len(keys)))
    for _ in range(steps):
        tasks = world.tasks(plan_key)
        ready = [k for k in keys if tasks[k].status is TaskStatus.WAITING_FOR_EXECUTOR_SLOT]
        if not ready:
            break
        key = data.draw(st.sampled_from(ready))
        for step in (TaskAction.EXECUTING, TaskAction.DONE):
            orchestrator.apply_task_action(caller, commands.ApplyTaskAction(key, step))
    tasks = world.tasks(plan_key)
    alive = [k for k in keys if tasks[k].status not in FINAL_TASK_STATUSES]
    if alive:
        victim = data.draw(st.sampled_from(alive))
        orchestrator.apply_task_action(caller, commands.ApplyTaskAction(victim, action, log="test"))
        plan = orchestrator.get_plan(caller, plan_key)
        assert (plan.failure_date is not None) is (action is TaskAction.FAILED)
        assert orchestrator.is_plan_running(caller, plan_key) is False
    assert_nothing_waits_forever(world, plan_key)
    assert_history_is_consistent(world, plan_key)


def test_cancelling_a_plan_cancels_every_task_that_is_not_final(world: World) -> None:
    function_key = world.function()
    plan_key = world.plan()
    keys = [str(uuid.uuid4()) for _ in range(4)]
    world.register(
        [
            world.new_task(keys[0], function_key, plan_key),
            world.new_task(keys[1], function_key, plan_key),
            world.new_task(keys[2], function_key, plan_key, [keys[0]]),
            world.new_task(keys[3], function_key, plan_key, [keys[1], keys[2]]),
        ]
    )
    caller = world.caller()
    for action in (TaskAction.EXECUTING, TaskAction.DONE):
        world.orchestrator.apply_task_action(caller, commands.ApplyTaskAction(keys[0], action))
    world.orchestrator.apply_task_action(caller, commands.ApplyTaskAction(keys[1], TaskAction.EXECUTING))

    world.orchestrator.apply_plan_action(caller, commands.ApplyPlanAction(plan_key, PlanAction.CANCELED))

    tasks = world.tasks(plan_key)
    assert tasks[keys[0]].status is TaskStatus.DONE
    assert {tasks[k].status for k in keys[1:]} == {TaskStatus.CANCELED}
    plan_events = [e for e in world.events() if e.asset_key == plan_key and e.event_kind is EventKind.UPDATED]
    assert len(plan_events) == 1
    assert "cancelation_date" in plan_events[0].asset
    assert_history_is_consistent(world, plan_key)


def test_a_failed_task_fails_its_plan_once_with_an_event(world: World) -> None:
    function_key = world.function()
    plan_key = world.plan()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    world.register(
        [world.new_task(first, function_key, plan_key), world.new_task(second, function_key, plan_key)]
    )
    caller = world.caller()
    for key in (first, second):
        world.orchestrator.apply_task_action(caller, commands.ApplyTaskAction(key, TaskAction.FAILED))
    plan_updates = [
        e for e in world.events() if e.asset_key == plan_key and e.event_kind is EventKind.UPDATED
    ]
    assert len(plan_updates) == 1
    assert "failure_date" in plan_updates[0].asset
