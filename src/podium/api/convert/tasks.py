"""Conversion of ComputeTaskService messages."""

from datetime import datetime
from functools import lru_cache
from typing import Final

from google.protobuf.timestamp_pb2 import Timestamp

from podium.api.convert.common import (
    ASSET_KIND,
    EnumCodec,
    metadata,
    new_permissions,
    page_request,
    permission_message,
    permissions_message,
    timestamp,
)
from podium.api.convert.datamanagers import data_manager_message
from podium.api.convert.datasamples import data_sample_message
from podium.api.convert.models import model_message
from podium.api.generated import common_pb2
from podium.api.generated import computetask_pb2 as pb
from podium.domain import assets, commands
from podium.domain.kinds import TaskAction, TaskStatus

TASK_STATUS: Final = EnumCodec(pb.ComputeTaskStatus, TaskStatus)
TASK_ACTION: Final = EnumCodec(pb.ComputeTaskAction, TaskAction)
_RESOURCE: Final = "computetask"


def task_input(message: pb.ComputeTaskInput) -> assets.TaskInput:
    """One input; neither ref set -> both None (validation refuses it)."""
    ref = message.WhichOneof("ref")
    if ref == "asset_key":
        return assets.TaskInput(message.identifier, asset_key=message.asset_key)
    if ref == "parent_task_output":
        parent = message.parent_task_output
        return assets.TaskInput(
            message.identifier,
            parent_task_output=assets.ParentTaskOutputRef(parent.parent_task_key, parent.output_identifier),
        )
    return assets.TaskInput(message.identifier)


def _new_output(message: pb.NewComputeTaskOutput) -> assets.NewTaskOutput | None:
    # An output without permissions maps to None so that validation reports "permissions required".
    if not message.HasField("permissions"):
        return None
    return assets.NewTaskOutput(new_permissions(message.permissions), message.transient)


def new_compute_task(message: pb.NewComputeTask) -> commands.NewComputeTask:
    """One task of ``RegisterTasks``; inputs keep their order, outputs lacking permissions -> None."""
    return commands.NewComputeTask(
        key=message.key,
        function_key=message.function_key,
        compute_plan_key=message.compute_plan_key,
        worker=message.worker,
        metadata=metadata(message.metadata),
        inputs=tuple(task_input(item) for item in message.inputs),
        outputs={identifier: _new_output(output) for identifier, output in message.outputs.items()},
    )


def register_tasks(message: pb.RegisterTasksParam) -> commands.RegisterTasks:
    return commands.RegisterTasks(tasks=tuple(new_compute_task(task) for task in message.tasks))


def apply_task_action(message: pb.ApplyTaskActionParam) -> commands.ApplyTaskAction:
    return commands.ApplyTaskAction(
        compute_task_key=message.compute_task_key,
        action=TASK_ACTION.decode(message.action, _RESOURCE, "action"),
        log=message.log,
    )


def disable_output(message: pb.DisableOutputParam) -> commands.DisableOutput:
    return commands.DisableOutput(compute_task_key=message.compute_task_key, identifier=message.identifier)


def task_filter(message: pb.TaskQueryFilter) -> commands.TaskFilter:
    """Filters of ``QueryTasks``; status 0 (``STATUS_UNKNOWN``) means no status filter."""
    return commands.TaskFilter(
        worker=message.worker,
        status=TASK_STATUS.decode(message.status, _RESOURCE, "filter.status"),
        compute_plan_key=message.compute_plan_key,
        function_key=message.function_key,
    )


def query_tasks(message: pb.QueryTasksParam) -> tuple[commands.PageRequest, commands.TaskFilter]:
    return page_request(message), task_filter(message.filter)


def _input_message(task_input: assets.TaskInput) -> pb.ComputeTaskInput:
    parent = task_input.parent_task_output
    if parent is not None:
        return pb.ComputeTaskInput(
            identifier=task_input.identifier,
            parent_task_output=pb.ParentTaskOutputRef(
                parent_task_key=parent.parent_task_key, output_identifier=parent.output_identifier
            ),
        )
    return pb.ComputeTaskInput(identifier=task_input.identifier, asset_key=task_input.asset_key or "")


def compute_task_message(task: assets.ComputeTask) -> pb.ComputeTask:
    message = pb.ComputeTask(
        key=task.key,
        owner=task.owner,
        compute_plan_key=task.compute_plan_key,
        rank=task.rank,
        status=TASK_STATUS.encode(task.status),
        worker=task.worker,
        creation_date=_shared_timestamp(task.creation_date),
        logs_permission=_shared_permission(task.logs_permission),
        inputs=[_input_message(item) for item in task.inputs],
        outputs={
            identifier: pb.ComputeTaskOutput(
                permissions=_shared_permissions(output.permissions), transient=output.transient
            )
            for identifier, output in task.outputs.items()
        },
        function_key=task.function_key,
    )
    if task.metadata:  # an empty map given to the constructor still costs a Python-level update
        message.metadata.update(task.metadata)
    return message


# The tasks of one registration share their creation date and, mostly, their permissions: their
# messages are built once and shared. Only ever given to a message constructor, which copies them;
# never returned, never mutated.


@lru_cache(maxsize=64)
def _shared_timestamp(moment: datetime) -> Timestamp:
    return timestamp(moment)


@lru_cache(maxsize=256)
def _shared_permission(permission: assets.Permission) -> common_pb2.Permission:
    return permission_message(permission)


@lru_cache(maxsize=256)
def _shared_permissions(permissions: assets.Permissions) -> common_pb2.Permissions:
    return permissions_message(permissions)


def output_asset_message(output_asset: assets.ComputeTaskOutputAsset) -> pb.ComputeTaskOutputAsset:
    return pb.ComputeTaskOutputAsset(
        compute_task_key=output_asset.compute_task_key,
        compute_task_output_identifier=output_asset.compute_task_output_identifier,
        asset_kind=ASSET_KIND.encode(output_asset.asset_kind),
        asset_key=output_asset.asset_key,
    )


def input_asset_message(
    identifier: str, asset: assets.Model | assets.DataManager | assets.DataSample
) -> pb.ComputeTaskInputAsset:
    """One entry of ``GetTaskInputAssets``: the input identifier and the asset it resolves to."""
    if isinstance(asset, assets.Model):
        return pb.ComputeTaskInputAsset(identifier=identifier, model=model_message(asset))
    if isinstance(asset, assets.DataManager):
        return pb.ComputeTaskInputAsset(identifier=identifier, data_manager=data_manager_message(asset))
    return pb.ComputeTaskInputAsset(identifier=identifier, data_sample=data_sample_message(asset))
