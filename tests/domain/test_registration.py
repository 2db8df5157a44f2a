"""Creation of one task at registration (reference §13.2, §13.3, §14.3, §12.1)."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from podium.domain.assets import ComputeTask, FunctionInput, FunctionOutput, Permission, TaskOutput
from podium.domain.commands import NewComputeTask
from podium.domain.errors import (
    BadRequest,
    DomainError,
    InvalidAsset,
    NotFound,
    PermissionDenied,
    Unimplemented,
)
from podium.domain.kinds import AssetKind, FunctionStatus, TaskStatus
from podium.domain.registration import RegistrationContext, build_task, required_asset_keys

from .builders import (
    AGGREGATE_INPUTS,
    NOW,
    ORG_A,
    ORG_B,
    ORG_C,
    TEST_INPUTS,
    TEST_OUTPUTS,
    TRAIN_INPUTS,
    TRAIN_OUTPUTS,
    asset_input,
    context,
    data_manager,
    data_sample,
    function,
    key,
    model,
    new_output,
    new_task,
    parent_input,
    permission,
    permissions,
    task,
)

TRAIN = function(1)
AGGREGATE = function(2, inputs=AGGREGATE_INPUTS, outputs=TRAIN_OUTPUTS)
TEST = function(3, inputs=TEST_INPUTS, outputs=TEST_OUTPUTS)
DM = data_manager(100, owner=ORG_B)
SAMPLE = data_sample(200)
OTHER_SAMPLE = data_sample(201, data_manager_numbers=(101,))


def train_case() -> tuple[NewComputeTask, RegistrationContext]:
    """A task training on ORG_B's data with a model from a stored DONE parent."""
    parent = task(11, rank=3)
    new = new_task(
        1000,
        inputs=[asset_input("opener", 100), asset_input("datasamples", 200), parent_input("model", 11)],
        outputs={"model": new_output(ORG_C)},
    )
    ctx = context(
        function_=TRAIN,
        data_managers=[DM],
        data_samples=[SAMPLE, OTHER_SAMPLE],
        parents=[parent],
        parent_functions=[TRAIN],
        parent_models={parent.key: [model(300, task_number=11)]},
    )
    return new, ctx


def aggregate_case(*parents: ComputeTask) -> tuple[NewComputeTask, RegistrationContext]:
    new = new_task(
        1001,
        function_number=2,
        worker=ORG_A,
        inputs=[parent_input("models", int(parent.key[-4:], 16)) for parent in parents],
    )
    return new, context(function_=AGGREGATE, parents=parents, parent_functions=[TRAIN])


def test_train_task_is_built_with_the_inferred_worker() -> None:
    new, ctx = train_case()
    built = build_task(new, ctx)
    assert built == ComputeTask(
        key=new.key,
        owner=ORG_A,
        compute_plan_key=key(500),
        function_key=key(1),
        rank=4,
        status=TaskStatus.WAITING_FOR_EXECUTOR_SLOT,
        worker=ORG_B,
        creation_date=NOW,
        logs_permission=DM.logs_permission,
        metadata={},
        inputs=new.inputs,
        outputs={"model": TaskOutput(permissions(ORG_C, ORG_A))},
    )


def test_aggregate_task_unites_its_parents_logs_permissions_and_ranks_after_them() -> None:
    first = task(11, rank=0, logs=permission(ORG_C, ORG_A))
    second = task(12, rank=2, logs=permission(ORG_B))
    built = build_task(*aggregate_case(first, second))
    assert built.rank == 3
    assert built.worker == ORG_A
    assert built.logs_permission == Permission(False, (ORG_A, ORG_B, ORG_C))


@pytest.mark.parametrize(
    ("parent_statuses", "function_status", "expected"),
    [
        ((TaskStatus.DONE, TaskStatus.DONE), FunctionStatus.READY, TaskStatus.WAITING_FOR_EXECUTOR_SLOT),
        ((TaskStatus.DONE, TaskStatus.EXECUTING), FunctionStatus.READY, TaskStatus.WAITING_FOR_PARENT_TASKS),
        ((TaskStatus.DONE, TaskStatus.FAILED), FunctionStatus.READY, TaskStatus.CANCELED),
        ((TaskStatus.DONE, TaskStatus.DONE), FunctionStatus.WAITING, TaskStatus.WAITING_FOR_BUILDER_SLOT),
    ],
)
def test_initial_status_follows_parents_and_function(
    parent_statuses: tuple[TaskStatus, TaskStatus], function_status: FunctionStatus, expected: TaskStatus
) -> None:
    new, ctx = aggregate_case(task(11, status=parent_statuses[0]), task(12, status=parent_statuses[1]))
    ctx = replace(ctx, function=replace(AGGREGATE, status=function_status))
    assert build_task(new, ctx).status is expected


def test_test_task_with_a_public_performance_output() -> None:
    parent = task(11)
    new = new_task(
        1002,
        function_number=3,
        inputs=[asset_input("opener", 100), asset_input("datasamples", 200), parent_input("predictions", 11)],
        outputs={"performance": new_output(public=True)},
    )
    ctx = context(
        function_=TEST, data_managers=[DM], data_samples=[SAMPLE], parents=[parent], parent_functions=[TRAIN]
    )
    built = build_task(new, ctx)
    assert built.outputs == {"performance": TaskOutput(permissions(ORG_A, public=True))}


