"""A plan's status, derived from its tasks' statuses as Substra's backend does (reference §12).

| # | condition (first that holds)                            | state    |
|---|---------------------------------------------------------|----------|
| 1 | the plan was canceled (it has a cancelation date)        | CANCELED |
| 2 | some task is FAILED (or the plan has a failure date)     | FAILED   |
| 3 | some task is CANCELED                                   | CANCELED |
| 4 | no task, or every task waits for its function's build    | WAITING  |
| 5 | every task is DONE                                      | DONE     |
| 6 | some task is EXECUTING or DONE                          | DOING    |
| 7 | otherwise (tasks wait for a slot or for their parents)  | TODO     |

Unlike Substra's backend, a FAILED task wins over CANCELED ones: podium's orchestrator cancels the
descendants of a failed task, and the plan then failed rather than being canceled. FAILED is also
checked before WAITING/DONE, since a failed build leaves the other tasks waiting forever.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from podium.api.generated import computeplan_pb2, computetask_pb2
from podium.domain.kinds import TaskStatus


class PlanState(StrEnum):
    WAITING = "waiting"
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    FAILED = "failed"
    CANCELED = "canceled"


FINAL_STATES: Final = frozenset({PlanState.DONE, PlanState.FAILED, PlanState.CANCELED})
_BUILD: Final = frozenset({TaskStatus.WAITING_FOR_BUILDER_SLOT, TaskStatus.BUILDING})


@dataclass(frozen=True)
class PlanStatus:
    """A plan's derived state and how many of its tasks are in each ``TaskStatus``."""

    plan_key: str
    state: PlanState
    counts: dict[TaskStatus, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts.get(TaskStatus.DONE, 0)

    @property
    def finished(self) -> bool:
        """DONE, FAILED or CANCELED: the plan will make no more progress worth waiting for."""
        return self.state in FINAL_STATES

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view (task statuses by wire name)."""
        return {
            "plan_key": self.plan_key,
            "state": self.state.value,
            "total": self.total,
            "counts": {status.value: count for status, count in sorted(self.counts.items())},
        }


def task_status(task: computetask_pb2.ComputeTask) -> TaskStatus:
    """The domain status of a task message."""
    return TaskStatus(computetask_pb2.ComputeTaskStatus.Name(task.status))


def derive_status(
    plan: computeplan_pb2.ComputePlan, tasks: Iterable[computetask_pb2.ComputeTask]
) -> PlanStatus:
    """The status of ``plan`` given all of its tasks (rules in the module docstring)."""
    counts = Counter(task_status(task) for task in tasks)
    total = sum(counts.values())
    if plan.HasField("cancelation_date"):
        state = PlanState.CANCELED
    elif counts[TaskStatus.FAILED] or plan.HasField("failure_date"):
        state = PlanState.FAILED
    elif counts[TaskStatus.CANCELED]:
        state = PlanState.CANCELED
    elif total == sum(counts[status] for status in _BUILD):
        state = PlanState.WAITING
    elif counts[TaskStatus.DONE] == total:
        state = PlanState.DONE
    elif counts[TaskStatus.EXECUTING] or counts[TaskStatus.DONE]:
        state = PlanState.DOING
    else:
        state = PlanState.TODO
    return PlanStatus(plan.key, state, {status: count for status, count in counts.items() if count})
