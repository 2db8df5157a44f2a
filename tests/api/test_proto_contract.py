"""The generated descriptors match the wire contract of reference §4-§7, and the committed generated
code is fresh.

The tables below are transcribed from shared/reference/substra-orchestrator-v1.md, independently of the
.proto files: messages in declaration order with their fields in declaration order (``name=number:type``).
"""

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import FieldDescriptor, FileDescriptor

from podium.api.generated import (
    common_pb2,
    computeplan_pb2,
    computetask_pb2,
    datamanager_pb2,
    datasample_pb2,
    dataset_pb2,
    event_pb2,
    failure_report_pb2,
    function_pb2,
    info_pb2,
    model_pb2,
    organization_pb2,
    performance_pb2,
    profiling_pb2,
)

ROOT = Path(__file__).resolve().parents[2]

MODULES: dict[str, ModuleType] = {
    "common.proto": common_pb2,
    "organization.proto": organization_pb2,
    "function.proto": function_pb2,
    "datamanager.proto": datamanager_pb2,
    "datasample.proto": datasample_pb2,
    "dataset.proto": dataset_pb2,
    "computeplan.proto": computeplan_pb2,
    "computetask.proto": computetask_pb2,
    "model.proto": model_pb2,
    "performance.proto": performance_pb2,
    "failure_report.proto": failure_report_pb2,
    "event.proto": event_pb2,
    "profiling.proto": profiling_pb2,
    "info.proto": info_pb2,
}

TS = "google/protobuf/timestamp.proto"
IMPORTS: dict[str, list[str]] = {
    "common.proto": [],
    "organization.proto": [TS],
    "function.proto": [TS, "common.proto"],
    "datamanager.proto": [TS, "common.proto"],
    "datasample.proto": [TS],
    "dataset.proto": ["datamanager.proto"],
    "computeplan.proto": [TS],
    "computetask.proto": [TS, "model.proto", "datamanager.proto", "datasample.proto", "common.proto"],
    "model.proto": [TS, "common.proto"],
    "performance.proto": [TS],
    "failure_report.proto": [TS, "common.proto"],
    "event.proto": [
        "function.proto",
        "common.proto",
        "computeplan.proto",
        "computetask.proto",
        "datamanager.proto",
        "datasample.proto",
        "failure_report.proto",
        "model.proto",
        "organization.proto",
        "performance.proto",
        "profiling.proto",
        TS,
    ],
    "profiling.proto": ["google/protobuf/empty.proto"],
    "info.proto": [],
}

