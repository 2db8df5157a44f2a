"""Creation of one compute task at registration (reference §13.2, §13.3, §14.3, §12.1).

``build_task`` is the pure part of ``RegisterTasks``: given a validated ``NewComputeTask`` and every
asset it refers to (loaded by the caller, helped by ``required_asset_keys``), it applies the checks of
§13.2 in the contract's order and returns the ``ComputeTask`` to store, or raises the first refusal.
The caller checks that the plan exists, orders the batch (``podium.domain.dag``) and puts each task
built earlier in the batch into ``parents`` of the tasks that follow.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from podium.domain.assets import (
    ComputePlan,
    ComputeTask,
    DataManager,
    DataSample,
    Function,
    FunctionInput,
    Model,
    Permission,
    TaskInput,
    TaskOutput,
)
from podium.domain.commands import NewComputeTask
from podium.domain.dag import parent_keys, rank_of
from podium.domain.errors import BadRequest, InvalidAsset, NotFound, PermissionDenied, Unimplemented
from podium.domain.kinds import AssetKind, TaskStatus
from podium.domain.machines import initial_task_status
from podium.domain.permissions import create_permissions, union_permission


@dataclass(frozen=True, slots=True)
class RegistrationContext:
    """Everything ``build_task`` may consult; missing entries are reported as the contract says."""

    requester: str
    plan: ComputePlan
    """The task's plan, already loaded: the caller reports a missing plan."""
    function: Function | None
    """The task's function; ``None`` when it does not exist."""
    parents: Mapping[str, ComputeTask]
    """Every parent of the task (created earlier in the batch or stored), by key."""
    parent_functions: Mapping[str, Function]
    """The function of each parent, by function key."""
    parent_models: Mapping[str, Sequence[Model]]
    """The models of each DONE parent, by parent key."""
    data_managers: Mapping[str, DataManager]
    data_samples: Mapping[str, DataSample]
    models: Mapping[str, Model]
    """The assets referenced by ``asset_key`` inputs, by key."""
    organizations: Collection[str]
    """Ids of the organizations registered in the channel."""
    now: datetime


def required_asset_keys(new: NewComputeTask, function: Function) -> dict[AssetKind, list[str]]:
    """The ``asset_key`` inputs of ``new``, grouped by the kind ``function`` declares for them.

    Keys are distinct and in input order. Inputs whose identifier the function does not declare are
    skipped: ``build_task`` reports them.
    """
    keys: dict[AssetKind, dict[str, None]] = {}
    for task_input in new.inputs:
        spec = function.inputs.get(task_input.identifier)
        if spec is not None and task_input.asset_key is not None:
            keys.setdefault(spec.kind, {}).setdefault(task_input.asset_key, None)
    return {kind: list(found) for kind, found in keys.items()}


def build_task(new: NewComputeTask, context: RegistrationContext) -> ComputeTask:
    """The task ``context.requester`` registers with ``new``, checked in the order of §13.2.

    Raises:
        PermissionDenied: the requester does not own the plan, may not process the function or a data
            manager, or the worker may not process a model or a parent output.
        NotFound: the function, a data manager, data sample or model, or the worker organization.
        InvalidAsset: a disabled parent model, an input or output that does not match the function,
            or data samples not of the task's data manager.
        BadRequest: output permissions naming unregistered organizations, or a worker that cannot be
            inferred or differs from the data manager's owner.
        Unimplemented: an ``asset_key`` input of a kind that cannot be given by key.
    """
    owner = context.requester
    if context.plan.owner != owner:
        raise PermissionDenied("Cannot register tasks to a compute plan you don't own")
    if context.plan.key != new.compute_plan_key:
        raise NotFound("computeplan", new.compute_plan_key)
    parents = _parents(new, context)
    function = context.function
    if function is None or function.key != new.function_key:
        raise NotFound("function", new.function_key)
    if not function.permissions.process.allows(owner):
        raise PermissionDenied(f'not authorized to process function "{function.key}"')
    status = initial_task_status(function.status, (parent.status for parent in parents))
    _check_parent_models(parents, context)
    outputs = {
        identifier: TaskOutput(
            permissions=create_permissions(
                owner, output.permissions if output is not None else None, context.organizations
            ),
            transient=output.transient if output is not None else False,
        )
        for identifier, output in new.outputs.items()
    }
    data_manager = _input_data_manager(new, function, context)
    worker = _worker(new, data_manager)
    if worker not in context.organizations:
        raise NotFound("organization", worker)
    logs_permission = _logs_permission(owner, data_manager, parents)
    _check_inputs(new, function, owner=owner, worker=worker, data_manager=data_manager, context=context)
    _check_outputs(new, function)
    return ComputeTask(
        key=new.key,
        owner=owner,
        compute_plan_key=new.compute_plan_key,
        function_key=new.function_key,
        rank=rank_of(parent.rank for parent in parents),
        status=status,
        worker=worker,
        creation_date=context.now,
        logs_permission=logs_permission,
        metadata=dict(new.metadata),
        inputs=tuple(new.inputs),
        outputs=outputs,
    )


