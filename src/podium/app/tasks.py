"""Use cases of compute tasks: registration of a batch, reads, actions and input assets."""

from collections.abc import Collection, Iterator, Mapping, Sequence

from podium.app.cascade import TaskChanges
from podium.app.paging import paginate
from podium.app.ports import Transaction
from podium.domain.assets import (
    ComputePlan,
    ComputeTask,
    ComputeTaskInputAsset,
    DataManager,
    DataSample,
    Function,
    Model,
    Page,
)
from podium.domain.commands import (
    ApplyTaskAction,
    NewComputeTask,
    PageRequest,
    RegisterTasks,
    TaskFilter,
)
from podium.domain.dag import parent_keys, topological_order
from podium.domain.errors import AlreadyExists, BadRequest, NotFound, PermissionDenied, PlanTerminated
from podium.domain.events import NewEvent
from podium.domain.kinds import AssetKind, EventKind, TaskStatus
from podium.domain.machines import CLIENT_TASK_ACTIONS, may_request_task_action
from podium.domain.registration import RegistrationContext, build_task, required_asset_keys

INPUTS_DEFINED_IN: frozenset[TaskStatus] = frozenset(
    {TaskStatus.EXECUTING, TaskStatus.WAITING_FOR_EXECUTOR_SLOT, TaskStatus.FAILED}
)
"""Statuses in which a task's input assets are known (contract §13.8)."""

RESOURCE_WORDS: dict[AssetKind, str] = {
    AssetKind.DATA_MANAGER: "datamanager",
    AssetKind.DATA_SAMPLE: "datasample",
    AssetKind.MODEL: "model",
}


def get_task(tx: Transaction, key: str) -> ComputeTask:
    task = tx.tasks.get(key)
    if task is None:
        raise NotFound("computetask", key)
    return task


def query_tasks(tx: Transaction, page: PageRequest, task_filter: TaskFilter) -> Page[ComputeTask]:
    return paginate(page, lambda offset, limit: tx.tasks.query(offset, limit, task_filter))


def register_tasks(tx: Transaction, requester: str, command: RegisterTasks) -> list[ComputeTask]:
    """Register a batch all-or-nothing; answer the tasks in topological order.

    The batch is validated and ordered, and what it references loaded, before anything is written;
    each task is then built by the registration rules as the store takes it (a large batch is stored
    while it is built), and a task that breaks a rule raises: the transaction, and all the batch, is
    rolled back. A task created FAILED (its function failed) fails its plan like a task that fails
    later.
    """
    taken = tx.tasks.first_key_taken([task.key for task in command.tasks])
    if taken is not None:
        raise AlreadyExists("computetask", taken)
    batch_keys = {task.key for task in command.tasks}
    external = sorted({key for task in command.tasks for key in parent_keys(task)} - batch_keys)
    stored_parents = tx.tasks.get_many(external)
    ordered = topological_order(command.tasks, stored_parents.keys())

    plans = _load_plans(tx, requester, {task.compute_plan_key for task in ordered})
    functions = _load_functions(tx, {task.function_key for task in ordered})
    functions.update(
        _load_functions(tx, {t.function_key for t in stored_parents.values()} - functions.keys())
    )
    assets = _ReferencedAssets.load(tx, ordered, functions)
    parent_models = {
        key: tx.models.of_task(key) for key, task in stored_parents.items() if task.status is TaskStatus.DONE
    }
    organizations = [organization.id for organization in tx.organizations.all()]

    # Parents are stored ones or built earlier in this loop (topological order): one dict, grown as
    # tasks are built, instead of a merged copy per task (quadratic in the batch size).
    known: dict[str, ComputeTask] = dict(stored_parents)

    def built() -> Iterator[ComputeTask]:
        """Each task built when the store takes it (a large batch is stored while it is built)."""
        for new in ordered:
            context = RegistrationContext(
                requester=requester,
                plan=plans[new.compute_plan_key],
                function=functions.get(new.function_key),
                parents={key: known[key] for key in parent_keys(new)},
                parent_functions=functions,
                parent_models=parent_models,
                data_managers=assets.data_managers,
                data_samples=assets.data_samples,
                models=assets.models,
                organizations=organizations,
                now=tx.now,
            )
            task = build_task(new, context)
            known[new.key] = task
            yield task

    tasks = tx.tasks.add_built(len(ordered), built())
    changes = TaskChanges(tx)
    events = [
        NewEvent(AssetKind.COMPUTE_TASK, EventKind.CREATED, task.key, task.snapshot()) for task in tasks
    ]
    for task in tasks:
        if task.status is TaskStatus.FAILED:
            changes.fail_plan_of(task)
    tx.events.append(events + changes.events)
    return tasks