PAGE = "page_token=1:string page_size=2:uint32"
MESSAGES = f"""
common.proto
  Addressable: checksum=1:string storage_address=2:string
  Permissions: process=1:Permission download=2:Permission
  Permission: public=1:bool authorized_ids=2:repeated string
  NewPermissions: public=1:bool authorized_ids=2:repeated string
organization.proto
  Organization: id=1:string creation_date=2:Timestamp address=3:string
  GetAllOrganizationsResponse: organizations=1:repeated Organization
  RegisterOrganizationParam: address=1:string
  GetAllOrganizationsParam:
function.proto
  FunctionInput: kind=1:AssetKind multiple=2:bool optional=3:bool
  FunctionOutput: kind=1:AssetKind multiple=2:bool
  Function: key=1:string name=2:string description=4:Addressable archive=5:Addressable \
permissions=6:Permissions owner=7:string creation_date=8:Timestamp metadata=16:map<string,string> \
inputs=17:map<string,FunctionInput> outputs=18:map<string,FunctionOutput> status=19:FunctionStatus \
image=20:Addressable
  NewFunction: key=1:string name=2:string description=4:Addressable archive=5:Addressable \
new_permissions=6:NewPermissions metadata=17:map<string,string> inputs=18:map<string,FunctionInput> \
outputs=19:map<string,FunctionOutput>
  GetFunctionParam: key=1:string
  QueryFunctionsResponse: Functions=1:repeated Function next_page_token=2:string
  FunctionQueryFilter: compute_plan_key=2:string
  QueryFunctionsParam: {PAGE} filter=3:FunctionQueryFilter
  UpdateFunctionParam: key=1:string name=2:string image=3:Addressable
  UpdateFunctionResponse:
  ApplyFunctionActionParam: function_key=1:string action=2:FunctionAction
  ApplyFunctionActionResponse:
datamanager.proto
  DataManager: key=1:string name=2:string owner=3:string permissions=4:Permissions \
description=6:Addressable opener=7:Addressable type=8:string creation_date=9:Timestamp \
logs_permission=10:Permission metadata=16:map<string,string>
  NewDataManager: key=1:string name=2:string new_permissions=3:NewPermissions description=5:Addressable \
opener=6:Addressable type=7:string logs_permission=8:NewPermissions metadata=16:map<string,string>
  GetDataManagerParam: key=1:string
  QueryDataManagersParam: {PAGE}
  QueryDataManagersResponse: data_managers=1:repeated DataManager next_page_token=2:string
  UpdateDataManagerParam: key=1:string name=2:string
  UpdateDataManagerResponse:
datasample.proto
  DataSample: key=1:string data_manager_keys=2:repeated string owner=3:string test_only=4:bool \
checksum=5:string creation_date=6:Timestamp
  NewDataSample: key=1:string data_manager_keys=2:repeated string test_only=3:bool checksum=4:string
  RegisterDataSamplesParam: samples=1:repeated NewDataSample
  RegisterDataSamplesResponse: data_samples=1:repeated DataSample
  UpdateDataSamplesParam: keys=1:repeated string data_manager_keys=2:repeated string
  UpdateDataSamplesResponse:
  DataSampleQueryFilter: keys=1:repeated string
  QueryDataSamplesParam: {PAGE} filter=3:DataSampleQueryFilter
  QueryDataSamplesResponse: data_samples=1:repeated DataSample next_page_token=2:string
  GetDataSampleParam: key=1:string
dataset.proto
  Dataset: data_manager=1:DataManager data_sample_keys=4:repeated string
  GetDatasetParam: key=1:string
computeplan.proto
  ComputePlan: key=1:string owner=2:string creation_date=7:Timestamp tag=16:string name=19:string \
metadata=17:map<string,string> cancelation_date=18:Timestamp failure_date=20:Timestamp
  NewComputePlan: key=1:string tag=16:string name=19:string metadata=17:map<string,string>
  GetComputePlanParam: key=1:string
  ApplyPlanActionParam: key=1:string action=2:ComputePlanAction
  ApplyPlanActionResponse:
  PlanQueryFilter: owner=1:string
  QueryPlansParam: {PAGE} filter=3:PlanQueryFilter
  QueryPlansResponse: plans=1:repeated ComputePlan next_page_token=2:string
  UpdateComputePlanParam: key=1:string name=2:string
  UpdateComputePlanResponse:
  IsPlanRunningParam: key=1:string
  IsPlanRunningResponse: is_running=1:bool
computetask.proto
  ParentTaskOutputRef: parent_task_key=1:string output_identifier=2:string
  ComputeTaskInput: identifier=1:string asset_key=2:string parent_task_output=3:ParentTaskOutputRef
  ComputeTaskOutput: permissions=1:Permissions transient=2:bool
  NewComputeTaskOutput: permissions=1:NewPermissions transient=2:bool
  ComputeTask: key=1:string owner=4:string compute_plan_key=5:string rank=7:int32 \
status=8:ComputeTaskStatus worker=9:string creation_date=10:Timestamp logs_permission=11:Permission \
metadata=16:map<string,string> inputs=17:repeated ComputeTaskInput \
outputs=19:map<string,ComputeTaskOutput> function_key=20:string
  NewComputeTask: key=1:string function_key=3:string compute_plan_key=4:string worker=6:string \
metadata=16:map<string,string> inputs=17:repeated ComputeTaskInput outputs=19:map<string,NewComputeTaskOutput>
  RegisterTasksParam: tasks=1:repeated NewComputeTask
  RegisterTasksResponse: tasks=1:repeated ComputeTask
  TaskQueryFilter: worker=1:string status=2:ComputeTaskStatus compute_plan_key=4:string function_key=5:string
  QueryTasksParam: {PAGE} filter=3:TaskQueryFilter
  QueryTasksResponse: tasks=1:repeated ComputeTask next_page_token=2:string
  GetTaskParam: key=1:string
  ComputeTaskOutputAsset: compute_task_key=1:string compute_task_output_identifier=2:string \
asset_kind=3:AssetKind asset_key=4:string
  ApplyTaskActionParam: compute_task_key=1:string action=2:ComputeTaskAction log=3:string
  ApplyTaskActionResponse:
  ComputeTaskInputAsset: identifier=1:string model=2:Model data_manager=3:DataManager data_sample=4:DataSample
  GetTaskInputAssetsParam: compute_task_key=1:string
  GetTaskInputAssetsResponse: assets=1:repeated ComputeTaskInputAsset
  DisableOutputParam: compute_task_key=1:string identifier=2:string
  DisableOutputResponse:
model.proto
  Model: key=1:string compute_task_key=3:string address=4:Addressable permissions=5:Permissions \
owner=6:string creation_date=7:Timestamp
  NewModel: key=1:string compute_task_key=3:string compute_task_output_identifier=5:string \
address=4:Addressable
  RegisterModelsParam: models=1:repeated NewModel
  RegisterModelsResponse: models=1:repeated Model
  GetComputeTaskModelsParam: compute_task_key=1:string
  GetComputeTaskModelsResponse: models=1:repeated Model
  GetModelParam: key=1:string
performance.proto
  NewPerformance: compute_task_key=1:string compute_task_output_identifier=3:string performance_value=2:float
  Performance: compute_task_key=1:string compute_task_output_identifier=6:string \
performance_value=2:float creation_date=3:Timestamp
  PerformanceQueryFilter: compute_task_key=1:string compute_task_output_identifier=3:string
  QueryPerformancesParam: {PAGE} filter=3:PerformanceQueryFilter
  QueryPerformancesResponse: Performances=1:repeated Performance next_page_token=2:string
failure_report.proto
  FailureReport: asset_key=1:string error_type=2:ErrorType logs_address=3:Addressable \
creation_date=4:Timestamp owner=5:string asset_type=6:FailedAssetKind
  NewFailureReport: asset_key=1:string error_type=2:ErrorType logs_address=3:Addressable \
asset_type=4:FailedAssetKind
  GetFailureReportParam: asset_key=1:string
event.proto
  Event: id=1:string asset_key=2:string asset_kind=3:AssetKind event_kind=4:EventKind channel=5:string \
timestamp=6:Timestamp function=7:Function compute_plan=8:ComputePlan compute_task=9:ComputeTask \
data_manager=10:DataManager data_sample=11:DataSample failure_report=12:FailureReport model=13:Model \
organization=14:Organization performance=15:Performance compute_task_output_asset=16:ComputeTaskOutputAsset \
profiling_step=17:ProfilingStep metadata=18:map<string,string> position=1000:uint64 hash=1001:string
  QueryEventsParam: {PAGE} filter=3:EventQueryFilter sort=4:SortOrder
  EventQueryFilter: asset_key=1:string asset_kind=2:AssetKind event_kind=3:EventKind \
metadata=4:map<string,string> start=5:Timestamp end=6:Timestamp
  QueryEventsResponse: events=1:repeated Event next_page_token=2:string
  SubscribeToEventsParam: start_event_id=1:string
profiling.proto
  ProfilingStep: duration=1:uint32 asset_key=2:string step=3:string
info.proto
  QueryVersionParam:
  QueryVersionResponse: orchestrator=1:string
"""