def _parents(new: NewComputeTask, context: RegistrationContext) -> list[ComputeTask]:
    parents = []
    for key in parent_keys(new):
        parent = context.parents.get(key)
        if parent is None:
            identifier = _identifier_of_parent(new, key)
            raise InvalidAsset(
                f'invalid task input "{identifier}": parent task key {key} not found: '
                f'computetask with key "{key}" not found'
            )
        parents.append(parent)
    return parents


def _identifier_of_parent(new: NewComputeTask, parent_key: str) -> str:
    for task_input in new.inputs:
        reference = task_input.parent_task_output
        if reference is not None and reference.parent_task_key == parent_key:
            return task_input.identifier
    return ""


def _check_parent_models(parents: Sequence[ComputeTask], context: RegistrationContext) -> None:
    """A DONE parent whose model was disabled cannot feed a new task (§13.2 #6)."""
    for parent in parents:
        if parent.status is not TaskStatus.DONE:
            continue
        for model in context.parent_models.get(parent.key, ()):
            if model.is_disabled:
                raise InvalidAsset(f'Model "{model.key}" has been disabled')


def _declared_input(function: Function, identifier: str) -> FunctionInput:
    spec = function.inputs.get(identifier)
    if spec is None:
        raise InvalidAsset(
            f'unknown task input: this identifier was not declared in the Function: "{identifier}"'
        )
    return spec


def _input_data_manager(
    new: NewComputeTask, function: Function, context: RegistrationContext
) -> DataManager | None:
    """The data manager of the task's first data-manager input, if any (§13.3)."""
    for task_input in new.inputs:
        if _declared_input(function, task_input.identifier).kind is not AssetKind.DATA_MANAGER:
            continue
        if task_input.asset_key is None:
            raise InvalidAsset(
                f'invalid task input "{task_input.identifier}": openers must be referenced using an asset key'
            )
        data_manager = context.data_managers.get(task_input.asset_key)
        if data_manager is None:
            raise NotFound("datamanager", task_input.asset_key)
        return data_manager
    return None


def _worker(new: NewComputeTask, data_manager: DataManager | None) -> str:
    """The data manager's owner when the task has one, else the explicit worker (§13.3)."""
    if data_manager is not None:
        if new.worker and new.worker != data_manager.owner:
            raise BadRequest(
                f'Specified worker "{new.worker}" does not match data manager owner: "{data_manager.owner}"'
            )
        return data_manager.owner
    if not new.worker:
        raise BadRequest("Worker cannot be inferred and must be explicitly set")
    return new.worker


def _logs_permission(
    owner: str, data_manager: DataManager | None, parents: Sequence[ComputeTask]
) -> Permission:
    """The data manager's logs permission, else the owner's united with every parent's (§12.1)."""
    if data_manager is not None:
        return data_manager.logs_permission
    permission = Permission(public=False, authorized_ids=(owner,))
    for parent in parents:
        permission = union_permission(permission, parent.logs_permission)
    return permission


def _check_inputs(
    new: NewComputeTask,
    function: Function,
    *,
    owner: str,
    worker: str,
    data_manager: DataManager | None,
    context: RegistrationContext,
) -> None:
    """The inputs against the function's declaration and the referenced assets (§14.3)."""
    seen: set[str] = set()
    for task_input in new.inputs:
        identifier = task_input.identifier
        spec = _declared_input(function, identifier)
        if identifier in seen and not spec.multiple:
            raise InvalidAsset(
                "duplicate task input: this identifier is present multiple times in the task inputs, "
                f'but it was not declared as "Multiple" in the Function: "{identifier}"'
            )
        seen.add(identifier)
        if spec.kind is AssetKind.DATA_MANAGER:
            _check_data_manager_input(task_input, owner, context)
        elif spec.kind is AssetKind.DATA_SAMPLE:
            _check_data_sample_input(task_input, data_manager, context)
        elif task_input.asset_key is not None:
            _check_asset_input(task_input, spec, worker, context)
        else:
            _check_parent_input(task_input, spec, worker, context)
    for identifier, spec in sorted(function.inputs.items()):
        if not spec.optional and identifier not in seen:
            raise InvalidAsset(
                f'missing task input: this identifier is required by the Function: "{identifier}"'
            )