def test_required_asset_keys_groups_inputs_by_declared_kind() -> None:
    new = new_task(
        inputs=[
            asset_input("opener", 100),
            asset_input("datasamples", 201),
            asset_input("datasamples", 200),
            asset_input("datasamples", 201),
            asset_input("model", 300),
            asset_input("undeclared", 400),
            parent_input("model", 11),
        ]
    )
    assert required_asset_keys(new, TRAIN) == {
        AssetKind.DATA_MANAGER: [key(100)],
        AssetKind.DATA_SAMPLE: [key(201), key(200)],
        AssetKind.MODEL: [key(300)],
    }


Change = Callable[[NewComputeTask, RegistrationContext], tuple[NewComputeTask, RegistrationContext]]


def inputs(*items: Any) -> Change:
    return lambda new, ctx: (replace(new, inputs=tuple(items)), ctx)


def outputs(**items: Any) -> Change:
    return lambda new, ctx: (replace(new, outputs=items), ctx)


def ctx_with(**fields: Any) -> Change:
    return lambda new, ctx: (new, replace(ctx, **fields))


OPENER, SAMPLES, PARENT_MODEL = (
    asset_input("opener", 100),
    asset_input("datasamples", 200),
    parent_input("model", 11),
)
PARENT = task(11, rank=3)
NO_PROCESS = permissions(ORG_B)
PERF_FUNCTION = function(1, outputs={"model": FunctionOutput(AssetKind.PERFORMANCE)})
MULTI_FUNCTION = function(1, outputs={"model": FunctionOutput(AssetKind.MODEL, multiple=True)})
TASK_ID = key(1000)

