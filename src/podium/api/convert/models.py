"""Conversion of ModelService messages."""

from podium.api.convert.common import addressable, addressable_message, permissions_message, timestamp
from podium.api.generated import model_pb2 as pb
from podium.domain import assets, commands


def new_model(message: pb.NewModel) -> commands.NewModel:
    """One model; an absent ``address`` -> None (validation refuses it)."""
    return commands.NewModel(
        key=message.key,
        compute_task_key=message.compute_task_key,
        compute_task_output_identifier=message.compute_task_output_identifier,
        address=addressable(message.address) if message.HasField("address") else None,
    )


def register_models(message: pb.RegisterModelsParam) -> commands.RegisterModels:
    return commands.RegisterModels(models=tuple(new_model(model) for model in message.models))


def model_message(model: assets.Model) -> pb.Model:
    """The message of a model; ``address`` stays UNSET for a disabled model (address None)."""
    message = pb.Model(
        key=model.key,
        compute_task_key=model.compute_task_key,
        permissions=permissions_message(model.permissions),
        owner=model.owner,
        creation_date=timestamp(model.creation_date),
    )
    if model.address is not None:
        message.address.CopyFrom(addressable_message(model.address))
    return message
