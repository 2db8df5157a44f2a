"""Asset builders with defaults for the store tests: each takes the fields a test cares about."""

from datetime import UTC, datetime, timedelta

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
    ParentTaskOutputRef,
    Permission,
    Permissions,
    TaskInput,
    TaskOutput,
)
from podium.domain.kinds import AssetKind, FunctionStatus, TaskStatus

T0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
PUBLIC = Permission(True, ())
PRIVATE = Permission(False, ("org-a", "org-b"))
PERMISSIONS = Permissions(PUBLIC, PRIVATE)


def at(seconds: int) -> datetime:
    """``T0`` plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def function(key: str, created: int = 0, status: FunctionStatus = FunctionStatus.READY) -> Function:
    return Function(
        key=key,
        name=f"function {key}",
        description=Addressable("c1", "http://d/desc"),
        archive=Addressable("c2", "http://d/archive"),
        permissions=PERMISSIONS,
        owner="org-a",
        creation_date=at(created),
        metadata={"b": "2", "a": "1"},
        inputs={
            "data": FunctionInput(AssetKind.DATA_SAMPLE, multiple=True),
            "model": FunctionInput(AssetKind.MODEL, optional=True),
        },
        outputs={"model": FunctionOutput(AssetKind.MODEL)},
        status=status,
        image=Addressable("c3", "http://d/image"),
    )


def data_manager(key: str, created: int = 0) -> DataManager:
    return DataManager(
        key=key,
        name=f"dm {key}",
        owner="org-a",
        permissions=PERMISSIONS,
        description=Addressable("c", "http://d/dm"),
        opener=Addressable("o", "http://d/opener"),
        creation_date=at(created),
        logs_permission=PRIVATE,
        metadata={"k": "v"},
    )


def data_sample(key: str, managers: tuple[str, ...], created: int = 0) -> DataSample:
    return DataSample(
        key=key, data_manager_keys=managers, owner="org-a", checksum=f"sum-{key}", creation_date=at(created)
    )


def plan(key: str, created: int = 0, owner: str = "org-a") -> ComputePlan:
    return ComputePlan(
        key=key, owner=owner, creation_date=at(created), tag="tag", metadata={"m": "1"}, name=f"plan {key}"
    )


def task(
    key: str,
    plan_key: str,
    function_key: str,
    *,
    parents: tuple[str, ...] = (),
    rank: int = 0,
    created: int = 0,
    status: TaskStatus = TaskStatus.WAITING_FOR_EXECUTOR_SLOT,
    worker: str = "org-a",
) -> ComputeTask:
    inputs = [TaskInput("data", asset_key="sample-1")]
    inputs += [
        TaskInput("model", parent_task_output=ParentTaskOutputRef(parent, "model")) for parent in parents
    ]
    return ComputeTask(
        key=key,
        owner="org-a",
        compute_plan_key=plan_key,
        function_key=function_key,
        rank=rank,
        status=status,
        worker=worker,
        creation_date=at(created),
        logs_permission=PRIVATE,
        metadata={"round": str(rank)},
        inputs=tuple(inputs),
        outputs={"model": TaskOutput(PERMISSIONS, transient=True)},
    )


def model(key: str, task_key: str, created: int = 0) -> Model:
    return Model(
        key=key,
        compute_task_key=task_key,
        compute_task_output_identifier="model",
        address=Addressable("m", f"http://d/{key}"),
        permissions=PERMISSIONS,
        owner="org-a",
        creation_date=at(created),
    )