def _load_plans(tx: Transaction, requester: str, keys: Collection[str]) -> dict[str, ComputePlan]:
    plans = {}
    for key in sorted(keys):
        plan = tx.plans.get(key)
        if plan is None:
            raise NotFound("computeplan", key)
        if plan.owner != requester:
            raise PermissionDenied("Cannot register tasks to a compute plan you don't own")
        if plan.is_terminated:
            raise PlanTerminated(key)
        plans[key] = plan
    return plans


def _load_functions(tx: Transaction, keys: Collection[str]) -> dict[str, Function]:
    loaded = {key: tx.functions.get(key) for key in sorted(keys)}
    return {key: function for key, function in loaded.items() if function is not None}


class _ReferencedAssets:
    """Data managers, samples and models named by ``asset_key`` inputs of a batch, loaded at once."""

    def __init__(
        self,
        data_managers: Mapping[str, DataManager],
        data_samples: Mapping[str, DataSample],
        models: Mapping[str, Model],
    ) -> None:
        self.data_managers = data_managers
        self.data_samples = data_samples
        self.models = models

    @classmethod
    def load(
        cls, tx: Transaction, tasks: Sequence[NewComputeTask], functions: Mapping[str, Function]
    ) -> "_ReferencedAssets":
        wanted: dict[AssetKind, set[str]] = {kind: set() for kind in AssetKind}
        for task in tasks:
            function = functions.get(task.function_key)
            if function is None:
                continue
            for kind, keys in required_asset_keys(task, function).items():
                wanted[kind].update(keys)
        models = {key: tx.models.get(key) for key in sorted(wanted[AssetKind.MODEL])}
        return cls(
            tx.data_managers.get_many(sorted(wanted[AssetKind.DATA_MANAGER])),
            tx.data_samples.get_many(sorted(wanted[AssetKind.DATA_SAMPLE])),
            {key: model for key, model in models.items() if model is not None},
        )


def apply_task_action(tx: Transaction, requester: str, command: ApplyTaskAction) -> None:
    """Apply a client's action to a task, then its cascade, in one unit of work."""
    task = get_task(tx, command.compute_task_key)
    transition = CLIENT_TASK_ACTIONS.get(command.action)
    if transition is None or not may_request_task_action(command.action, requester, task.owner, task.worker):
        raise PermissionDenied("only task owner can update it")
    changes = TaskChanges(tx)
    changes.apply(task, transition, command.log or "User action")
    tx.events.append(changes.events)


def get_task_input_assets(tx: Transaction, key: str) -> list[ComputeTaskInputAsset]:
    """Resolve a task's inputs to assets, in input order (contract §13.8)."""
    task = get_task(tx, key)
    if task.status not in INPUTS_DEFINED_IN:
        raise BadRequest(f'Task inputs may not be defined in current task status ("{task.status.value}")')
    function = tx.functions.get(task.function_key)
    if function is None:
        raise NotFound("function", task.function_key)
    resolved: list[ComputeTaskInputAsset] = []
    for task_input in task.inputs:
        reference = task_input.parent_task_output
        if reference is not None:
            for output_asset in tx.output_assets.of_output(
                reference.parent_task_key, reference.output_identifier
            ):
                model = tx.models.get(output_asset.asset_key)
                if model is not None:
                    resolved.append(ComputeTaskInputAsset(task_input.identifier, model))
            continue
        asset_key = task_input.asset_key or ""
        kind = function.inputs[task_input.identifier].kind
        asset: Model | DataManager | DataSample | None
        if kind is AssetKind.DATA_MANAGER:
            asset = tx.data_managers.get(asset_key)
        elif kind is AssetKind.DATA_SAMPLE:
            asset = tx.data_samples.get(asset_key)
        else:
            asset = tx.models.get(asset_key)
        if asset is None:
            raise NotFound(RESOURCE_WORDS.get(kind, "asset"), asset_key)
        resolved.append(ComputeTaskInputAsset(task_input.identifier, asset))
    return resolved
