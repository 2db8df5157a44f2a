"""protobuf <-> domain conversion: assets round-trip to their snapshots, events carry the snapshot in the
right oneof branch, requests become commands, and unknown enum numbers are clean ``InvalidAsset``."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message

from podium.api import convert
from podium.api.convert.events import ASSET_FIELD
from podium.api.convert.snapshots import fill
from podium.api.generated import (
    common_pb2,
    computeplan_pb2,
    computetask_pb2,
    datamanager_pb2,
    datasample_pb2,
    event_pb2,
    failure_report_pb2,
    function_pb2,
    model_pb2,
    organization_pb2,
    performance_pb2,
    profiling_pb2,
)
from podium.domain import assets, commands
from podium.domain.errors import InternalError, InvalidAsset
from podium.domain.events import Event
from podium.domain.kinds import (
    AssetKind,
    ErrorType,
    EventKind,
    FailedAssetKind,
    FunctionAction,
    FunctionStatus,
    PlanAction,
    SortOrder,
    TaskAction,
    TaskStatus,
)

M = TypeVar("M", bound=Message)

NOW = datetime(2026, 11, 28, 21, 23, 55, 123456, tzinfo=UTC)
LATER = datetime(2026, 11, 29, 8, 0, 1, 654321, tzinfo=UTC)
ORG = "MyOrg1MSP"
CHECKSUM = "0123456789abcdef" * 4


def key(number: int) -> str:
    return str(uuid.UUID(int=number))


ADDRESS = assets.Addressable(CHECKSUM, "http://storage.test/file")
PERMISSION = assets.Permission(False, (ORG, "MyOrg2MSP"))
PERMISSIONS = assets.Permissions(PERMISSION, PERMISSION)

ORGANIZATION = assets.Organization(ORG, "http://backend.test", NOW)
FUNCTION = assets.Function(
    key=key(1),
    name="train",
    description=ADDRESS,
    archive=assets.Addressable(CHECKSUM, "http://storage.test/archive"),
    permissions=PERMISSIONS,
    owner=ORG,
    creation_date=NOW,
    metadata={"framework": "torch"},
    inputs={
        "opener": assets.FunctionInput(AssetKind.DATA_MANAGER),
        "datasamples": assets.FunctionInput(AssetKind.DATA_SAMPLE, multiple=True),
        "model": assets.FunctionInput(AssetKind.MODEL, optional=True),
    },
    outputs={"model": assets.FunctionOutput(AssetKind.MODEL)},
    status=FunctionStatus.READY,
    image=assets.Addressable(CHECKSUM, "http://storage.test/image"),
)
DATA_MANAGER = assets.DataManager(
    key=key(2),
    name="dm",
    owner=ORG,
    permissions=PERMISSIONS,
    description=ADDRESS,
    opener=assets.Addressable(CHECKSUM, "http://storage.test/opener"),
    creation_date=NOW,
    logs_permission=PERMISSION,
    metadata={},
)
DATA_SAMPLE = assets.DataSample(key(3), (key(2),), ORG, CHECKSUM, NOW)
PLAN = assets.ComputePlan(key(4), ORG, NOW, "tag", {"a": "b"}, "plan")
FAILED_PLAN = assets.ComputePlan(key(4), ORG, NOW, "", {}, "plan", cancelation_date=LATER, failure_date=LATER)
TASK = assets.ComputeTask(
    key=key(5),
    owner=ORG,
    compute_plan_key=key(4),
    function_key=key(1),
    rank=2,
    status=TaskStatus.WAITING_FOR_EXECUTOR_SLOT,
    worker=ORG,
    creation_date=NOW,
    logs_permission=PERMISSION,
    metadata={"__tag__": ""},
    inputs=(
        assets.TaskInput("opener", asset_key=key(2)),
        assets.TaskInput("datasamples", asset_key=key(3)),
        assets.TaskInput("model", parent_task_output=assets.ParentTaskOutputRef(key(6), "model")),
    ),
    outputs={"model": assets.TaskOutput(PERMISSIONS, transient=True)},
)
MODEL = assets.Model(key(7), key(5), "model", ADDRESS, PERMISSIONS, ORG, NOW)
DISABLED_MODEL = assets.Model(key(7), key(5), "model", None, PERMISSIONS, ORG, NOW)
PERFORMANCE = assets.Performance(key(5), "performance", 0.5, NOW)
FAILURE = assets.FailureReport(key(5), ErrorType.EXECUTION, ADDRESS, NOW, ORG, FailedAssetKind.COMPUTE_TASK)
INTERNAL_FAILURE = assets.FailureReport(key(1), ErrorType.INTERNAL, None, NOW, ORG, FailedAssetKind.FUNCTION)
OUTPUT_ASSET = assets.ComputeTaskOutputAsset(key(5), "model", AssetKind.MODEL, key(7))
PROFILING_STEP = assets.ProfilingStep(1234, key(1), "build_image")

# (asset kind, asset, converter, message class)
CASES: list[tuple[AssetKind, Any, Callable[[Any], Message], type[Message]]] = [
    (AssetKind.ORGANIZATION, ORGANIZATION, convert.organization_message, organization_pb2.Organization),
    (AssetKind.FUNCTION, FUNCTION, convert.function_message, function_pb2.Function),
    (AssetKind.DATA_MANAGER, DATA_MANAGER, convert.data_manager_message, datamanager_pb2.DataManager),
    (AssetKind.DATA_SAMPLE, DATA_SAMPLE, convert.data_sample_message, datasample_pb2.DataSample),
    (AssetKind.COMPUTE_PLAN, PLAN, convert.compute_plan_message, computeplan_pb2.ComputePlan),
    (AssetKind.COMPUTE_PLAN, FAILED_PLAN, convert.compute_plan_message, computeplan_pb2.ComputePlan),
    (AssetKind.COMPUTE_TASK, TASK, convert.compute_task_message, computetask_pb2.ComputeTask),
    (AssetKind.MODEL, MODEL, convert.model_message, model_pb2.Model),
    (AssetKind.MODEL, DISABLED_MODEL, convert.model_message, model_pb2.Model),
    (AssetKind.PERFORMANCE, PERFORMANCE, convert.performance_message, performance_pb2.Performance),
    (AssetKind.FAILURE_REPORT, FAILURE, convert.failure_report_message, failure_report_pb2.FailureReport),
    (
        AssetKind.FAILURE_REPORT,
        INTERNAL_FAILURE,
        convert.failure_report_message,
        failure_report_pb2.FailureReport,
    ),
    (
        AssetKind.COMPUTE_TASK_OUTPUT_ASSET,
        OUTPUT_ASSET,
        convert.output_asset_message,
        computetask_pb2.ComputeTaskOutputAsset,
    ),
    (AssetKind.PROFILING_STEP, PROFILING_STEP, convert.profiling_step_message, profiling_pb2.ProfilingStep),
]
IDS = [f"{type(case[1]).__name__}-{index}" for index, case in enumerate(CASES)]


def as_dict(message: Message) -> dict[str, Any]:
    """The client's view (substra-backend: proto field names, defaults printed)."""
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


