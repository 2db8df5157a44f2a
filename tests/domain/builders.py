"""Builders of valid domain values for tests: each takes the fields a test cares about."""

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime

from podium.domain.assets import (
    Addressable,
    ComputePlan,
    ComputeTask,
    DataManager,
    DataSample,
    Function,
    FunctionInput,
    FunctionOutput,
    Model,
    NewPermissions,
    NewTaskOutput,
    ParentTaskOutputRef,
    Permission,
    Permissions,
    TaskInput,
    TaskOutput,
)
from podium.domain.commands import NewComputeTask
from podium.domain.kinds import AssetKind, FunctionStatus, TaskStatus
from podium.domain.registration import RegistrationContext

NOW = datetime(2026, 11, 28, 21, 23, 55, 123456, tzinfo=UTC)
ORG_A = "MyOrg1MSP"
ORG_B = "MyOrg2MSP"
ORG_C = "MyOrg3MSP"
ORGS = (ORG_A, ORG_B, ORG_C)
CHECKSUM = "a" * 64


def key(number: int) -> str:
    """A canonical UUID text, distinct per ``number``."""
    return str(uuid.UUID(int=number))


def address(name: str = "file") -> Addressable:
    return Addressable(CHECKSUM, f"http://storage.test/{name}")


def permission(*ids: str, public: bool = False) -> Permission:
    return Permission(public=public, authorized_ids=ids)


def permissions(*ids: str, public: bool = False) -> Permissions:
    return Permissions(permission(*ids, public=public), permission(*ids, public=public))


def new_permissions(*ids: str, public: bool = False) -> NewPermissions:
    return NewPermissions(public=public, authorized_ids=ids)


TRAIN_INPUTS: Mapping[str, FunctionInput] = {
    "opener": FunctionInput(AssetKind.DATA_MANAGER),
    "datasamples": FunctionInput(AssetKind.DATA_SAMPLE, multiple=True),
    "model": FunctionInput(AssetKind.MODEL, optional=True),
}
TRAIN_OUTPUTS: Mapping[str, FunctionOutput] = {"model": FunctionOutput(AssetKind.MODEL)}
AGGREGATE_INPUTS: Mapping[str, FunctionInput] = {"models": FunctionInput(AssetKind.MODEL, multiple=True)}
TEST_INPUTS: Mapping[str, FunctionInput] = {
    "opener": FunctionInput(AssetKind.DATA_MANAGER),
    "datasamples": FunctionInput(AssetKind.DATA_SAMPLE, multiple=True),
    "predictions": FunctionInput(AssetKind.MODEL),
}
TEST_OUTPUTS: Mapping[str, FunctionOutput] = {"performance": FunctionOutput(AssetKind.PERFORMANCE)}


def function(
    number: int = 1,
    *,
    owner: str = ORG_A,
    inputs: Mapping[str, FunctionInput] = TRAIN_INPUTS,
    outputs: Mapping[str, FunctionOutput] = TRAIN_OUTPUTS,
    status: FunctionStatus = FunctionStatus.READY,
    processors: Sequence[str] = (),
    public: bool = True,
) -> Function:
    return Function(
        key=key(number),
        name=f"function {number}",
        description=address(f"function-{number}-description"),
        archive=address(f"function-{number}-archive"),
        permissions=permissions(owner, *processors, public=public),
        owner=owner,
        creation_date=NOW,
        metadata={},
        inputs=inputs,
        outputs=outputs,
        status=status,
    )


def data_manager(
    number: int = 100,
    *,
    owner: str = ORG_B,
    processors: Sequence[str] = (),
    public: bool = True,
    logs: Permission | None = None,
) -> DataManager:
    return DataManager(
        key=key(number),
        name=f"data manager {number}",
        owner=owner,
        permissions=permissions(owner, *processors, public=public),
        description=address(f"dm-{number}-description"),
        opener=address(f"dm-{number}-opener"),
        creation_date=NOW,
        logs_permission=logs if logs is not None else permission(owner, ORG_A),
        metadata={},
    )


