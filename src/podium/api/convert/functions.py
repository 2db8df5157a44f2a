"""Conversion of FunctionService messages: requests into commands, ``Function`` into its message."""

from typing import Final

from podium.api.convert.common import (
    ASSET_KIND,
    EnumCodec,
    addressable,
    addressable_message,
    metadata,
    new_permissions,
    page_request,
    permissions_message,
    timestamp,
)
from podium.api.generated import function_pb2 as pb
from podium.domain import assets, commands
from podium.domain.kinds import FunctionAction, FunctionStatus

FUNCTION_STATUS: Final = EnumCodec(pb.FunctionStatus, FunctionStatus)
FUNCTION_ACTION: Final = EnumCodec(pb.FunctionAction, FunctionAction)
_RESOURCE: Final = "function"


def _inputs(message: pb.NewFunction) -> dict[str, assets.FunctionInput]:
    return {
        identifier: assets.FunctionInput(
            kind=ASSET_KIND.decode(spec.kind, _RESOURCE, f"inputs[{identifier}].kind"),
            multiple=spec.multiple,
            optional=spec.optional,
        )
        for identifier, spec in message.inputs.items()
    }


def _outputs(message: pb.NewFunction) -> dict[str, assets.FunctionOutput]:
    return {
        identifier: assets.FunctionOutput(
            kind=ASSET_KIND.decode(spec.kind, _RESOURCE, f"outputs[{identifier}].kind"),
            multiple=spec.multiple,
        )
        for identifier, spec in message.outputs.items()
    }


def new_function(message: pb.NewFunction) -> commands.NewFunction:
    """``RegisterFunction`` request. Absent ``description``/``archive``/``new_permissions`` -> None."""
    return commands.NewFunction(
        key=message.key,
        name=message.name,
        description=addressable(message.description) if message.HasField("description") else None,
        archive=addressable(message.archive) if message.HasField("archive") else None,
        new_permissions=(
            new_permissions(message.new_permissions) if message.HasField("new_permissions") else None
        ),
        metadata=metadata(message.metadata),
        inputs=_inputs(message),
        outputs=_outputs(message),
    )


def update_function(message: pb.UpdateFunctionParam) -> commands.UpdateFunction:
    """``UpdateFunction`` request; an absent ``image`` -> None (the image is then left unchanged)."""
    return commands.UpdateFunction(
        key=message.key,
        name=message.name,
        image=addressable(message.image) if message.HasField("image") else None,
    )


def apply_function_action(message: pb.ApplyFunctionActionParam) -> commands.ApplyFunctionAction:
    return commands.ApplyFunctionAction(
        function_key=message.function_key,
        action=FUNCTION_ACTION.decode(message.action, _RESOURCE, "action"),
    )


def query_functions(message: pb.QueryFunctionsParam) -> tuple[commands.PageRequest, str]:
    """``QueryFunctions`` request: the page and the ``compute_plan_key`` filter ('' = no filter)."""
    return page_request(message), message.filter.compute_plan_key


def function_message(function: assets.Function) -> pb.Function:
    return pb.Function(
        key=function.key,
        name=function.name,
        description=addressable_message(function.description),
        archive=addressable_message(function.archive),
        permissions=permissions_message(function.permissions),
        owner=function.owner,
        creation_date=timestamp(function.creation_date),
        metadata=function.metadata,
        inputs={
            identifier: pb.FunctionInput(
                kind=ASSET_KIND.encode(spec.kind), multiple=spec.multiple, optional=spec.optional
            )
            for identifier, spec in function.inputs.items()
        },
        outputs={
            identifier: pb.FunctionOutput(kind=ASSET_KIND.encode(spec.kind), multiple=spec.multiple)
            for identifier, spec in function.outputs.items()
        },
        status=FUNCTION_STATUS.encode(function.status),
        image=addressable_message(function.image),
    )