@pytest.mark.parametrize(("kind", "asset", "to_message", "message_type"), CASES, ids=IDS)
def test_asset_message_reads_as_its_snapshot(
    kind: AssetKind, asset: Any, to_message: Callable[[Any], Message], message_type: type[Message]
) -> None:
    message = to_message(asset)
    assert isinstance(message, message_type)
    assert as_dict(message) == asset.snapshot()


@pytest.mark.parametrize(("kind", "asset", "to_message", "message_type"), CASES, ids=IDS)
def test_fast_snapshot_parser_agrees_with_parse_dict(
    kind: AssetKind, asset: Any, to_message: Callable[[Any], Message], message_type: type[Message]
) -> None:
    fast, reference = message_type(), message_type()
    fill(fast, asset.snapshot())
    json_format.ParseDict(asset.snapshot(), reference)
    assert fast == reference == to_message(asset)


def test_unset_optional_sub_messages_stay_unset() -> None:
    assert not convert.compute_plan_message(PLAN).HasField("cancelation_date")
    assert not convert.compute_plan_message(PLAN).HasField("failure_date")
    assert convert.compute_plan_message(FAILED_PLAN).HasField("failure_date")
    assert not convert.model_message(DISABLED_MODEL).HasField("address")
    assert not convert.failure_report_message(INTERNAL_FAILURE).HasField("logs_address")


def test_dataset_message() -> None:
    message = convert.dataset_message(assets.Dataset(DATA_MANAGER, (key(3), key(8))))
    assert message.data_manager == convert.data_manager_message(DATA_MANAGER)
    assert list(message.data_sample_keys) == [key(3), key(8)]