def _parse_messages() -> dict[str, list[tuple[str, list[tuple[str, int, str]]]]]:
    table: dict[str, list[tuple[str, list[tuple[str, int, str]]]]] = {}
    current = ""
    for line in MESSAGES.strip().splitlines():
        if not line.startswith(" "):
            current = line.strip()
            table[current] = []
            continue
        name, _, rest = line.strip().partition(":")
        fields = []
        for token in rest.replace(":repeated ", ":repeated_").split():
            field, _, spec = token.partition("=")
            number, _, type_name = spec.partition(":")
            fields.append((field, int(number), type_name.replace("repeated_", "repeated ")))
        table[current].append((name, fields))
    return table


EXPECTED_MESSAGES = _parse_messages()

ENUMS: dict[str, dict[str, list[tuple[str, int]]]] = {
    "common.proto": {
        "AssetKind": [
            ("ASSET_UNKNOWN", 0), ("ASSET_ORGANIZATION", 1), ("ASSET_DATA_SAMPLE", 3),
            ("ASSET_DATA_MANAGER", 4), ("ASSET_FUNCTION", 5), ("ASSET_COMPUTE_TASK", 6),
            ("ASSET_COMPUTE_PLAN", 7), ("ASSET_MODEL", 8), ("ASSET_PERFORMANCE", 9),
            ("ASSET_FAILURE_REPORT", 10), ("ASSET_COMPUTE_TASK_OUTPUT_ASSET", 11),
            ("ASSET_PROFILING_STEP", 12),
        ],
        "SortOrder": [("UNSPECIFIED", 0), ("ASCENDING", 1), ("DESCENDING", 2)],
    },
    "function.proto": {
        "FunctionAction": [
            ("FUNCTION_ACTION_UNKNOWN", 0), ("FUNCTION_ACTION_BUILDING", 1), ("FUNCTION_ACTION_CANCELED", 2),
            ("FUNCTION_ACTION_FAILED", 3), ("FUNCTION_ACTION_READY", 4),
        ],
        "FunctionStatus": [
            ("FUNCTION_STATUS_UNKNOWN", 0), ("FUNCTION_STATUS_WAITING", 1), ("FUNCTION_STATUS_BUILDING", 2),
            ("FUNCTION_STATUS_READY", 3), ("FUNCTION_STATUS_CANCELED", 4), ("FUNCTION_STATUS_FAILED", 5),
        ],
    },
    "computeplan.proto": {"ComputePlanAction": [("PLAN_ACTION_UNKNOWN", 0), ("PLAN_ACTION_CANCELED", 1)]},
    "computetask.proto": {
        "ComputeTaskStatus": [
            ("STATUS_UNKNOWN", 0), ("STATUS_WAITING_FOR_PARENT_TASKS", 1),
            ("STATUS_WAITING_FOR_EXECUTOR_SLOT", 2), ("STATUS_EXECUTING", 3), ("STATUS_DONE", 4),
            ("STATUS_CANCELED", 5), ("STATUS_FAILED", 6), ("STATUS_WAITING_FOR_BUILDER_SLOT", 7),
            ("STATUS_BUILDING", 8),
        ],
        "ComputeTaskAction": [
            ("TASK_ACTION_UNKNOWN", 0), ("TASK_ACTION_EXECUTING", 1), ("TASK_ACTION_CANCELED", 2),
            ("TASK_ACTION_FAILED", 3), ("TASK_ACTION_DONE", 4), ("TASK_ACTION_BUILD_STARTED", 5),
            ("TASK_ACTION_BUILD_FINISHED", 6),
        ],
    },
    "failure_report.proto": {
        "ErrorType": [
            ("ERROR_TYPE_UNSPECIFIED", 0), ("ERROR_TYPE_BUILD", 1), ("ERROR_TYPE_EXECUTION", 2),
            ("ERROR_TYPE_INTERNAL", 3),
        ],
        "FailedAssetKind": [
            ("FAILED_ASSET_UNKNOWN", 0), ("FAILED_ASSET_COMPUTE_TASK", 1), ("FAILED_ASSET_FUNCTION", 2),
        ],
    },
    "event.proto": {
        "EventKind": [
            ("EVENT_UNKNOWN", 0), ("EVENT_ASSET_CREATED", 1), ("EVENT_ASSET_UPDATED", 2),
            ("EVENT_ASSET_DISABLED", 3),
        ],
    },
}  # fmt: skip

