"""Conflicting writers on one task: exactly one wins, the others get a clean refusal, and the event log
stays gap-free, duplicate-free and verifiable."""

import threading
import uuid

import pytest

from podium.app.service import Orchestrator
from podium.domain import commands
from podium.domain.errors import DomainError, InvalidTransition
from podium.domain.kinds import TaskAction, TaskStatus
from podium.domain.ledger import verify_chain
from tests.app.world import World

THREADS = 16


def race(orchestrator: Orchestrator, world: World, task_key: str, actions: list[TaskAction]) -> list[object]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def attempt(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            orchestrator.apply_task_action(world.caller(), commands.ApplyTaskAction(task_key, actions[index]))
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.slow
def test_many_threads_starting_one_task_exactly_one_wins(orchestrator: Orchestrator, world: World) -> None:
    function_key = world.function()
    plan_key = world.plan()
    task_key = str(uuid.uuid4())
    world.register([world.new_task(task_key, function_key, plan_key)])

    outcomes = race(orchestrator, world, task_key, [TaskAction.EXECUTING] * THREADS)

    assert outcomes.count("ok") == 1
    refusals = [o for o in outcomes if o != "ok"]
    assert all(isinstance(o, InvalidTransition) for o in refusals), refusals
    assert all(
        "transitionExecuting inappropriate in current state STATUS_EXECUTING" in str(o) for o in refusals
    )
    assert world.tasks(plan_key)[task_key].status is TaskStatus.EXECUTING
    events = world.events()
    assert [e.position for e in events] == list(range(1, len(events) + 1))
    assert len({e.id for e in events}) == len(events)
    assert sum(1 for e in events if e.asset_key == task_key and e.asset["status"] == "STATUS_EXECUTING") == 1
    assert verify_chain(events).ok


@pytest.mark.slow
def test_conflicting_done_cancel_and_fail_leave_one_final_status(
    orchestrator: Orchestrator, world: World
) -> None:
    function_key = world.function()
    plan_key = world.plan()
    task_key = str(uuid.uuid4())
    world.register([world.new_task(task_key, function_key, plan_key)])
    orchestrator.apply_task_action(world.caller(), commands.ApplyTaskAction(task_key, TaskAction.EXECUTING))

    actions = [TaskAction.DONE, TaskAction.CANCELED, TaskAction.FAILED] * 5
    outcomes = race(orchestrator, world, task_key, actions)

    assert outcomes.count("ok") == 1
    assert all(isinstance(o, InvalidTransition) for o in outcomes if o != "ok")
    events = world.events()
    final_events = [
        e
        for e in events
        if e.asset_key == task_key
        and e.asset["status"] in ("STATUS_DONE", "STATUS_CANCELED", "STATUS_FAILED")
    ]
    assert len(final_events) == 1
    assert verify_chain(events).ok
