"""Validation of commands (reference §14 and podium's explicit limits): each rule, its code and text."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from podium.domain import commands as c
from podium.domain.assets import Addressable, FunctionInput, FunctionOutput, NewPermissions, TaskInput
from podium.domain.errors import AlreadyExists, BadRequest, DomainError, InvalidAsset, Unimplemented
from podium.domain.kinds import (
    AssetKind,
    ErrorType,
    FailedAssetKind,
    FunctionAction,
    PlanAction,
    TaskAction,
)
from podium.domain.validation import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

from .builders import CHECKSUM, address, asset_input, key, new_output, new_permissions, new_task, parent_input

K = key(1)
A = address()

FUNCTION = c.NewFunction(
    key=K,
    name="train",
    description=A,
    archive=address("archive"),
    new_permissions=new_permissions(),
    metadata={"framework": "torch"},
    inputs={
        "opener": FunctionInput(AssetKind.DATA_MANAGER),
        "datasamples": FunctionInput(AssetKind.DATA_SAMPLE, multiple=True),
        "model": FunctionInput(AssetKind.MODEL, optional=True),
    },
    outputs={"model": FunctionOutput(AssetKind.MODEL), "perf": FunctionOutput(AssetKind.PERFORMANCE)},
)
DATA_MANAGER = c.NewDataManager(K, "dm", new_permissions(), A, address("opener"), new_permissions())
DATA_SAMPLE = c.NewDataSample(K, (key(2),), CHECKSUM)
PLAN = c.NewComputePlan(K, "plan", tag="t", metadata={})
TASK = new_task(1, worker="org", inputs=[asset_input("opener", 2), parent_input("model", 3)])
MODEL = c.NewModel(K, key(2), "model", A)
PERFORMANCE = c.NewPerformance(key(2), "perf", 0.5)
FAILURE = c.NewFailureReport(K, ErrorType.EXECUTION, A, FailedAssetKind.COMPUTE_TASK)
PROFILING = c.NewProfilingStep(K, "build_image", 12)

Build = Callable[[], Any]


def case(case_id: str, build: Build, error: type[DomainError], message: str) -> Any:
    return pytest.param(build, error, message, id=case_id)


def invalid(case_id: str, build: Build, message: str) -> Any:
    return pytest.param(build, InvalidAsset, message, id=case_id)


def fn(message: str) -> str:
    return f"function is not valid: {message}"


def task(message: str) -> str:
    return f"computetask is not valid: {message}"


LONG = "x" * 101
CASES = [
    # organizations
    invalid(
        "org-address",
        lambda: c.RegisterOrganization("not a url"),
        "organization is not valid: address: must be a valid URL.",
    ),
    invalid(
        "org-scheme",
        lambda: c.RegisterOrganization("ftp://host/x"),
        "organization is not valid: address: must be a URL with scheme http or https.",
    ),
    invalid(
        "org-long",
        lambda: c.RegisterOrganization("http://h/" + "a" * 200),
        "organization is not valid: address: the length must be no more than 200.",
    ),
    # shared rules through NewFunction
    invalid("uuid", lambda: replace(FUNCTION, key="nope"), fn("key: must be a valid UUID.")),
    invalid("uuid-blank", lambda: replace(FUNCTION, key=""), fn("key: cannot be blank.")),
    invalid(
        "uuid-braces",
        lambda: replace(FUNCTION, key="{" + K + "}"),
        fn("key: must be a valid UUID."),
    ),
    invalid(
        "uuid-hex",
        lambda: replace(FUNCTION, key=K.replace("-", "")),
        fn("key: must be a valid UUID."),
    ),
    invalid(
        "uuid-newline",
        lambda: replace(FUNCTION, key=K + "\n"),
        fn("key: must be a valid UUID."),
    ),
    invalid(
        "uuid-type",
        lambda: replace(FUNCTION, key=7),  # type: ignore[arg-type]
        fn("key: must be a string."),
    ),
    invalid("name-blank", lambda: replace(FUNCTION, name=""), fn("name: cannot be blank.")),
    invalid(
        "name-long",
        lambda: replace(FUNCTION, name=LONG),
        fn("name: the length must be between 1 and 100."),
    ),
    invalid(
        "name-nul",
        lambda: replace(FUNCTION, name="a\x00b"),
        fn("name: must not contain NUL characters."),
    ),
    invalid(
        "name-surrogate",
        lambda: replace(FUNCTION, name="\ud800"),
        fn("name: must be valid UTF-8."),
    ),
    invalid(
        "metadata-key",
        lambda: replace(FUNCTION, metadata={"k" * 101: "v"}),
        fn(f'metadata: metadata key "{"k" * 100}..." is too long.'),
    ),
    invalid(
        "metadata-value-bytes",
        lambda: replace(FUNCTION, metadata={"k": "é" * 51}),
        fn('metadata: metadata value for key "k" is too long.'),
    ),
    invalid(
        "metadata-type",
        lambda: replace(FUNCTION, metadata=[("k", "v")]),  # type: ignore[arg-type]
        fn("metadata: must be a map."),
    ),
    invalid(
        "addressable-missing",
        lambda: replace(FUNCTION, description=None),
        fn("description: cannot be blank."),
    ),
    invalid(
        "checksum-blank",
        lambda: replace(FUNCTION, archive=Addressable("", "http://s/a")),
        fn("archive.checksum: cannot be blank."),
    ),
    invalid(
        "checksum-hex",
        lambda: replace(FUNCTION, archive=Addressable("g" * 64, "http://s/a")),
        fn("archive.checksum: must be 64 hexadecimal characters."),
    ),
    invalid(
        "checksum-length",
        lambda: replace(FUNCTION, archive=Addressable("a" * 63, "http://s/a")),
        fn("archive.checksum: must be 64 hexadecimal characters."),
    ),
    invalid(
        "address-blank",
        lambda: replace(FUNCTION, archive=Addressable(CHECKSUM, "")),
        fn("archive.storage_address: cannot be blank."),
    ),
    invalid(
        "address-relative",
        lambda: replace(FUNCTION, archive=Addressable(CHECKSUM, "/relative")),
        fn("archive.storage_address: must be a valid URL."),
    ),
    invalid(
        "address-bad-ipv6",
        lambda: replace(FUNCTION, archive=Addressable(CHECKSUM, "http://[::1/x")),
        fn("archive.storage_address: must be a valid URL."),
    ),
    invalid(
        "address-bad-port",
        lambda: replace(FUNCTION, archive=Addressable(CHECKSUM, "http://h:99999/x")),
        fn("archive.storage_address: must be a valid URL."),
    ),
    invalid(
        "address-long",
        lambda: replace(FUNCTION, archive=Addressable(CHECKSUM, "http://h/" + "a" * 200)),
        fn("archive.storage_address: the length must be no more than 200."),
    ),
    invalid(
        "permissions-missing",
        lambda: replace(FUNCTION, new_permissions=None),
        fn("new_permissions: cannot be blank."),
    ),
    invalid(
        "permissions-long-id",
        lambda: replace(FUNCTION, new_permissions=NewPermissions(False, (LONG,))),
        fn("new_permissions.authorized_ids[0]: the length must be between 1 and 100."),
    ),
    # function inputs and outputs
    invalid(
        "input-blank",
        lambda: replace(FUNCTION, inputs={"": FunctionInput(AssetKind.MODEL)}),
        fn("inputs.identifier: cannot be blank."),
    ),
    invalid(
        "input-kind",
        lambda: replace(FUNCTION, inputs={"x": FunctionInput(AssetKind.PERFORMANCE)}),
        fn('inputs["x"].kind: must be one of ASSET_MODEL, ASSET_DATA_SAMPLE, ASSET_DATA_MANAGER.'),
    ),
    case(
        "input-dm-optional",
        lambda: replace(
            FUNCTION,
            inputs={
                "o": FunctionInput(AssetKind.DATA_MANAGER, optional=True),
                "d": FunctionInput(AssetKind.DATA_SAMPLE),
            },
        ),
        InvalidAsset,
        fn('inputs["o"]: a data manager input cannot be multiple or optional.'),
    ),
    case(
        "input-two-dm",
        lambda: replace(
            FUNCTION,
            inputs={
                "o": FunctionInput(AssetKind.DATA_MANAGER),
                "p": FunctionInput(AssetKind.DATA_MANAGER),
                "d": FunctionInput(AssetKind.DATA_SAMPLE),
            },
        ),
        InvalidAsset,
        fn("inputs: at most one input can be a data manager."),
    ),
    invalid(
        "input-dm-without-ds",
        lambda: replace(FUNCTION, inputs={"o": FunctionInput(AssetKind.DATA_MANAGER)}),
        fn("inputs: a data manager input is required if and only if a data sample input exists."),
    ),
    invalid(
        "input-ds-without-dm",
        lambda: replace(FUNCTION, inputs={"d": FunctionInput(AssetKind.DATA_SAMPLE)}),
        fn("inputs: a data manager input is required if and only if a data sample input exists."),
    ),
    invalid(
        "output-kind",
        lambda: replace(FUNCTION, outputs={"m": FunctionOutput(AssetKind.DATA_SAMPLE)}),
        fn('outputs["m"].kind: must be one of ASSET_MODEL, ASSET_PERFORMANCE.'),
    ),
    invalid(
        "output-perf-multiple",
        lambda: replace(FUNCTION, outputs={"p": FunctionOutput(AssetKind.PERFORMANCE, multiple=True)}),
        fn('outputs["p"]: a performance output cannot be multiple.'),
    ),
    invalid(
        "output-long",
        lambda: replace(FUNCTION, outputs={LONG: FunctionOutput(AssetKind.MODEL)}),
        fn("outputs.identifier: the length must be between 1 and 100."),
    ),
    # other registrations
    invalid(
        "update-function-image",
        lambda: c.UpdateFunction(K, "n", Addressable(CHECKSUM, "nope")),
        fn("image.storage_address: must be a valid URL."),
    ),
    invalid(
        "function-action-key",
        lambda: c.ApplyFunctionAction("x", FunctionAction.READY),
        fn("function_key: must be a valid UUID."),
    ),
    case(
        "function-action-unknown",
        lambda: c.ApplyFunctionAction(K, FunctionAction.UNKNOWN),
        BadRequest,
        "unsupported action",
    ),
    invalid(
        "dm-logs",
        lambda: replace(DATA_MANAGER, logs_permission=None),
        "datamanager is not valid: logs_permission: cannot be blank.",
    ),
    invalid(
        "dm-opener",
        lambda: replace(DATA_MANAGER, opener=None),
        "datamanager is not valid: opener: cannot be blank.",
    ),
    invalid(
        "dm-update-name",
        lambda: c.UpdateDataManager(K, ""),
        "datamanager is not valid: name: cannot be blank.",
    ),
    invalid(
        "ds-dm-key",
        lambda: replace(DATA_SAMPLE, data_manager_keys=("x",)),
        "datasample is not valid: data_manager_keys[0]: must be a valid UUID.",
    ),
    invalid(
        "ds-dm-duplicate",
        lambda: replace(DATA_SAMPLE, data_manager_keys=(K, K)),
        "datasample is not valid: data_manager_keys: must not contain duplicates.",
    ),
    invalid(
        "ds-checksum",
        lambda: replace(DATA_SAMPLE, checksum=""),
        "datasample is not valid: checksum: cannot be blank.",
    ),
    invalid(
        "ds-update-keys",
        lambda: c.UpdateDataSamples((), (K,)),
        "datasample is not valid: keys: cannot be blank.",
    ),
    invalid(
        "plan-tag",
        lambda: replace(PLAN, tag=LONG),
        "computeplan is not valid: tag: the length must be no more than 100.",
    ),
    invalid(
        "plan-update-key",
        lambda: c.UpdateComputePlan("x", "n"),
        "computeplan is not valid: key: must be a valid UUID.",
    ),
    case(
        "plan-action-unknown",
        lambda: c.ApplyPlanAction(K, PlanAction.UNKNOWN),
        Unimplemented,
        "plan action unimplemented",
    ),
    invalid(
        "plan-action-key",
        lambda: c.ApplyPlanAction("x", PlanAction.CANCELED),
        "computeplan is not valid: key: must be a valid UUID.",
    ),
    # compute tasks
    invalid(
        "task-plan-key",
        lambda: replace(TASK, compute_plan_key="x"),
        task("compute_plan_key: must be a valid UUID."),
    ),
    invalid(
        "task-worker-long",
        lambda: replace(TASK, worker=LONG),
        task("worker: the length must be no more than 100."),
    ),
    invalid(
        "task-input-identifier",
        lambda: replace(TASK, inputs=(TaskInput(""),)),
        task("inputs[0].identifier: cannot be blank."),
    ),
    invalid(
        "task-input-no-ref",
        lambda: replace(TASK, inputs=(TaskInput("x"),)),
        task("inputs[0]: exactly one of asset_key and parent_task_output must be set."),
    ),
    invalid(
        "task-input-two-refs",
        lambda: replace(TASK, inputs=(replace(parent_input("m", 3), asset_key=K),)),
        task("inputs[0]: exactly one of asset_key and parent_task_output must be set."),
    ),
    invalid(
        "task-input-asset-key",
        lambda: replace(TASK, inputs=(TaskInput("x", asset_key="k"),)),
        task("inputs[0].asset_key: must be a valid UUID."),
    ),
    invalid(
        "task-input-output-id",
        lambda: replace(TASK, inputs=(parent_input("m", 3, output=""),)),
        task("inputs[0].parent_task_output.output_identifier: cannot be blank."),
    ),
    invalid(
        "task-output-permissions",
        lambda: replace(TASK, outputs={"m": None}),
        task('outputs["m"].permissions: cannot be blank.'),
    ),
    invalid(
        "task-output-identifier",
        lambda: replace(TASK, outputs={"": new_output()}),
        task("outputs.identifier: cannot be blank."),
    ),
    case("tasks-empty", lambda: c.RegisterTasks(()), BadRequest, "no task to register"),
    case(
        "tasks-duplicate",
        lambda: c.RegisterTasks((TASK, new_task(2, worker="o"), TASK)),
        AlreadyExists,
        f'computetask with key "{TASK.key}" already exists',
    ),
    invalid(
        "task-action-key",
        lambda: c.ApplyTaskAction("x", TaskAction.DONE),
        task("compute_task_key: must be a valid UUID."),
    ),
    case(
        "task-action-unknown",
        lambda: c.ApplyTaskAction(K, TaskAction.UNKNOWN),
        BadRequest,
        "unsupported action",
    ),
    invalid(
        "task-action-log",
        lambda: c.ApplyTaskAction(K, TaskAction.DONE, "a\x00"),
        task("log: must not contain NUL characters."),
    ),
    invalid(
        "disable-identifier",
        lambda: c.DisableOutput(K, ""),
        task("identifier: cannot be blank."),
    ),
    invalid(
        "disable-key",
        lambda: c.DisableOutput("x", "m"),
        task("compute_task_key: must be a valid UUID."),
    ),
    # models, performances, failure reports, profiling
    invalid(
        "model-address",
        lambda: replace(MODEL, address=None),
        "model is not valid: address: cannot be blank.",
    ),
    invalid(
        "model-identifier",
        lambda: replace(MODEL, compute_task_output_identifier=""),
        "model is not valid: compute_task_output_identifier: cannot be blank.",
    ),
    case("models-empty", lambda: c.RegisterModels(()), BadRequest, "no model to register"),
    case(
        "models-two-tasks",
        lambda: c.RegisterModels((MODEL, replace(MODEL, key=key(9), compute_task_key=key(8)))),
        BadRequest,
        "All models should be part of the same task",
    ),
    case(
        "models-duplicate",
        lambda: c.RegisterModels((MODEL, MODEL)),
        AlreadyExists,
        f'model with key "{K}" already exists',
    ),
    invalid(
        "perf-nan",
        lambda: replace(PERFORMANCE, performance_value=float("nan")),
        "performance is not valid: performance_value: must be a finite 32-bit float.",
    ),
    invalid(
        "perf-inf",
        lambda: replace(PERFORMANCE, performance_value=float("-inf")),
        "performance is not valid: performance_value: must be a finite 32-bit float.",
    ),
    invalid(
        "perf-float32",
        lambda: replace(PERFORMANCE, performance_value=1e39),
        "performance is not valid: performance_value: must be a finite 32-bit float.",
    ),
    invalid(
        "perf-key",
        lambda: replace(PERFORMANCE, compute_task_key=""),
        "performance is not valid: compute_task_key: cannot be blank.",
    ),
    invalid(
        "failure-unspecified",
        lambda: replace(FAILURE, error_type=ErrorType.UNSPECIFIED),
        "failurereport is not valid: error_type: must be one of "
        "ERROR_TYPE_BUILD, ERROR_TYPE_EXECUTION, ERROR_TYPE_INTERNAL.",
    ),
    invalid(
        "failure-logs-required",
        lambda: replace(FAILURE, logs_address=None),
        "failurereport is not valid: logs_address: cannot be blank.",
    ),
    invalid(
        "failure-logs-forbidden",
        lambda: replace(FAILURE, error_type=ErrorType.INTERNAL),
        "failurereport is not valid: logs_address: must be blank.",
    ),
    case(
        "failure-asset-unknown",
        lambda: replace(FAILURE, asset_type=FailedAssetKind.UNKNOWN),
        BadRequest,
        "can only register failure for asset_kind values function and compute task",
    ),
    invalid(
        "failure-validated-first",
        lambda: replace(FAILURE, asset_key="x", asset_type=FailedAssetKind.UNKNOWN),
        "failurereport is not valid: asset_key: must be a valid UUID.",
    ),
    invalid(
        "profiling-zero",
        lambda: replace(PROFILING, duration=0),
        "profiling_step is not valid: duration: must be between 1 and 4294967295.",
    ),
    invalid(
        "profiling-uint32",
        lambda: replace(PROFILING, duration=2**32),
        "profiling_step is not valid: duration: must be between 1 and 4294967295.",
    ),
    invalid(
        "profiling-step",
        lambda: replace(PROFILING, step=""),
        "profiling_step is not valid: step: cannot be blank.",
    ),
    # pages
    case("page-token", lambda: c.PageRequest("abc"), BadRequest, "page_token must be a decimal offset"),
    case(
        "page-token-negative", lambda: c.PageRequest("-1"), BadRequest, "page_token must be a decimal offset"
    ),
    case(
        "page-token-unicode-digit",
        lambda: c.PageRequest("²"),
        BadRequest,
        "page_token must be a decimal offset",
    ),
    case(
        "page-token-huge",
        lambda: c.PageRequest("9" * 5000),
        BadRequest,
        "page_token must be a decimal offset",
    ),
    case(
        "page-size",
        lambda: c.PageRequest("", MAX_PAGE_SIZE + 1),
        BadRequest,
        "page_size must be between 0 and 10000",
    ),
    case(
        "page-size-negative",
        lambda: c.PageRequest("", -1),
        BadRequest,
        "page_size must be between 0 and 10000",
    ),
]


@pytest.mark.parametrize(("build", "error", "message"), CASES)
def test_rule(build: Build, error: type[DomainError], message: str) -> None:
    with pytest.raises(DomainError) as refused:
        build()
    assert type(refused.value) is error
    assert str(refused.value) == f"{error.code}: {message}"


VALID = [
    pytest.param(lambda: FUNCTION, id="function"),
    pytest.param(lambda: c.RegisterOrganization(""), id="organization-no-address"),
    pytest.param(lambda: c.RegisterOrganization("https://Org.test:8443/api"), id="organization"),
    pytest.param(lambda: replace(FUNCTION, key=K.upper(), inputs={}, outputs={}), id="function-upper-uuid"),
    pytest.param(lambda: replace(FUNCTION, metadata={"k": "é" * 50}), id="metadata-100-bytes"),
    pytest.param(lambda: c.UpdateFunction(K, "n", Addressable("", "")), id="update-function-no-image"),
    pytest.param(lambda: c.UpdateFunction(K, "n", A), id="update-function-image"),
    pytest.param(lambda: DATA_MANAGER, id="data-manager"),
    pytest.param(lambda: DATA_SAMPLE, id="data-sample"),
    pytest.param(lambda: c.UpdateDataSamples((K,), ()), id="update-data-samples"),
    pytest.param(lambda: PLAN, id="plan"),
    pytest.param(lambda: c.ApplyPlanAction(K, PlanAction.CANCELED), id="cancel-plan"),
    pytest.param(lambda: c.RegisterTasks((TASK, new_task(2, worker="o"))), id="tasks"),
    pytest.param(
        lambda: c.ApplyTaskAction(K, TaskAction.BUILD_STARTED), id="build-action-left-to-permissions"
    ),
    pytest.param(lambda: c.RegisterModels((MODEL, replace(MODEL, key=key(9)))), id="models"),
    pytest.param(lambda: replace(PERFORMANCE, performance_value=-3.4e38), id="performance"),
    pytest.param(
        lambda: replace(FAILURE, error_type=ErrorType.INTERNAL, logs_address=None), id="failure-internal"
    ),
    pytest.param(lambda: PROFILING, id="profiling"),
    pytest.param(lambda: c.PageRequest("9223372036854775807", MAX_PAGE_SIZE), id="page-limits"),
]


@pytest.mark.parametrize("build", VALID)
def test_valid_command_is_accepted(build: Build) -> None:
    assert build() is not None


def test_page_defaults() -> None:
    page = c.PageRequest()
    assert (page.offset, page.limit) == (0, DEFAULT_PAGE_SIZE)
    assert (c.PageRequest("20", 5).offset, c.PageRequest("20", 5).limit) == (20, 5)