def test_input_asset_message_picks_the_branch_of_the_asset() -> None:
    assert convert.input_asset_message("model", MODEL).WhichOneof("asset") == "model"
    assert convert.input_asset_message("opener", DATA_MANAGER).WhichOneof("asset") == "data_manager"
    sample = convert.input_asset_message("datasamples", DATA_SAMPLE)
    assert (sample.identifier, sample.data_sample.key) == ("datasamples", key(3))


def test_every_asset_kind_but_unknown_has_an_event_branch() -> None:
    assert set(ASSET_FIELD) == set(AssetKind) - {AssetKind.UNKNOWN}
    assert set(ASSET_FIELD.values()) == {
        field.name for field in event_pb2.Event.DESCRIPTOR.oneofs_by_name["asset"].fields
    }


def _event(kind: AssetKind, snapshot: dict[str, Any]) -> Event:
    return Event(
        id=key(99),
        channel="mychannel",
        position=42,
        timestamp=NOW,
        asset_kind=kind,
        event_kind=EventKind.UPDATED,
        asset_key="some-key",
        asset=snapshot,
        metadata={"reason": "User action"},
        hash="ab" * 32,
    )


@pytest.mark.parametrize(("kind", "asset", "to_message", "message_type"), CASES, ids=IDS)
def test_event_carries_the_snapshot_in_the_branch_of_its_kind(
    kind: AssetKind, asset: Any, to_message: Callable[[Any], Message], message_type: type[Message]
) -> None:
    message = convert.event_message(_event(kind, asset.snapshot()))
    branch = ASSET_FIELD[kind]
    assert message.WhichOneof("asset") == branch
    assert getattr(message, branch) == to_message(asset)
    assert (message.id, message.channel, message.asset_key) == (key(99), "mychannel", "some-key")
    assert message.asset_kind == common_pb2.AssetKind.Value(kind.value)
    assert message.event_kind == event_pb2.EVENT_ASSET_UPDATED
    assert convert.from_timestamp(message.timestamp) == NOW
    assert dict(message.metadata) == {"reason": "User action"}
    assert (message.position, message.hash) == (42, "ab" * 32)


def test_empty_snapshot_still_selects_the_branch() -> None:
    message = convert.event_message(_event(AssetKind.PROFILING_STEP, {}))
    assert message.WhichOneof("asset") == "profiling_step"


@pytest.mark.parametrize(
    "snapshot",
    [{"key": "k", "surprise": 1}, {"status": "NOT_A_STATUS"}, {"rank": "three"}],
    ids=["unknown-field", "unknown-enum-name", "wrong-type"],
)
def test_snapshot_that_does_not_fit_is_an_internal_error(snapshot: dict[str, Any]) -> None:
    with pytest.raises(InternalError):
        convert.event_message(_event(AssetKind.COMPUTE_TASK, snapshot))


def test_event_of_unknown_kind_is_an_internal_error() -> None:
    with pytest.raises(InternalError):
        convert.event_message(_event(AssetKind.UNKNOWN, {}))


def test_timestamps_round_trip_to_the_microsecond() -> None:
    for moment in (
        NOW,
        LATER,
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    ):
        assert convert.from_timestamp(convert.timestamp(moment)) == moment


def _address_message(name: str) -> common_pb2.Addressable:
    return common_pb2.Addressable(checksum=CHECKSUM, storage_address=f"http://storage.test/{name}")


def test_new_function() -> None:
    message = function_pb2.NewFunction(
        key=key(1),
        name="train",
        description=_address_message("description"),
        archive=_address_message("archive"),
        new_permissions=common_pb2.NewPermissions(public=False, authorized_ids=[ORG]),
        metadata={"framework": "torch"},
        inputs={
            "opener": function_pb2.FunctionInput(kind=common_pb2.ASSET_DATA_MANAGER),
            "datasamples": function_pb2.FunctionInput(kind=common_pb2.ASSET_DATA_SAMPLE, multiple=True),
        },
        outputs={"model": function_pb2.FunctionOutput(kind=common_pb2.ASSET_MODEL)},
    )
    assert convert.new_function(message) == commands.NewFunction(
        key=key(1),
        name="train",
        description=assets.Addressable(CHECKSUM, "http://storage.test/description"),
        archive=assets.Addressable(CHECKSUM, "http://storage.test/archive"),
        new_permissions=assets.NewPermissions(False, (ORG,)),
        metadata={"framework": "torch"},
        inputs={
            "opener": assets.FunctionInput(AssetKind.DATA_MANAGER),
            "datasamples": assets.FunctionInput(AssetKind.DATA_SAMPLE, multiple=True),
        },
        outputs={"model": assets.FunctionOutput(AssetKind.MODEL)},
    )