# (file, service): [(rpc, request, response, server streaming)]
SERVICES: dict[tuple[str, str], list[tuple[str, str, str, bool]]] = {
    ("organization.proto", "OrganizationService"): [
        ("RegisterOrganization", "RegisterOrganizationParam", "Organization", False),
        ("GetAllOrganizations", "GetAllOrganizationsParam", "GetAllOrganizationsResponse", False),
    ],
    ("function.proto", "FunctionService"): [
        ("RegisterFunction", "NewFunction", "Function", False),
        ("GetFunction", "GetFunctionParam", "Function", False),
        ("QueryFunctions", "QueryFunctionsParam", "QueryFunctionsResponse", False),
        ("UpdateFunction", "UpdateFunctionParam", "UpdateFunctionResponse", False),
        ("ApplyFunctionAction", "ApplyFunctionActionParam", "ApplyFunctionActionResponse", False),
    ],
    ("datamanager.proto", "DataManagerService"): [
        ("RegisterDataManager", "NewDataManager", "DataManager", False),
        ("GetDataManager", "GetDataManagerParam", "DataManager", False),
        ("QueryDataManagers", "QueryDataManagersParam", "QueryDataManagersResponse", False),
        ("UpdateDataManager", "UpdateDataManagerParam", "UpdateDataManagerResponse", False),
    ],
    ("datasample.proto", "DataSampleService"): [
        ("RegisterDataSamples", "RegisterDataSamplesParam", "RegisterDataSamplesResponse", False),
        ("UpdateDataSamples", "UpdateDataSamplesParam", "UpdateDataSamplesResponse", False),
        ("QueryDataSamples", "QueryDataSamplesParam", "QueryDataSamplesResponse", False),
        ("GetDataSample", "GetDataSampleParam", "DataSample", False),
    ],
    ("dataset.proto", "DatasetService"): [("GetDataset", "GetDatasetParam", "Dataset", False)],
    ("computeplan.proto", "ComputePlanService"): [
        ("RegisterPlan", "NewComputePlan", "ComputePlan", False),
        ("GetPlan", "GetComputePlanParam", "ComputePlan", False),
        ("ApplyPlanAction", "ApplyPlanActionParam", "ApplyPlanActionResponse", False),
        ("QueryPlans", "QueryPlansParam", "QueryPlansResponse", False),
        ("UpdatePlan", "UpdateComputePlanParam", "UpdateComputePlanResponse", False),
        ("IsPlanRunning", "IsPlanRunningParam", "IsPlanRunningResponse", False),
    ],
    ("computetask.proto", "ComputeTaskService"): [
        ("RegisterTasks", "RegisterTasksParam", "RegisterTasksResponse", False),
        ("QueryTasks", "QueryTasksParam", "QueryTasksResponse", False),
        ("GetTask", "GetTaskParam", "ComputeTask", False),
        ("ApplyTaskAction", "ApplyTaskActionParam", "ApplyTaskActionResponse", False),
        ("GetTaskInputAssets", "GetTaskInputAssetsParam", "GetTaskInputAssetsResponse", False),
        ("DisableOutput", "DisableOutputParam", "DisableOutputResponse", False),
    ],
    ("model.proto", "ModelService"): [
        ("RegisterModel", "NewModel", "Model", False),
        ("RegisterModels", "RegisterModelsParam", "RegisterModelsResponse", False),
        ("GetModel", "GetModelParam", "Model", False),
        ("GetComputeTaskOutputModels", "GetComputeTaskModelsParam", "GetComputeTaskModelsResponse", False),
    ],
    ("performance.proto", "PerformanceService"): [
        ("RegisterPerformance", "NewPerformance", "Performance", False),
        ("QueryPerformances", "QueryPerformancesParam", "QueryPerformancesResponse", False),
    ],
    ("failure_report.proto", "FailureReportService"): [
        ("RegisterFailureReport", "NewFailureReport", "FailureReport", False),
        ("GetFailureReport", "GetFailureReportParam", "FailureReport", False),
    ],
    ("event.proto", "EventService"): [
        ("QueryEvents", "QueryEventsParam", "QueryEventsResponse", False),
        ("SubscribeToEvents", "SubscribeToEventsParam", "Event", True),
    ],
    ("profiling.proto", "ProfilingService"): [
        ("RegisterProfilingStep", "ProfilingStep", "google.protobuf.Empty", False)
    ],
    ("info.proto", "InfoService"): [("QueryVersion", "QueryVersionParam", "QueryVersionResponse", False)],
}

