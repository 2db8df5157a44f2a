"""Use cases of failure reports: a task's or a function's failure, recorded with its logs."""

from podium.app.cascade import TaskChanges
from podium.app.functions import change_function_status, get_function
from podium.app.ports import Transaction
from podium.app.tasks import get_task
from podium.domain.assets import FailureReport
from podium.domain.commands import NewFailureReport
from podium.domain.errors import BadRequest, NotFound, PermissionDenied
from podium.domain.events import NewEvent
from podium.domain.kinds import FINAL_TASK_STATUSES, AssetKind, EventKind, FailedAssetKind, FunctionAction
from podium.domain.machines import TaskTransition, next_function_status

FAILURE_REASON = "failure report registered"


def register_failure_report(tx: Transaction, requester: str, command: NewFailureReport) -> FailureReport:
    """Fail the task or function the report is about (with cascades), then store the report.

    Unlike Substra 1.0, a task may be reported failed from any non-final status (a worker can fail while
    preparing, before EXECUTING), and a function from WAITING as well as BUILDING.
    """
    if command.asset_type is FailedAssetKind.COMPUTE_TASK:
        task = get_task(tx, command.asset_key)
        if requester != task.worker:
            raise PermissionDenied(
                f'only "{task.worker}" worker can register failure report for compute task'
            )
        if task.status in FINAL_TASK_STATUSES:
            raise BadRequest(f'cannot register failure report for task with status "{task.status.value}"')
        changes = TaskChanges(tx)
        changes.apply(task, TaskTransition.FAILED, FAILURE_REASON)
        tx.events.append(changes.events)
    elif command.asset_type is FailedAssetKind.FUNCTION:
        function = get_function(tx, command.asset_key)
        if requester != function.owner:
            raise PermissionDenied(f'only "{function.owner}" owner can register failure report for function')
        status = next_function_status(function.status, FunctionAction.FAILED)
        change_function_status(tx, function, status, FAILURE_REASON)
    else:  # pragma: no cover - refused by validation
        raise BadRequest("can only register failure for asset_kind values function and compute task")
    report = FailureReport(
        command.asset_key, command.error_type, command.logs_address, tx.now, requester, command.asset_type
    )
    tx.failure_reports.add(report)
    tx.events.append(
        [NewEvent(AssetKind.FAILURE_REPORT, EventKind.CREATED, report.asset_key, report.snapshot())]
    )
    return report


def get_failure_report(tx: Transaction, asset_key: str) -> FailureReport:
    report = tx.failure_reports.get(asset_key)
    if report is None:
        raise NotFound("failure report", asset_key)
    return report