def test_update_function_without_image_keeps_none() -> None:
    command = convert.update_function(function_pb2.UpdateFunctionParam(key=key(1), name="renamed"))
    assert command == commands.UpdateFunction(key(1), "renamed", None)
    with_image = function_pb2.UpdateFunctionParam(key=key(1), name="n", image=_address_message("image"))
    assert convert.update_function(with_image).image == assets.Addressable(
        CHECKSUM, "http://storage.test/image"
    )


def test_function_query_and_action() -> None:
    page, plan_key = convert.query_functions(
        function_pb2.QueryFunctionsParam(
            page_token="100", page_size=20, filter=function_pb2.FunctionQueryFilter(compute_plan_key=key(4))
        )
    )
    assert (page, plan_key) == (commands.PageRequest("100", 20), key(4))
    action = function_pb2.ApplyFunctionActionParam(
        function_key=key(1), action=function_pb2.FUNCTION_ACTION_READY
    )
    assert convert.apply_function_action(action) == commands.ApplyFunctionAction(key(1), FunctionAction.READY)


def test_data_manager_requests() -> None:
    permissions = common_pb2.NewPermissions(public=True)
    message = datamanager_pb2.NewDataManager(
        key=key(2),
        name="dm",
        new_permissions=permissions,
        description=_address_message("description"),
        opener=_address_message("opener"),
        type="ignored",
        logs_permission=permissions,
        metadata={"k": "v"},
    )
    public = assets.NewPermissions(True, ())
    assert convert.new_data_manager(message) == commands.NewDataManager(
        key=key(2),
        name="dm",
        new_permissions=public,
        description=assets.Addressable(CHECKSUM, "http://storage.test/description"),
        opener=assets.Addressable(CHECKSUM, "http://storage.test/opener"),
        logs_permission=public,
        metadata={"k": "v"},
    )
    update = datamanager_pb2.UpdateDataManagerParam(key=key(2), name="new")
    assert convert.update_data_manager(update) == commands.UpdateDataManager(key(2), "new")


def test_data_sample_requests() -> None:
    register = datasample_pb2.RegisterDataSamplesParam(
        samples=[
            datasample_pb2.NewDataSample(
                key=key(3), data_manager_keys=[key(2)], test_only=True, checksum=CHECKSUM
            ),
            datasample_pb2.NewDataSample(key=key(8), checksum=CHECKSUM),
        ]
    )
    assert convert.register_data_samples(register) == (
        commands.NewDataSample(key(3), (key(2),), CHECKSUM),
        commands.NewDataSample(key(8), (), CHECKSUM),
    )
    assert convert.register_data_samples(datasample_pb2.RegisterDataSamplesParam()) == ()
    update = datasample_pb2.UpdateDataSamplesParam(keys=[key(3)], data_manager_keys=[key(2)])
    assert convert.update_data_samples(update) == commands.UpdateDataSamples((key(3),), (key(2),))
    query = datasample_pb2.QueryDataSamplesParam(filter=datasample_pb2.DataSampleQueryFilter(keys=[key(3)]))
    assert convert.query_data_samples(query) == (commands.PageRequest(), (key(3),))


def test_plan_requests() -> None:
    new = computeplan_pb2.NewComputePlan(key=key(4), tag="t", name="plan", metadata={"a": "b"})
    assert convert.new_compute_plan(new) == commands.NewComputePlan(key(4), "plan", "t", {"a": "b"})
    update = computeplan_pb2.UpdateComputePlanParam(key=key(4), name="renamed")
    assert convert.update_compute_plan(update) == commands.UpdateComputePlan(key(4), "renamed")
    cancel = computeplan_pb2.ApplyPlanActionParam(key=key(4), action=computeplan_pb2.PLAN_ACTION_CANCELED)
    assert convert.apply_plan_action(cancel) == commands.ApplyPlanAction(key(4), PlanAction.CANCELED)
    query = computeplan_pb2.QueryPlansParam(page_size=5, filter=computeplan_pb2.PlanQueryFilter(owner=ORG))
    assert convert.query_plans(query) == (commands.PageRequest("", 5), ORG)