FAILURES = [
    (
        "plan-not-owned",
        ctx_with(requester=ORG_C),
        PermissionDenied,
        "Cannot register tasks to a compute plan you don't own",
    ),
    ("function-missing", ctx_with(function=None), NotFound, f'function with key "{key(1)}" not found'),
    (
        "function-not-processable",
        ctx_with(function=function(1, owner=ORG_B, public=False)),
        PermissionDenied,
        f'not authorized to process function "{key(1)}"',
    ),
    (
        "parent-model-disabled",
        ctx_with(
            parent_models={
                PARENT.key: [model(300, task_number=11), model(301, task_number=11, disabled=True)]
            }
        ),
        InvalidAsset,
        f'Model "{key(301)}" has been disabled',
    ),
    (
        "output-permission",
        outputs(model=new_output("unregistered")),
        BadRequest,
        "invalid permission input values",
    ),
    (
        "worker-mismatch",
        lambda new, ctx: (replace(new, worker=ORG_C), ctx),
        BadRequest,
        f'Specified worker "{ORG_C}" does not match data manager owner: "{ORG_B}"',
    ),
    (
        "worker-unregistered",
        ctx_with(organizations=(ORG_A, ORG_C)),
        NotFound,
        f'organization with key "{ORG_B}" not found',
    ),
    (
        "unknown-input",
        inputs(OPENER, SAMPLES, asset_input("nope", 1)),
        InvalidAsset,
        'unknown task input: this identifier was not declared in the Function: "nope"',
    ),
    (
        "data-manager-missing",
        ctx_with(data_managers={}),
        NotFound,
        f'datamanager with key "{key(100)}" not found',
    ),
    (
        "data-manager-not-processable",
        ctx_with(data_managers={DM.key: data_manager(100, public=False)}),
        PermissionDenied,
        f'not authorized to process datamanager "{key(100)}"',
    ),
    (
        "opener-by-parent",
        inputs(parent_input("opener", 11), SAMPLES),
        InvalidAsset,
        'invalid task input "opener": openers must be referenced using an asset key',
    ),
    (
        "samples-by-parent",
        inputs(OPENER, parent_input("datasamples", 11)),
        InvalidAsset,
        ('invalid task input "datasamples": data samples must be referenced using an asset key'),
    ),
    (
        "sample-missing",
        inputs(OPENER, asset_input("datasamples", 299)),
        NotFound,
        f'datasample with key "{key(299)}" not found',
    ),
    (
        "sample-of-another-manager",
        inputs(OPENER, SAMPLES, asset_input("datasamples", 201)),
        InvalidAsset,
        "datasamples do not share a common manager",
    ),
    (
        "duplicate-single-input",
        inputs(OPENER, SAMPLES, PARENT_MODEL, PARENT_MODEL),
        InvalidAsset,
        (
            "duplicate task input: this identifier is present multiple times in the task inputs, "
            'but it was not declared as "Multiple" in the Function: "model"'
        ),
    ),
    (
        "model-missing",
        inputs(OPENER, SAMPLES, asset_input("model", 399)),
        NotFound,
        f'model with key "{key(399)}" not found',
    ),
    (
        "model-not-processable",
        lambda new, ctx: (
            replace(new, inputs=(OPENER, SAMPLES, asset_input("model", 300))),
            replace(ctx, models={key(300): model(300, task_number=9, processors=(ORG_A,))}),
        ),
        PermissionDenied,
        f'not authorized to process model "{key(300)}"',
    ),
    (
        "model-disabled",
        lambda new, ctx: (
            replace(new, inputs=(OPENER, SAMPLES, asset_input("model", 300))),
            replace(ctx, models={key(300): model(300, task_number=9, disabled=True)}),
        ),
        InvalidAsset,
        f'Model "{key(300)}" has been disabled',
    ),
    (
        "input-kind-differs-from-parent-output",
        ctx_with(
            function=function(1, inputs={**TRAIN_INPUTS, "model": FunctionInput(AssetKind.PERFORMANCE)})
        ),
        InvalidAsset,
        (
            'invalid task input "model": mismatching task input asset kinds: '
            "expecting ASSET_PERFORMANCE but parent task output has kind ASSET_MODEL"
        ),
    ),
    (
        "asset-key-of-unsupported-kind",
        lambda new, ctx: (
            replace(new, inputs=(OPENER, SAMPLES, asset_input("model", 300))),
            replace(
                ctx,
                function=function(1, inputs={**TRAIN_INPUTS, "model": FunctionInput(AssetKind.PERFORMANCE)}),
            ),
        ),
        Unimplemented,
        'invalid task input "model": invalid asset kind',
    ),
    (
        "parent-missing",
        ctx_with(parents={}),
        InvalidAsset,
        (
            f'invalid task input "model": parent task key {key(11)} not found: '
            f'computetask with key "{key(11)}" not found'
        ),
    ),
    (
        "parent-function-output-missing",
        inputs(OPENER, SAMPLES, parent_input("model", 11, output="other")),
        InvalidAsset,
        (f'invalid task input "model": parent task {key(11)}: function output not found: "other"'),
    ),
    (
        "kind-mismatch",
        ctx_with(parent_functions={key(1): PERF_FUNCTION}),
        InvalidAsset,
        (
            'invalid task input "model": mismatching task input asset kinds: '
            "expecting ASSET_MODEL but parent task output has kind ASSET_PERFORMANCE"
        ),
    ),
    (
        "multiple-output-to-single-input",
        ctx_with(parent_functions={key(1): MULTI_FUNCTION}),
        InvalidAsset,
        'invalid task input "model": multiple task output used as single task input',
    ),
    (
        "parent-lacks-output",
        ctx_with(parents={PARENT.key: task(11, outputs={})}),
        InvalidAsset,
        f'invalid task input "model": parent task {key(11)}: output not found: "model"',
    ),
    (
        "parent-output-not-processable",
        ctx_with(parents={PARENT.key: task(11, outputs={"model": TaskOutput(permissions(ORG_A))})}),
        PermissionDenied,
        (
            f'invalid task input "model": worker "{ORG_B}" doesn\'t have permission '
            f'to process output "{key(11)}" of task model'
        ),
    ),
    (
        "missing-input",
        inputs(OPENER),
        InvalidAsset,
        'missing task input: this identifier is required by the Function: "datasamples"',
    ),
    (
        "unknown-output",
        outputs(model=new_output(), other=new_output()),
        InvalidAsset,
        (
            f"invalid task {TASK_ID}, unknown task output: "
            'this identifier was not declared in the Function: "other"'
        ),
    ),
    (
        "missing-output",
        outputs(),
        InvalidAsset,
        (
            f"invalid task {TASK_ID}, missing task output: "
            'this identifier is required by the Function: "model"'
        ),
    ),
    (
        "performance-not-public",
        lambda new, ctx: (
            replace(new, outputs={"model": new_output()}),
            replace(ctx, function=PERF_FUNCTION),
        ),
        InvalidAsset,
        (f'invalid task {TASK_ID}, invalid task output "model": a PERFORMANCE output should be public'),
    ),
    (
        "performance-transient",
        lambda new, ctx: (
            replace(new, outputs={"model": new_output(public=True, transient=True)}),
            replace(ctx, function=PERF_FUNCTION),
        ),
        InvalidAsset,
        (f'invalid task {TASK_ID}, invalid task output "model": a PERFORMANCE output cannot be transient'),
    ),
]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [pytest.param(change, error, message, id=case_id) for case_id, change, error, message in FAILURES],
)
def test_refusal(change: Change, error: type[DomainError], message: str) -> None:
    new, ctx = change(*train_case())
    with pytest.raises(DomainError) as refused:
        build_task(new, ctx)
    assert type(refused.value) is error
    assert str(refused.value) == f"{error.code}: {message}"


def test_worker_is_required_without_a_data_manager() -> None:
    new, ctx = aggregate_case(task(11))
    with pytest.raises(BadRequest, match=r"^OE0003: Worker cannot be inferred and must be explicitly set$"):
        build_task(replace(new, worker=""), ctx)


def test_checks_run_in_the_contract_order() -> None:
    # Both the plan ownership (#2) and the function (#4) are wrong: #2 is reported.
    new, ctx = train_case()
    with pytest.raises(PermissionDenied):
        build_task(new, replace(ctx, requester=ORG_C, function=None))