# message: (reserved numbers, reserved names), both in declaration order
RESERVED: dict[str, tuple[list[int], list[str]]] = {
    "Function": ([3], ["category"]),
    "NewFunction": ([3], ["category"]),
    "Dataset": ([2, 3], ["train_data_sample_keys", "test_data_sample_keys"]),
    "ComputePlan": (
        [8, 9, 10, 11, 12, 3, 4, 5, 6],
        ["waiting_count", "todo_count", "doing_count", "canceled_count", "failed_count", "done_count",
         "task_count", "status", "delete_intermediary_models"],
    ),
    "NewComputePlan": ([18], ["delete_intermediary_models"]),
    "ComputeTask": (
        [2, 3, 6, 12, 13, 14, 15, 18],
        ["category", "function", "data", "test", "train", "composite", "aggregate", "parent_task_keys",
         "predict"],
    ),
    "NewComputeTask": (
        [2, 5, 12, 13, 14, 15, 18],
        ["category", "parent_task_keys", "data", "test", "train", "composite", "aggregate", "predict"],
    ),
    "TaskQueryFilter": ([3], ["category"]),
    "Model": ([2], ["category"]),
    "NewModel": ([2], ["category"]),
}  # fmt: skip

ONEOFS: dict[str, dict[str, list[str]]] = {
    "ComputeTaskInput": {"ref": ["asset_key", "parent_task_output"]},
    "ComputeTaskInputAsset": {"asset": ["model", "data_manager", "data_sample"]},
    "Event": {
        "asset": [
            "function", "compute_plan", "compute_task", "data_manager", "data_sample", "failure_report",
            "model", "organization", "performance", "compute_task_output_asset", "profiling_step",
        ]
    },
}  # fmt: skip

