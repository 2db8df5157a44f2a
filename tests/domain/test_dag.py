"""Ordering of a registration batch and ranks (reference §13.1 step 5, §13.4), with random DAGs."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.domain.commands import NewComputeTask
from podium.domain.dag import parent_keys, rank_of, topological_order
from podium.domain.errors import InvalidAsset

from .builders import asset_input, key, new_task, parent_input

STORED = 9_000  # numbers from here are tasks already stored


def _task(number: int, parents: list[int]) -> NewComputeTask:
    return new_task(number, worker="org", inputs=[parent_input("models", parent) for parent in parents])


def _ranks(ordered: list[NewComputeTask], stored_keys: set[str]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for task in ordered:
        ranks[task.key] = rank_of(
            0 if parent in stored_keys else ranks[parent] for parent in parent_keys(task)
        )
    return ranks


def _assert_parents_first(ordered: list[NewComputeTask], stored_keys: set[str]) -> None:
    placed: set[str] = set()
    for task in ordered:
        assert all(parent in placed or parent in stored_keys for parent in parent_keys(task))
        placed.add(task.key)


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[NewComputeTask], set[str]]:
    """A batch of 1..25 tasks whose parents are earlier tasks or stored ones, shuffled."""
    size = draw(st.integers(1, 25))
    stored = [key(STORED + n) for n in range(3)]
    tasks = []
    for number in range(size):
        candidates = list(range(number)) + [STORED + n for n in range(3)]
        parents = draw(st.lists(st.sampled_from(candidates), max_size=4)) if candidates else []
        tasks.append(_task(number, parents))
    order = draw(st.permutations(tasks))
    return list(order), set(stored)


@given(dags(), st.randoms(use_true_random=False))
def test_any_permutation_gives_a_valid_order_and_the_same_ranks(
    dag: tuple[list[NewComputeTask], set[str]], rng: random.Random
) -> None:
    tasks, stored = dag
    ordered = topological_order(tasks, stored)
    assert sorted(t.key for t in ordered) == sorted(t.key for t in tasks)
    _assert_parents_first(ordered, stored)
    shuffled = list(tasks)
    rng.shuffle(shuffled)
    again = topological_order(shuffled, stored)
    _assert_parents_first(again, stored)
    assert _ranks(again, stored) == _ranks(ordered, stored)


def _descendants(tasks: list[NewComputeTask], root: str) -> list[str]:
    found: list[str] = []
    frontier = [root]
    while frontier:
        current = frontier.pop()
        for task in tasks:
            if current in parent_keys(task) and task.key not in found:
                found.append(task.key)
                frontier.append(task.key)
    return found


@given(dags(), st.data())
def test_a_cycle_is_refused(dag: tuple[list[NewComputeTask], set[str]], data: st.DataObject) -> None:
    tasks, stored = dag
    target = data.draw(st.sampled_from(tasks))
    # Making a task depend on one of its descendants (or on itself) closes a cycle.
    closing = data.draw(st.sampled_from([*_descendants(tasks, target.key), target.key]))
    looped = _task(_number(target.key), [*map(_number, parent_keys(target)), _number(closing)])
    batch = [looped if task is target else task for task in tasks]
    with pytest.raises(InvalidAsset) as refused:
        topological_order(batch, stored)
    # The task and every descendant of it wait on the cycle.
    expected = 1 + len(_descendants(tasks, target.key))
    assert refused.value.message == (
        f"cyclic dependency in compute plan graph or unknown task parent, unsorted_tasks_count: {expected}"
    )


@given(dags(), st.data())
def test_an_unknown_parent_is_refused(
    dag: tuple[list[NewComputeTask], set[str]], data: st.DataObject
) -> None:
    tasks, stored = dag
    target = data.draw(st.sampled_from(tasks))
    orphan = _task(_number(target.key), [*map(_number, parent_keys(target)), 77_777])
    batch = [orphan if task is target else task for task in tasks]
    with pytest.raises(InvalidAsset) as refused:
        topological_order(batch, stored)
    # The orphan and all its descendants are left unsorted.
    expected = 1 + len(_descendants(tasks, target.key))
    assert refused.value.message.endswith(f"unknown task parent, unsorted_tasks_count: {expected}")


def _number(task_key: str) -> int:
    return int(task_key.replace("-", ""), 16)


def test_ties_follow_the_request_order() -> None:
    first, second, child, third = _task(1, []), _task(2, []), _task(3, [1]), _task(4, [])
    assert topological_order([child, third, second, first], set()) == [third, second, first, child]


def test_stored_parents_are_no_dependencies() -> None:
    child = _task(3, [1])
    assert topological_order([child], {key(1)}) == [child]


def test_the_message_counts_every_task_left_unsorted() -> None:
    # 1 <-> 2 form a cycle and 3 depends on it; 4 is independent.
    batch = [_task(1, [2]), _task(2, [1]), _task(3, [2]), _task(4, [])]
    with pytest.raises(InvalidAsset) as refused:
        topological_order(batch, set())
    assert str(refused.value) == (
        "OE0101: cyclic dependency in compute plan graph or unknown task parent, unsorted_tasks_count: 3"
    )


def test_parent_keys_are_distinct_and_in_input_order() -> None:
    task = new_task(
        10,
        worker="org",
        inputs=[
            parent_input("models", 2),
            asset_input("x", 5),
            parent_input("models", 1),
            parent_input("y", 2),
        ],
    )
    assert parent_keys(task) == (key(2), key(1))


@pytest.mark.parametrize(("parents", "rank"), [((), 0), ((0,), 1), ((3, 1, 2), 4)])
def test_rank_of(parents: tuple[int, ...], rank: int) -> None:
    assert rank_of(iter(parents)) == rank
