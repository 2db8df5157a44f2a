"""Use cases of task outputs: models, performances, and disabling transient outputs."""

from collections import Counter
from dataclasses import replace

from podium.app.paging import paginate
from podium.app.ports import Transaction
from podium.app.tasks import get_task
from podium.domain.assets import ComputeTask, ComputeTaskOutputAsset, Function, Model, Page, Performance
from podium.domain.commands import DisableOutput, NewPerformance, PageRequest, RegisterModels
from podium.domain.errors import (
    AlreadyExists,
    BadRequest,
    CannotDisableOutput,
    IncompatibleKind,
    MissingTaskOutput,
    NotFound,
    PermissionDenied,
)
from podium.domain.events import NewEvent
from podium.domain.kinds import FINAL_TASK_STATUSES, AssetKind, EventKind, TaskStatus


def _function_of(tx: Transaction, task: ComputeTask) -> Function:
    function = tx.functions.get(task.function_key)
    if function is None:
        raise NotFound("function", task.function_key)
    return function


def _check_output(task: ComputeTask, function: Function, identifier: str, kind: AssetKind) -> None:
    if identifier not in task.outputs or identifier not in function.outputs:
        raise MissingTaskOutput(f'Task "{task.key}" has no output named "{identifier}"')
    expected = function.outputs[identifier].kind
    if expected is not kind:
        raise IncompatibleKind(
            f'Incompatible kind for task "{task.key}": output "{identifier}" expects "{expected.value}", '
            f'received "{kind.value}"'
        )


def _output_asset_event(output_asset: ComputeTaskOutputAsset) -> NewEvent:
    return NewEvent(
        AssetKind.COMPUTE_TASK_OUTPUT_ASSET,
        EventKind.CREATED,
        output_asset.compute_task_key,
        output_asset.snapshot(),
    )


def register_models(tx: Transaction, requester: str, command: RegisterModels) -> list[Model]:
    """Register the models a task produced; the task's worker only, while it executes."""
    task = get_task(tx, command.models[0].compute_task_key)
    if requester != task.worker:
        raise PermissionDenied(f'only "{task.worker}" worker can register model')
    if task.status is not TaskStatus.EXECUTING:
        raise BadRequest(f'cannot register model for task with status "{task.status.value}"')
    taken = tx.models.first_key_taken([model.key for model in command.models])
    if taken is not None:
        raise AlreadyExists("model", taken)
    function = _function_of(tx, task)
    registered = Counter(model.compute_task_output_identifier for model in tx.models.of_task(task.key))
    models: list[Model] = []
    events: list[NewEvent] = []
    for new in command.models:
        identifier = new.compute_task_output_identifier
        _check_output(task, function, identifier, AssetKind.MODEL)
        if not function.outputs[identifier].multiple and registered[identifier]:
            raise AlreadyExists(
                "model",
                new.key,
                f'compute task "{task.key}" already has its unique output "{identifier}" registered',
            )
        registered[identifier] += 1
        model = Model(
            new.key,
            task.key,
            identifier,
            new.address,
            task.outputs[identifier].permissions,
            requester,
            tx.now,
        )
        output_asset = ComputeTaskOutputAsset(task.key, identifier, AssetKind.MODEL, model.key)
        tx.models.add(model)
        tx.output_assets.add(output_asset)
        models.append(model)
        events.append(NewEvent(AssetKind.MODEL, EventKind.CREATED, model.key, model.snapshot()))
        events.append(_output_asset_event(output_asset))
    tx.events.append(events)
    return models


def get_model(tx: Transaction, key: str) -> Model:
    model = tx.models.get(key)
    if model is None:
        raise NotFound("model", key)
    return model


def get_task_models(tx: Transaction, task_key: str) -> list[Model]:
    return tx.models.of_task(task_key)


def register_performance(tx: Transaction, requester: str, command: NewPerformance) -> Performance:
    task = get_task(tx, command.compute_task_key)
    if requester != task.worker:
        raise PermissionDenied(f'only "{task.worker}" worker can register performance')
    if task.status is not TaskStatus.EXECUTING:
        raise BadRequest(f'cannot register performance for task with status "{task.status.value}"')
    identifier = command.compute_task_output_identifier
    _check_output(task, _function_of(tx, task), identifier, AssetKind.PERFORMANCE)
    performance = Performance(task.key, identifier, command.performance_value, tx.now)
    if tx.performances.exists(task.key, identifier):
        raise AlreadyExists("performance", performance.key)
    output_asset = ComputeTaskOutputAsset(task.key, identifier, AssetKind.PERFORMANCE, performance.key)
    tx.performances.add(performance)
    tx.output_assets.add(output_asset)
    tx.events.append(
        [
            NewEvent(AssetKind.PERFORMANCE, EventKind.CREATED, performance.key, performance.snapshot()),
            _output_asset_event(output_asset),
        ]
    )
    return performance


def query_performances(
    tx: Transaction, page: PageRequest, task_key: str = "", identifier: str = ""
) -> Page[Performance]:
    return paginate(page, lambda offset, limit: tx.performances.query(offset, limit, task_key, identifier))


def disable_output(tx: Transaction, requester: str, command: DisableOutput) -> None:
    """Remove the address of every model of a transient output once every consumer is final.

    Idempotent: disabling an output whose models are already disabled changes nothing.
    """
    task = get_task(tx, command.compute_task_key)
    identifier = command.identifier
    if requester != task.worker:
        raise PermissionDenied("only the worker can disable a task output")
    if task.status not in FINAL_TASK_STATUSES:
        raise CannotDisableOutput("cannot disable asset: task not in final state")
    output = task.outputs.get(identifier)
    if output is None:
        raise CannotDisableOutput(f"there is no output identifier {identifier} for task {task.key}")
    if not output.transient:
        raise CannotDisableOutput("output is not transient")
    output_assets = tx.output_assets.of_output(task.key, identifier)
    if not output_assets:
        raise CannotDisableOutput(
            f"there is no output asset with identifier {identifier} for task {task.key}"
        )
    if output_assets[0].asset_kind is not AssetKind.MODEL:
        raise CannotDisableOutput(f"cannot disable output of kind: {output_assets[0].asset_kind.value}")
    children = tx.tasks.children(task.key)
    if not children:
        raise CannotDisableOutput("cannot disable output of a task with no children")
    if any(child.status not in FINAL_TASK_STATUSES for child in children):
        raise CannotDisableOutput("cannot disable asset: child not in final state")
    events = []
    for output_asset in output_assets:
        model = tx.models.get(output_asset.asset_key)
        if model is None or model.is_disabled:
            continue
        disabled = replace(model, address=None)
        tx.models.update(disabled)
        events.append(NewEvent(AssetKind.MODEL, EventKind.DISABLED, model.key, disabled.snapshot()))
    tx.events.append(events)
