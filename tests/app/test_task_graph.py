"""Registration and completion of random task graphs, through the real use cases and database."""

import random
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podium.app.service import Orchestrator
from podium.domain import commands
from podium.domain.errors import InvalidAsset, NotFound
from podium.domain.kinds import TaskAction, TaskStatus
from podium.store.repositories import tasks as tasks_store
from tests.app.world import World, new_key

GRAPH_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def dags(draw: st.DrawFn, max_tasks: int = 10) -> list[list[int]]:
    """A random DAG as parent index lists: task i's parents are drawn among tasks 0..i-1."""
    size = draw(st.integers(min_value=1, max_value=max_tasks))
    return [
        sorted(draw(st.sets(st.integers(min_value=0, max_value=i - 1), max_size=3))) if i else []
        for i in range(size)
    ]


def depth(parents: list[list[int]]) -> list[int]:
    ranks: list[int] = []
    for own in parents:
        ranks.append(max((ranks[p] for p in own), default=-1) + 1)
    return ranks


def fresh_world(orchestrator: Orchestrator) -> World:
    return World(orchestrator, f"channel-{uuid.uuid4().hex[:12]}")


def register_graph(world: World, parents: list[list[int]], order: list[int]) -> tuple[str, list[str]]:
    function_key = world.function()
    plan_key = world.plan()
    keys = [new_key() for _ in parents]
    batch = [world.new_task(keys[i], function_key, plan_key, [keys[p] for p in parents[i]]) for i in order]
    world.register(batch)
    return plan_key, keys


@GRAPH_SETTINGS
@given(parents=dags(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_registration_order_gives_the_same_ranks_and_statuses(
    orchestrator: Orchestrator, parents: list[list[int]], seed: int
) -> None:
    order = list(range(len(parents)))
    random.Random(seed).shuffle(order)
    world = fresh_world(orchestrator)
    plan_key, keys = register_graph(world, parents, order)
    tasks = world.tasks(plan_key)
    expected_ranks = depth(parents)
    for index, key in enumerate(keys):
        assert tasks[key].rank == expected_ranks[index]
        expected = (
            TaskStatus.WAITING_FOR_EXECUTOR_SLOT
            if not parents[index]
            else TaskStatus.WAITING_FOR_PARENT_TASKS
        )
        assert tasks[key].status is expected


@GRAPH_SETTINGS
@given(parents=dags(), data=st.data())
def test_completing_in_any_valid_order_leaves_exactly_the_ready_tasks_to_do(
    orchestrator: Orchestrator, parents: list[list[int]], data: st.DataObject
) -> None:
    world = fresh_world(orchestrator)
    plan_key, keys = register_graph(world, parents, list(range(len(parents))))
    done: set[int] = set()
    caller = world.caller()
    while len(done) < len(keys):
        tasks = world.tasks(plan_key)
        ready = {i for i in range(len(keys)) if i not in done and all(p in done for p in parents[i])}
        to_do = {i for i, key in enumerate(keys) if tasks[key].status is TaskStatus.WAITING_FOR_EXECUTOR_SLOT}
        assert to_do == ready
        chosen = data.draw(st.sampled_from(sorted(ready)))
        for action in (TaskAction.EXECUTING, TaskAction.DONE):
            orchestrator.apply_task_action(caller, commands.ApplyTaskAction(keys[chosen], action))
        done.add(chosen)
    assert all(task.status is TaskStatus.DONE for task in world.tasks(plan_key).values())
    assert orchestrator.is_plan_running(caller, plan_key) is False


def test_a_cycle_is_refused_and_nothing_is_written(world: World) -> None:
    function_key = world.function()
    plan_key = world.plan()
    first, second = new_key(), new_key()
    before = world.events()
    with pytest.raises(InvalidAsset, match="cyclic dependency"):
        world.register(
            [
                world.new_task(first, function_key, plan_key, [second]),
                world.new_task(second, function_key, plan_key, [first]),
            ]
        )
    assert world.tasks(plan_key) == {}
    assert world.events() == before


def test_an_unknown_parent_is_refused_and_nothing_is_written(world: World) -> None:
    function_key = world.function()
    plan_key = world.plan()
    before = world.events()
    with pytest.raises(InvalidAsset, match="unknown task parent"):
        world.register(
            [
                world.new_task(new_key(), function_key, plan_key),
                world.new_task(new_key(), function_key, plan_key, [new_key()]),
            ]
        )
    assert world.tasks(plan_key) == {}
    assert world.events() == before


def test_a_batch_failing_on_its_last_task_writes_nothing(world: World) -> None:
    function_key = world.function()
    plan_key = world.plan()
    root = new_key()
    before = world.events()
    with pytest.raises(NotFound, match="function"):
        world.register(
            [
                world.new_task(root, function_key, plan_key),
                world.new_task(new_key(), new_key(), plan_key, [root]),
            ]
        )
    assert world.tasks(plan_key) == {}
    assert world.events() == before


def test_a_streamed_batch_failing_on_its_last_task_writes_nothing(world: World) -> None:
    # Batches of COPY_FROM tasks or more are built while PostgreSQL stores them: a rule broken by the
    # last task must still undo the rows already sent, and leave the channel writable.
    function_key = world.function()
    plan_key = world.plan()
    before = world.events()
    batch = [world.new_task(new_key(), function_key, plan_key) for _ in range(tasks_store.COPY_FROM + 50)]
    with pytest.raises(NotFound, match="function"):
        world.register([*batch, world.new_task(new_key(), new_key(), plan_key)])
    assert world.tasks(plan_key) == {}
    assert world.events() == before

    created = world.register(batch)
    assert set(world.tasks(plan_key)) == {task.key for task in created} == {task.key for task in batch}
    positions = [event.position for event in world.events()]
    assert positions == list(range(1, len(before) + len(batch) + 1))
