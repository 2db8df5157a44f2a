"""Use cases of functions: registration, reads, renaming, and the build life cycle."""

from dataclasses import replace

from podium.app.cascade import TaskChanges
from podium.app.organizations import registered_ids
from podium.app.paging import paginate
from podium.app.ports import Transaction
from podium.domain.assets import Function, Page
from podium.domain.commands import ApplyFunctionAction, NewFunction, PageRequest, UpdateFunction
from podium.domain.errors import AlreadyExists, InvalidAsset, NotFound, PermissionDenied
from podium.domain.events import REASON, NewEvent
from podium.domain.kinds import AssetKind, EventKind, FunctionStatus, TaskStatus
from podium.domain.machines import (
    FUNCTION_PROPAGATION,
    STRANDED_BY_FUNCTION,
    next_function_status,
    status_after_build,
)
from podium.domain.permissions import create_permissions


def register_function(tx: Transaction, requester: str, command: NewFunction) -> Function:
    if tx.functions.key_taken(command.key):
        raise AlreadyExists("function", command.key)
    assert command.description is not None
    assert command.archive is not None
    function = Function(
        key=command.key,
        name=command.name,
        description=command.description,
        archive=command.archive,
        permissions=create_permissions(requester, command.new_permissions, registered_ids(tx)),
        owner=requester,
        creation_date=tx.now,
        metadata=dict(command.metadata),
        inputs=dict(command.inputs),
        outputs=dict(command.outputs),
        status=FunctionStatus.WAITING,
    )
    tx.functions.add(function)
    tx.events.append([NewEvent(AssetKind.FUNCTION, EventKind.CREATED, function.key, function.snapshot())])
    return function


def get_function(tx: Transaction, key: str) -> Function:
    function = tx.functions.get(key)
    if function is None:
        raise NotFound("function", key)
    return function


def query_functions(tx: Transaction, page: PageRequest, compute_plan_key: str = "") -> Page[Function]:
    return paginate(page, lambda offset, limit: tx.functions.query(offset, limit, compute_plan_key))


def update_function(tx: Transaction, requester: str, command: UpdateFunction) -> None:
    """Rename a function, and set its image when one with a checksum is given."""
    function = get_function(tx, command.key)
    if function.owner != requester:
        raise PermissionDenied("requester does not own the function")
    image = command.image if command.image is not None and command.image.checksum else function.image
    if function.status is FunctionStatus.READY and not image.checksum:
        raise InvalidAsset.of("function", "Image checksum should not be empty when function status is ready")
    updated = replace(function, name=command.name, image=image)
    tx.functions.update(updated)
    tx.events.append([NewEvent(AssetKind.FUNCTION, EventKind.UPDATED, updated.key, updated.snapshot())])


def apply_function_action(tx: Transaction, requester: str, command: ApplyFunctionAction) -> None:
    function = get_function(tx, command.function_key)
    if function.owner != requester:
        raise PermissionDenied("only function owner can update it")
    change_function_status(tx, function, next_function_status(function.status, command.action), "User action")


def change_function_status(tx: Transaction, function: Function, status: FunctionStatus, reason: str) -> None:
    """Save a function's new status, emit its UPDATED event, then move its tasks (contract §9.6)."""
    updated = replace(function, status=status)
    tx.functions.update(updated)
    events = [
        NewEvent(AssetKind.FUNCTION, EventKind.UPDATED, updated.key, updated.snapshot(), {REASON: reason})
    ]
    changes = TaskChanges(tx)
    task_reason = f"Function {function.key} finished building" if status is FunctionStatus.READY else reason
    selected_status, transition = FUNCTION_PROPAGATION.get(status, (None, None))
    if selected_status is not None:
        for task in tx.tasks.of_function(function.key, [selected_status]):
            if transition is None:
                parents = tx.tasks.statuses(list(task.parent_keys))
                chosen = status_after_build(parents.get(key, TaskStatus.UNKNOWN) for key in task.parent_keys)
                changes.apply_if_possible(task, chosen, task_reason)
            else:
                changes.apply_if_possible(task, transition, task_reason)
    stranded = STRANDED_BY_FUNCTION.get(status)
    if stranded is not None:
        for task in tx.tasks.of_function(function.key, [TaskStatus.WAITING_FOR_BUILDER_SLOT]):
            changes.apply_if_possible(task, stranded, task_reason)
    tx.events.append(events + changes.events)
