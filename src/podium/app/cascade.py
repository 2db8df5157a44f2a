"""Task status changes and their cascades, carried out inside one unit of work.

``TaskChanges`` is the single path through which a use case changes a task's status. It applies the
state machine, saves the status, emits one COMPUTE_TASK UPDATED event per change, and carries out the
effects the domain attaches to the new status (``machines.TASK_EFFECTS``):

- DONE promotes every child waiting for its parents whose parents are now all DONE to To do;
- FAILED stamps the plan's failure date (one COMPUTE_PLAN UPDATED event) and cancels every descendant
  that can no longer run;
- CANCELED cancels every descendant that can no longer run.

The work is iterative (a queue, not recursion), so a chain of any length cascades without exhausting
the stack. Statuses changed earlier in the same unit of work are remembered, so a task reached twice
(by a plan cancellation and by a parent's cascade) changes once.
"""

from collections import deque
from dataclasses import replace

from podium.app.ports import Transaction
from podium.domain.assets import ComputeTask
from podium.domain.events import REASON, NewEvent
from podium.domain.kinds import FINAL_TASK_STATUSES, AssetKind, EventKind, TaskStatus
from podium.domain.machines import (
    TASK_EFFECTS,
    TaskEffect,
    TaskTransition,
    can_transition,
    next_task_status,
)


def task_updated(task: ComputeTask, reason: str) -> NewEvent:
    """The COMPUTE_TASK UPDATED event of a status change."""
    return NewEvent(AssetKind.COMPUTE_TASK, EventKind.UPDATED, task.key, task.snapshot(), {REASON: reason})


class TaskChanges:
    """Status changes of one unit of work, with their cascades and events (in emission order)."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._current: dict[str, ComputeTask] = {}
        self.events: list[NewEvent] = []

    def latest(self, task: ComputeTask) -> ComputeTask:
        """``task`` as changed earlier in this unit of work, if it was."""
        return self._current.get(task.key, task)

    def apply(self, task: ComputeTask, transition: TaskTransition, reason: str) -> ComputeTask:
        """Apply a requested transition (raises ``InvalidTransition`` when refused), then cascade."""
        task = self.latest(task)
        changed = self._change(task, next_task_status(task.status, transition), reason)
        self._cascade(changed)
        return changed

    def apply_if_possible(self, task: ComputeTask, transition: TaskTransition, reason: str) -> bool:
        """Apply a transition that the system (not a user) wants; a refusal is skipped, not raised."""
        task = self.latest(task)
        if not can_transition(task.status, transition):
            return False
        self.apply(task, transition, reason)
        return True

    def _change(self, task: ComputeTask, status: TaskStatus, reason: str) -> ComputeTask:
        changed = replace(task, status=status)
        self._tx.tasks.set_status(task.key, status)
        self._current[task.key] = changed
        self.events.append(task_updated(changed, reason))
        return changed

    def _change_many(self, tasks: list[ComputeTask], status: TaskStatus, reason: str) -> list[ComputeTask]:
        """``_change`` of each task, in order, with one batched status update (a cascade may move
        thousands of children: one round trip instead of one per child)."""
        if not tasks:
            return []
        self._tx.tasks.set_statuses([task.key for task in tasks], status)
        changed_tasks = []
        for task in tasks:
            changed = replace(task, status=status)
            self._current[task.key] = changed
            self.events.append(task_updated(changed, reason))
            changed_tasks.append(changed)
        return changed_tasks

    def _cascade(self, origin: ComputeTask) -> None:
        pending: deque[ComputeTask] = deque([origin])
        while pending:
            task = pending.popleft()
            for effect in TASK_EFFECTS.get(task.status, ()):
                if effect is TaskEffect.PROMOTE_READY_CHILDREN:
                    self._promote_ready_children(task)
                elif effect is TaskEffect.FAIL_PLAN:
                    self._fail_plan(task)
                elif effect is TaskEffect.CANCEL_STRANDED_DESCENDANTS:
                    pending.extend(self._cancel_children(task))

    def _promote_ready_children(self, parent: ComputeTask) -> None:
        children = [self.latest(child) for child in self._tx.tasks.children(parent.key)]
        waiting = [child for child in children if child.status is TaskStatus.WAITING_FOR_PARENT_TASKS]
        if not waiting:
            return
        parent_keys = {key for child in waiting for key in child.parent_keys}
        # Parents changed in this unit of work are known already: read only the others (none, for a
        # chain), saving a round trip on the common DONE of a single parent.
        unknown = sorted(parent_keys - self._current.keys())
        statuses = self._tx.tasks.statuses(unknown) if unknown else {}
        statuses.update({key: task.status for key, task in self._current.items() if key in parent_keys})
        reason = f"Last parent task {parent.key} done"
        ready = [
            child
            for child in waiting
            if all(statuses.get(key) is TaskStatus.DONE for key in child.parent_keys)
        ]
        self._change_many(ready, TaskStatus.WAITING_FOR_EXECUTOR_SLOT, reason)

    def _cancel_children(self, parent: ComputeTask) -> list[ComputeTask]:
        reason = f"parent task {parent.key} is {parent.status.value}"
        children = [self.latest(stored) for stored in self._tx.tasks.children(parent.key)]
        stranded = [child for child in children if child.status not in FINAL_TASK_STATUSES]
        return self._change_many(stranded, TaskStatus.CANCELED, reason)

    def fail_plan_of(self, task: ComputeTask) -> None:
        """Stamp the failure date of ``task``'s plan, unless the plan is already terminated."""
        self._fail_plan(task)

    def _fail_plan(self, task: ComputeTask) -> None:
        plan = self._tx.plans.get(task.compute_plan_key)
        if plan is None or plan.is_terminated:
            return
        failed = replace(plan, failure_date=self._tx.now)
        self._tx.plans.update(failed)
        self.events.append(
            NewEvent(
                AssetKind.COMPUTE_PLAN,
                EventKind.UPDATED,
                plan.key,
                failed.snapshot(),
                {REASON: f"task {task.key} failed"},
            )
        )
