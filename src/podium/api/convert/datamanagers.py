"""Conversion of DataManagerService and DatasetService messages."""

from podium.api.convert.common import (
    addressable,
    addressable_message,
    metadata,
    new_permissions,
    permission_message,
    permissions_message,
    timestamp,
)
from podium.api.generated import datamanager_pb2 as pb
from podium.api.generated import dataset_pb2
from podium.domain import assets, commands


def new_data_manager(message: pb.NewDataManager) -> commands.NewDataManager:
    """``RegisterDataManager`` request; absent sub-messages -> None; ``type`` is ignored (dead field)."""
    return commands.NewDataManager(
        key=message.key,
        name=message.name,
        new_permissions=(
            new_permissions(message.new_permissions) if message.HasField("new_permissions") else None
        ),
        description=addressable(message.description) if message.HasField("description") else None,
        opener=addressable(message.opener) if message.HasField("opener") else None,
        logs_permission=(
            new_permissions(message.logs_permission) if message.HasField("logs_permission") else None
        ),
        metadata=metadata(message.metadata),
    )


def update_data_manager(message: pb.UpdateDataManagerParam) -> commands.UpdateDataManager:
    return commands.UpdateDataManager(key=message.key, name=message.name)


def data_manager_message(data_manager: assets.DataManager) -> pb.DataManager:
    """The message of a data manager; ``type`` stays empty as in Substra 1.0."""
    return pb.DataManager(
        key=data_manager.key,
        name=data_manager.name,
        owner=data_manager.owner,
        permissions=permissions_message(data_manager.permissions),
        description=addressable_message(data_manager.description),
        opener=addressable_message(data_manager.opener),
        creation_date=timestamp(data_manager.creation_date),
        logs_permission=permission_message(data_manager.logs_permission),
        metadata=data_manager.metadata,
    )


def dataset_message(dataset: assets.Dataset) -> dataset_pb2.Dataset:
    return dataset_pb2.Dataset(
        data_manager=data_manager_message(dataset.data_manager),
        data_sample_keys=dataset.data_sample_keys,
    )