def _check_data_manager_input(task_input: TaskInput, owner: str, context: RegistrationContext) -> None:
    if task_input.asset_key is None:
        raise InvalidAsset(
            f'invalid task input "{task_input.identifier}": openers must be referenced using an asset key'
        )
    data_manager = context.data_managers.get(task_input.asset_key)
    if data_manager is None:
        raise NotFound("datamanager", task_input.asset_key)
    if not data_manager.permissions.process.allows(owner):
        raise PermissionDenied(f'not authorized to process datamanager "{data_manager.key}"')


def _check_data_sample_input(
    task_input: TaskInput, data_manager: DataManager | None, context: RegistrationContext
) -> None:
    if task_input.asset_key is None:
        raise InvalidAsset(
            f'invalid task input "{task_input.identifier}": '
            "data samples must be referenced using an asset key"
        )
    sample = context.data_samples.get(task_input.asset_key)
    if sample is None:
        raise NotFound("datasample", task_input.asset_key)
    # Without a data-manager input the function's required input is missing: reported after the loop.
    if data_manager is not None and data_manager.key not in sample.data_manager_keys:
        raise InvalidAsset("datasamples do not share a common manager")


def _check_asset_input(
    task_input: TaskInput, spec: FunctionInput, worker: str, context: RegistrationContext
) -> None:
    key = task_input.asset_key or ""
    if spec.kind is not AssetKind.MODEL:
        raise Unimplemented(f'invalid task input "{task_input.identifier}": invalid asset kind')
    model = context.models.get(key)
    if model is None:
        raise NotFound("model", key)
    if not model.permissions.process.allows(worker):
        raise PermissionDenied(f'not authorized to process model "{key}"')
    # podium refuses what Substra lets through: a task reading a model whose file is gone cannot run.
    if model.is_disabled:
        raise InvalidAsset(f'Model "{key}" has been disabled')


def _check_parent_input(
    task_input: TaskInput, spec: FunctionInput, worker: str, context: RegistrationContext
) -> None:
    identifier = task_input.identifier
    reference = task_input.parent_task_output
    if reference is None:  # validation guarantees one reference; kept total for any input
        raise InvalidAsset(f'invalid task input "{identifier}": a reference is required')
    parent_key, output_identifier = reference.parent_task_key, reference.output_identifier
    parent = context.parents.get(parent_key)
    if parent is None:
        raise InvalidAsset(
            f'invalid task input "{identifier}": parent task key {parent_key} not found: '
            f'computetask with key "{parent_key}" not found'
        )
    parent_function = context.parent_functions.get(parent.function_key)
    if parent_function is None:
        raise NotFound("function", parent.function_key)
    output_spec = parent_function.outputs.get(output_identifier)
    if output_spec is None:
        raise InvalidAsset(
            f'invalid task input "{identifier}": parent task {parent_key}: '
            f'function output not found: "{output_identifier}"'
        )
    if output_spec.kind is not spec.kind:
        raise InvalidAsset(
            f'invalid task input "{output_identifier}": mismatching task input asset kinds: '
            f"expecting {spec.kind.value} but parent task output has kind {output_spec.kind.value}"
        )
    if output_spec.multiple and not spec.multiple:
        raise InvalidAsset(
            f'invalid task input "{identifier}": multiple task output used as single task input'
        )
    output = parent.outputs.get(output_identifier)
    if output is None:
        raise InvalidAsset(
            f'invalid task input "{identifier}": parent task {parent_key}: '
            f'output not found: "{output_identifier}"'
        )
    if not output.permissions.process.allows(worker):
        # The contract's text, values in its order (the parent key where the output name reads).
        raise PermissionDenied(
            f'invalid task input "{identifier}": worker "{worker}" doesn\'t have permission to process '
            f'output "{parent_key}" of task {output_identifier}'
        )


def _check_outputs(new: NewComputeTask, function: Function) -> None:
    """The outputs against the function's declaration (§14.3)."""
    for identifier, output in new.outputs.items():
        spec = function.outputs.get(identifier)
        if spec is None:
            raise InvalidAsset(
                f"invalid task {new.key}, unknown task output: "
                f'this identifier was not declared in the Function: "{identifier}"'
            )
        if spec.kind is AssetKind.PERFORMANCE:
            if output is None or not output.permissions.public:
                raise InvalidAsset(
                    f'invalid task {new.key}, invalid task output "{identifier}": '
                    "a PERFORMANCE output should be public"
                )
            if output.transient:
                raise InvalidAsset(
                    f'invalid task {new.key}, invalid task output "{identifier}": '
                    "a PERFORMANCE output cannot be transient"
                )
    for identifier in sorted(function.outputs):
        if identifier not in new.outputs:
            raise InvalidAsset(
                f"invalid task {new.key}, missing task output: "
                f'this identifier is required by the Function: "{identifier}"'
            )
