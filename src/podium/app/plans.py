"""Use cases of compute plans: registration, reads, renaming, cancellation, running state."""

from dataclasses import replace

from podium.app.cascade import TaskChanges
from podium.app.paging import paginate
from podium.app.ports import Transaction
from podium.domain.assets import ComputePlan, Page
from podium.domain.commands import ApplyPlanAction, NewComputePlan, PageRequest, UpdateComputePlan
from podium.domain.errors import AlreadyExists, NotFound, PermissionDenied, PlanTerminated, Unimplemented
from podium.domain.events import REASON, NewEvent
from podium.domain.kinds import FINAL_TASK_STATUSES, AssetKind, EventKind, PlanAction, TaskStatus
from podium.domain.machines import TaskTransition

PLAN_CANCELED_REASON = "compute plan canceled"
ALIVE_STATUSES = tuple(
    status for status in TaskStatus if status not in FINAL_TASK_STATUSES | {TaskStatus.UNKNOWN}
)


def register_plan(tx: Transaction, requester: str, command: NewComputePlan) -> ComputePlan:
    if tx.plans.key_taken(command.key):
        raise AlreadyExists("computeplan", command.key)
    plan = ComputePlan(command.key, requester, tx.now, command.tag, dict(command.metadata), command.name)
    tx.plans.add(plan)
    tx.events.append([NewEvent(AssetKind.COMPUTE_PLAN, EventKind.CREATED, plan.key, plan.snapshot())])
    return plan


def get_plan(tx: Transaction, key: str) -> ComputePlan:
    plan = tx.plans.get(key)
    if plan is None:
        raise NotFound("computeplan", key)
    return plan


def query_plans(tx: Transaction, page: PageRequest, owner: str = "") -> Page[ComputePlan]:
    return paginate(page, lambda offset, limit: tx.plans.query(offset, limit, owner))


def update_plan(tx: Transaction, requester: str, command: UpdateComputePlan) -> None:
    plan = get_plan(tx, command.key)
    if plan.owner != requester:
        raise PermissionDenied("requester does not own the compute plan")
    updated = replace(plan, name=command.name)
    tx.plans.update(updated)
    tx.events.append([NewEvent(AssetKind.COMPUTE_PLAN, EventKind.UPDATED, plan.key, updated.snapshot())])


def apply_plan_action(tx: Transaction, requester: str, command: ApplyPlanAction) -> None:
    """Cancel a plan: stamp its cancelation date, then cancel every task of it that is not final
    (executing ones included), each with its cascade."""
    plan = get_plan(tx, command.key)
    if plan.owner != requester:
        raise PermissionDenied("only plan owner can act on it")
    if command.action is not PlanAction.CANCELED:
        raise Unimplemented("plan action unimplemented")
    if plan.is_terminated:
        raise PlanTerminated(plan.key)
    canceled = replace(plan, cancelation_date=tx.now)
    tx.plans.update(canceled)
    events = [
        NewEvent(
            AssetKind.COMPUTE_PLAN,
            EventKind.UPDATED,
            plan.key,
            canceled.snapshot(),
            {REASON: PLAN_CANCELED_REASON},
        )
    ]
    changes = TaskChanges(tx)
    for task in tx.tasks.of_plan(plan.key, ALIVE_STATUSES):
        changes.apply_if_possible(task, TaskTransition.CANCELED, PLAN_CANCELED_REASON)
    tx.events.append(events + changes.events)


def is_plan_running(tx: Transaction, key: str) -> bool:
    """True while the plan is not terminated, some task is not final, and no task failed or was
    canceled."""
    plan = get_plan(tx, key)
    if plan.is_terminated:
        return False
    counts = tx.tasks.count_by_status(key)
    if counts.get(TaskStatus.FAILED, 0) or counts.get(TaskStatus.CANCELED, 0):
        return False
    return any(counts.get(status, 0) for status in ALIVE_STATUSES)