def data_sample(
    number: int = 200, *, data_manager_numbers: Sequence[int] = (100,), owner: str = ORG_B
) -> DataSample:
    return DataSample(
        key=key(number),
        data_manager_keys=tuple(key(n) for n in data_manager_numbers),
        owner=owner,
        checksum=CHECKSUM,
        creation_date=NOW,
    )


def plan(number: int = 500, *, owner: str = ORG_A) -> ComputePlan:
    return ComputePlan(key=key(number), owner=owner, creation_date=NOW, tag="", metadata={}, name="plan")


def asset_input(identifier: str, number: int) -> TaskInput:
    return TaskInput(identifier=identifier, asset_key=key(number))


def parent_input(identifier: str, parent_number: int, output: str = "model") -> TaskInput:
    return TaskInput(
        identifier=identifier, parent_task_output=ParentTaskOutputRef(key(parent_number), output)
    )


def new_output(*ids: str, public: bool = False, transient: bool = False) -> NewTaskOutput:
    return NewTaskOutput(new_permissions(*ids, public=public), transient=transient)


def new_task(
    number: int = 1000,
    *,
    function_number: int = 1,
    plan_number: int = 500,
    worker: str = "",
    inputs: Sequence[TaskInput] = (),
    outputs: Mapping[str, NewTaskOutput | None] | None = None,
) -> NewComputeTask:
    return NewComputeTask(
        key=key(number),
        function_key=key(function_number),
        compute_plan_key=key(plan_number),
        worker=worker,
        inputs=tuple(inputs),
        outputs=outputs if outputs is not None else {"model": new_output()},
    )


def train_inputs(dm: int = 100, samples: Sequence[int] = (200,)) -> tuple[TaskInput, ...]:
    return (asset_input("opener", dm), *(asset_input("datasamples", n) for n in samples))


def task(
    number: int,
    *,
    owner: str = ORG_A,
    worker: str = ORG_B,
    status: TaskStatus = TaskStatus.DONE,
    rank: int = 0,
    function_number: int = 1,
    outputs: Mapping[str, TaskOutput] | None = None,
    logs: Permission | None = None,
) -> ComputeTask:
    return ComputeTask(
        key=key(number),
        owner=owner,
        compute_plan_key=key(500),
        function_key=key(function_number),
        rank=rank,
        status=status,
        worker=worker,
        creation_date=NOW,
        logs_permission=logs if logs is not None else permission(owner),
        metadata={},
        inputs=(),
        outputs=outputs if outputs is not None else {"model": TaskOutput(permissions(owner, ORG_B, ORG_C))},
    )


def model(
    number: int,
    *,
    task_number: int,
    identifier: str = "model",
    disabled: bool = False,
    processors: Sequence[str] = (ORG_A, ORG_B, ORG_C),
) -> Model:
    return Model(
        key=key(number),
        compute_task_key=key(task_number),
        compute_task_output_identifier=identifier,
        address=None if disabled else address(f"model-{number}"),
        permissions=permissions(*processors),
        owner=ORG_B,
        creation_date=NOW,
    )


def context(
    *,
    requester: str = ORG_A,
    plan_owner: str = ORG_A,
    function_: Function | None = None,
    parents: Sequence[ComputeTask] = (),
    parent_functions: Sequence[Function] = (),
    parent_models: Mapping[str, Sequence[Model]] | None = None,
    data_managers: Sequence[DataManager] = (),
    data_samples: Sequence[DataSample] = (),
    models: Sequence[Model] = (),
    organizations: Collection[str] = ORGS,
) -> RegistrationContext:
    """A context whose maps are keyed from the given assets; the function defaults to a train one."""
    return RegistrationContext(
        requester=requester,
        plan=plan(owner=plan_owner),
        function=function_,
        parents={parent.key: parent for parent in parents},
        parent_functions={item.key: item for item in parent_functions},
        parent_models=parent_models or {},
        data_managers={item.key: item for item in data_managers},
        data_samples={item.key: item for item in data_samples},
        models={item.key: item for item in models},
        organizations=organizations,
        now=NOW,
    )
