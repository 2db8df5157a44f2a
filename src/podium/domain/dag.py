"""The task graph of a registration batch (reference §13.1 step 5 and §13.4).

Tasks of one ``RegisterTasks`` batch may depend on each other and on tasks already stored. The batch
is created in a topological order so that every parent exists (stored, or created earlier in the
batch) when a child is created.
"""

import heapq
from collections.abc import Collection, Iterable, Sequence

from podium.domain.commands import NewComputeTask
from podium.domain.errors import InvalidAsset


def parent_keys(task: NewComputeTask) -> tuple[str, ...]:
    """The distinct parent task keys of ``task``'s inputs, in input order."""
    keys: dict[str, None] = {}
    for task_input in task.inputs:
        if task_input.parent_task_output is not None:
            keys.setdefault(task_input.parent_task_output.parent_task_key, None)
    return tuple(keys)


def topological_order(tasks: Sequence[NewComputeTask], stored_keys: Collection[str]) -> list[NewComputeTask]:
    """The batch ordered so that every task comes after its parents in the batch (Kahn's algorithm).

    Only parents absent from ``stored_keys`` count as dependencies. Among tasks that are ready at the
    same time, the one earlier in ``tasks`` comes first, so the order is a function of the request.
    Keys in ``tasks`` are expected distinct (``RegisterTasks`` refuses duplicates).

    Raises:
        InvalidAsset: some tasks cannot be ordered: a cycle, or a parent that is neither stored nor
            in the batch. The message counts them.
    """
    index_of = {task.key: index for index, task in enumerate(tasks)}
    stored = stored_keys if isinstance(stored_keys, set | frozenset) else set(stored_keys)
    children: list[list[int]] = [[] for _ in tasks]
    waiting_on = [0] * len(tasks)
    for index, task in enumerate(tasks):
        for parent in parent_keys(task):
            if parent in stored:
                continue
            waiting_on[index] += 1
            parent_index = index_of.get(parent)
            # An unknown parent is never created: the task keeps waiting and is reported unsorted.
            if parent_index is not None:
                children[parent_index].append(index)
    ready = [index for index, count in enumerate(waiting_on) if count == 0]
    heapq.heapify(ready)
    ordered: list[NewComputeTask] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(tasks[index])
        for child in children[index]:
            waiting_on[child] -= 1
            if waiting_on[child] == 0:
                heapq.heappush(ready, child)
    if len(ordered) != len(tasks):
        unsorted = len(tasks) - len(ordered)
        raise InvalidAsset(
            "cyclic dependency in compute plan graph or unknown task parent, "
            f"unsorted_tasks_count: {unsorted}"
        )
    return ordered


def rank_of(parent_ranks: Iterable[int]) -> int:
    """The rank of a task: 0 without parents, else one more than its highest-ranked parent."""
    return max(parent_ranks, default=-1) + 1