def test_register_tasks_keeps_input_order_and_refs() -> None:
    task = computetask_pb2.NewComputeTask(
        key=key(5),
        function_key=key(1),
        compute_plan_key=key(4),
        worker=ORG,
        metadata={"__tag__": ""},
        inputs=[
            computetask_pb2.ComputeTaskInput(identifier="opener", asset_key=key(2)),
            computetask_pb2.ComputeTaskInput(
                identifier="model",
                parent_task_output=computetask_pb2.ParentTaskOutputRef(
                    parent_task_key=key(6), output_identifier="model"
                ),
            ),
        ],
        outputs={
            "model": computetask_pb2.NewComputeTaskOutput(
                permissions=common_pb2.NewPermissions(authorized_ids=[ORG]), transient=True
            )
        },
    )
    command = convert.register_tasks(computetask_pb2.RegisterTasksParam(tasks=[task]))
    assert command == commands.RegisterTasks(
        (
            commands.NewComputeTask(
                key=key(5),
                function_key=key(1),
                compute_plan_key=key(4),
                worker=ORG,
                metadata={"__tag__": ""},
                inputs=(
                    assets.TaskInput("opener", asset_key=key(2)),
                    assets.TaskInput("model", parent_task_output=assets.ParentTaskOutputRef(key(6), "model")),
                ),
                outputs={"model": assets.NewTaskOutput(assets.NewPermissions(False, (ORG,)), transient=True)},
            ),
        )
    )


def test_task_input_without_ref_has_neither() -> None:
    task_input = convert.tasks.task_input(computetask_pb2.ComputeTaskInput(identifier="opener"))
    assert (task_input.asset_key, task_input.parent_task_output) == (None, None)


def test_task_action_disable_and_query() -> None:
    action = computetask_pb2.ApplyTaskActionParam(
        compute_task_key=key(5), action=computetask_pb2.TASK_ACTION_DONE, log="finished"
    )
    assert convert.apply_task_action(action) == commands.ApplyTaskAction(key(5), TaskAction.DONE, "finished")
    disable = computetask_pb2.DisableOutputParam(compute_task_key=key(5), identifier="model")
    assert convert.disable_output(disable) == commands.DisableOutput(key(5), "model")
    query = computetask_pb2.QueryTasksParam(
        page_token="50",
        page_size=10,
        filter=computetask_pb2.TaskQueryFilter(
            worker=ORG, status=computetask_pb2.STATUS_DONE, compute_plan_key=key(4)
        ),
    )
    assert convert.query_tasks(query) == (
        commands.PageRequest("50", 10),
        commands.TaskFilter(worker=ORG, status=TaskStatus.DONE, compute_plan_key=key(4)),
    )
    assert convert.query_tasks(computetask_pb2.QueryTasksParam())[1] == commands.TaskFilter()


def test_model_performance_failure_profiling_requests() -> None:
    model = model_pb2.NewModel(
        key=key(7),
        compute_task_key=key(5),
        compute_task_output_identifier="model",
        address=_address_message("m"),
    )
    expected = commands.NewModel(
        key(7), key(5), "model", assets.Addressable(CHECKSUM, "http://storage.test/m")
    )
    assert convert.register_models(model_pb2.RegisterModelsParam(models=[model])) == commands.RegisterModels(
        (expected,)
    )
    assert convert.new_model(model) == expected
    performance = performance_pb2.NewPerformance(
        compute_task_key=key(5), compute_task_output_identifier="performance", performance_value=0.25
    )
    assert convert.new_performance(performance) == commands.NewPerformance(key(5), "performance", 0.25)
    query = performance_pb2.QueryPerformancesParam(
        filter=performance_pb2.PerformanceQueryFilter(
            compute_task_key=key(5), compute_task_output_identifier="p"
        )
    )
    assert convert.query_performances(query) == (commands.PageRequest(), key(5), "p")
    failure = failure_report_pb2.NewFailureReport(
        asset_key=key(1),
        error_type=failure_report_pb2.ERROR_TYPE_INTERNAL,
        asset_type=failure_report_pb2.FAILED_ASSET_FUNCTION,
    )
    assert convert.new_failure_report(failure) == commands.NewFailureReport(
        key(1), ErrorType.INTERNAL, None, FailedAssetKind.FUNCTION
    )
    step = profiling_pb2.ProfilingStep(duration=10, asset_key=key(1), step="build_image")
    assert convert.new_profiling_step(step) == commands.NewProfilingStep(key(1), "build_image", 10)
    organization = organization_pb2.RegisterOrganizationParam(address="http://backend.test")
    assert convert.register_organization(organization) == commands.RegisterOrganization("http://backend.test")