_SCALARS = {
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_UINT32: "uint32",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_UINT64: "uint64",
    FieldDescriptor.TYPE_FLOAT: "float",
}


def _type_name(field: FieldDescriptor) -> str:
    message_type = field.message_type
    if message_type is not None and message_type.GetOptions().map_entry:
        key, value = message_type.fields_by_name["key"], message_type.fields_by_name["value"]
        return f"map<{_type_name(key)},{_type_name(value)}>"
    if message_type is not None:
        assert message_type.full_name in {"google.protobuf.Timestamp", f"orchestrator.{message_type.name}"}
        base = message_type.name
    elif field.enum_type is not None:
        assert field.enum_type.full_name == f"orchestrator.{field.enum_type.name}"
        base = field.enum_type.name
    else:
        base = _SCALARS[field.type]
    return f"repeated {base}" if field.is_repeated else base


def _file(name: str) -> FileDescriptor:
    descriptor: FileDescriptor = MODULES[name].DESCRIPTOR
    return descriptor


def _file_proto(name: str) -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto()
    _file(name).CopyToProto(proto)
    return proto


def test_fourteen_files_registered_under_bare_names_in_package_orchestrator() -> None:
    assert len(MODULES) == 14
    for name in MODULES:
        descriptor = _file(name)
        assert descriptor.name == name
        assert descriptor.package == "orchestrator"
        assert _file_proto(name).syntax == "proto3"
        assert descriptor.GetOptions().go_package == "github.com/substra/orchestrator/lib/asset"


@pytest.mark.parametrize("name", list(MODULES))
def test_imports_in_reference_order(name: str) -> None:
    assert [dependency.name for dependency in _file(name).dependencies] == IMPORTS[name]