def test_event_query() -> None:
    query = event_pb2.QueryEventsParam(
        page_size=3,
        sort=common_pb2.DESCENDING,
        filter=event_pb2.EventQueryFilter(
            asset_key=key(5),
            asset_kind=common_pb2.ASSET_COMPUTE_TASK,
            event_kind=event_pb2.EVENT_ASSET_UPDATED,
            metadata={"reason": "x"},
            start=convert.timestamp(NOW),
        ),
    )
    page, event_filter, sort = convert.query_events(query)
    assert (page, sort) == (commands.PageRequest("", 3), SortOrder.DESCENDING)
    assert (event_filter.asset_key, event_filter.asset_kind, event_filter.event_kind) == (
        key(5),
        AssetKind.COMPUTE_TASK,
        EventKind.UPDATED,
    )
    assert (dict(event_filter.metadata), event_filter.start, event_filter.end) == ({"reason": "x"}, NOW, None)


def _with_enum(message: M, field: str, number: int) -> M:
    # proto3 enums are open: a client can send any number, which the parsed message keeps.
    setattr(message, field, number)
    return type(message).FromString(message.SerializeToString())


UNKNOWN_ENUM_CASES: list[tuple[str, Callable[[], Any]]] = [
    (
        "task action",
        lambda: convert.apply_task_action(_with_enum(computetask_pb2.ApplyTaskActionParam(), "action", 99)),
    ),
    (
        "function action",
        lambda: convert.apply_function_action(
            _with_enum(function_pb2.ApplyFunctionActionParam(), "action", 42)
        ),
    ),
    (
        "plan action",
        lambda: convert.apply_plan_action(_with_enum(computeplan_pb2.ApplyPlanActionParam(), "action", 2)),
    ),
    (
        "error type",
        lambda: convert.new_failure_report(
            _with_enum(failure_report_pb2.NewFailureReport(), "error_type", 7)
        ),
    ),
    (
        "failed asset kind",
        lambda: convert.new_failure_report(
            _with_enum(failure_report_pb2.NewFailureReport(), "asset_type", -1)
        ),
    ),
    (
        "task filter status",
        lambda: convert.task_filter(_with_enum(computetask_pb2.TaskQueryFilter(), "status", 9)),
    ),
    (
        "event filter asset kind (reserved 2)",
        lambda: convert.event_filter(_with_enum(event_pb2.EventQueryFilter(), "asset_kind", 2)),
    ),
    (
        "event filter event kind",
        lambda: convert.event_filter(_with_enum(event_pb2.EventQueryFilter(), "event_kind", 4)),
    ),
    ("event sort", lambda: convert.query_events(_with_enum(event_pb2.QueryEventsParam(), "sort", 3))),
]


@pytest.mark.parametrize(
    "build", [case[1] for case in UNKNOWN_ENUM_CASES], ids=[case[0] for case in UNKNOWN_ENUM_CASES]
)
def test_unknown_enum_number_is_invalid_asset(build: Callable[[], Any]) -> None:
    with pytest.raises(InvalidAsset, match="is not a valid"):
        build()


def test_unknown_function_input_kind_is_invalid_asset() -> None:
    message = function_pb2.NewFunction(key=key(1), name="f")
    message.inputs["x"].kind = 13  # type: ignore[assignment]
    with pytest.raises(InvalidAsset, match=r"inputs\[x\]\.kind"):
        convert.new_function(message)


def test_task_messages_share_no_nested_message() -> None:
    # The creation date and permissions of task messages are built once per value and copied in:
    # changing one answer must not change the next.
    first = convert.compute_task_message(TASK)
    first.creation_date.seconds += 1
    first.logs_permission.authorized_ids.append("intruder")
    for output in first.outputs.values():
        output.permissions.process.public = not output.permissions.process.public
    second = convert.compute_task_message(TASK)
    assert second.creation_date == convert.timestamp(TASK.creation_date)
    assert list(second.logs_permission.authorized_ids) == list(TASK.logs_permission.authorized_ids)
    for identifier, output in TASK.outputs.items():
        assert second.outputs[identifier].permissions.process.public == output.permissions.process.public
    assert as_dict(second) == as_dict(convert.compute_task_message(TASK))