@pytest.mark.parametrize("name", list(MODULES))
def test_messages_fields_numbers_types_in_declaration_order(name: str) -> None:
    proto = _file_proto(name)
    expected = EXPECTED_MESSAGES[name]
    assert [message.name for message in proto.message_type] == [message for message, _ in expected]
    file = _file(name)
    for message_name, fields in expected:
        descriptor = file.message_types_by_name[message_name]
        actual = [(field.name, field.number, _type_name(field)) for field in descriptor.fields]
        assert actual == fields, message_name


@pytest.mark.parametrize("name", list(MODULES))
def test_enums_values_in_order(name: str) -> None:
    proto = _file_proto(name)
    expected = ENUMS.get(name, {})
    assert [enum.name for enum in proto.enum_type] == list(expected)
    for enum in proto.enum_type:
        assert [(value.name, value.number) for value in enum.value] == expected[enum.name]


def test_asset_kind_reserves_the_metric_kind() -> None:
    proto = _file_proto("common.proto")
    (asset_kind,) = (enum for enum in proto.enum_type if enum.name == "AssetKind")
    assert [(item.start, item.end) for item in asset_kind.reserved_range] == [(2, 2)]
    assert list(asset_kind.reserved_name) == ["ASSET_METRIC"]


def _message_proto(message: str) -> descriptor_pb2.DescriptorProto:
    for name in MODULES:
        for candidate in _file_proto(name).message_type:
            if candidate.name == message:
                return candidate
    raise AssertionError(message)


@pytest.mark.parametrize("message", list(RESERVED))
def test_reserved_numbers_and_names(message: str) -> None:
    proto = _message_proto(message)
    numbers, names = RESERVED[message]
    assert [(item.start, item.end) for item in proto.reserved_range] == [(n, n + 1) for n in numbers]
    assert list(proto.reserved_name) == names


def test_only_listed_messages_reserve_anything() -> None:
    reserving = {
        message.name
        for name in MODULES
        for message in _file_proto(name).message_type
        if message.reserved_range or message.reserved_name
    }
    assert reserving == set(RESERVED)


@pytest.mark.parametrize("message", list(ONEOFS))
def test_oneofs(message: str) -> None:
    descriptor = _message_proto(message)
    oneofs = {
        oneof.name: [field.name for field in descriptor.field if field.HasField("oneof_index")
                     and field.oneof_index == index]
        for index, oneof in enumerate(descriptor.oneof_decl)
    }  # fmt: skip
    assert oneofs == ONEOFS[message]


def test_services_rpcs_and_types() -> None:
    found = {
        (name, service.name): service for name in MODULES for service in _file(name).services_by_name.values()
    }
    assert set(found) == set(SERVICES)
    total = 0
    for key, rpcs in SERVICES.items():
        service = found[key]
        assert service.full_name == f"orchestrator.{key[1]}"
        actual = []
        for method in service.methods:
            proto = descriptor_pb2.MethodDescriptorProto()
            method.CopyToProto(proto)
            response = method.output_type.full_name.removeprefix("orchestrator.")
            actual.append((method.name, method.input_type.name, response, proto.server_streaming))
            assert not proto.client_streaming
        assert actual == rpcs
        total += len(rpcs)
    assert total == 40


def test_register_model_is_deprecated_and_nothing_else() -> None:
    deprecated = {
        method.name
        for name in MODULES
        for service in _file(name).services_by_name.values()
        for method in service.methods
        if method.GetOptions().deprecated
    }
    assert deprecated == {"RegisterModel"}


def test_podium_extension_fields_are_numbered_from_1000() -> None:
    event = event_pb2.Event(position=7, hash="ab" * 32)
    decoded = event_pb2.Event.FromString(event.SerializeToString())
    assert (decoded.position, decoded.hash) == (7, "ab" * 32)
    extensions = {
        field.name: field.number
        for message in (m for name in MODULES for m in _file(name).message_types_by_name.values())
        for field in message.fields
        if field.number >= 1000
    }
    assert extensions == {"position": 1000, "hash": 1001}


def test_generated_code_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_protos.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
