"""A full two-organization FedAvg round (two trains, an aggregate, two predicts, two metrics),
driven through the generated stubs the way Substra's backend drives it, with the events each step
emits, in order."""

from collections import Counter

import grpc
import pytest

from podium.api.generated import (
    computeplan_pb2,
    computetask_pb2,
    datamanager_pb2,
    datasample_pb2,
    failure_report_pb2,
    function_pb2,
    model_pb2,
    organization_pb2,
    performance_pb2,
    profiling_pb2,
)
from tests.api.scenarios.harness import ORG_A, ORG_B, Backend, address, key

SHARED = {"public": False, "authorized_ids": [ORG_A, ORG_B]}


def register_organizations(*backends: Backend) -> None:
    for backend in backends:
        backend.call(
            backend.organizations.RegisterOrganization,
            organization_pb2.RegisterOrganizationParam(address=f"http://{backend.mspid.lower()}.example"),
        )


def register_function(
    backend: Backend, name: str, inputs: dict[str, dict[str, object]], outputs: dict[str, dict[str, object]]
) -> str:
    function_key = key()
    backend.call(
        backend.functions.RegisterFunction,
        function_pb2.NewFunction(
            key=function_key,
            name=name,
            description=address(f"function/{function_key}/description"),
            archive=address(f"function/{function_key}/file"),
            new_permissions=SHARED,
            inputs=inputs,
            outputs=outputs,
        ),
    )
    return function_key


def build(backend: Backend, function_key: str) -> None:
    """The Substra backend's build sequence (reference §11 of the backend document)."""
    backend.call(
        backend.functions.ApplyFunctionAction,
        function_pb2.ApplyFunctionActionParam(function_key=function_key, action="FUNCTION_ACTION_BUILDING"),
    )
    backend.call(
        backend.profiling.RegisterProfilingStep,
        profiling_pb2.ProfilingStep(asset_key=function_key, step="build_image", duration=1200),
    )
    backend.call(
        backend.functions.UpdateFunction,
        function_pb2.UpdateFunctionParam(
            key=function_key, name="built", image=address(f"function/{function_key}/image")
        ),
    )
    backend.call(
        backend.functions.ApplyFunctionAction,
        function_pb2.ApplyFunctionActionParam(function_key=function_key, action="FUNCTION_ACTION_READY"),
    )


def dataset(backend: Backend, authorized: list[str]) -> tuple[str, str]:
    manager, sample = key(), key()
    backend.call(
        backend.data_managers.RegisterDataManager,
        datamanager_pb2.NewDataManager(
            key=manager,
            name=f"data of {backend.mspid}",
            opener=address(f"data_manager/{manager}/opener"),
            description=address(f"data_manager/{manager}/description"),
            new_permissions={"public": False, "authorized_ids": authorized},
            logs_permission={"public": False, "authorized_ids": authorized},
        ),
    )
    backend.call(
        backend.data_samples.RegisterDataSamples,
        datasample_pb2.RegisterDataSamplesParam(
            samples=[{"key": sample, "data_manager_keys": [manager], "checksum": "c" * 64}]
        ),
    )
    return manager, sample


def data_inputs(manager: str, sample: str) -> list[dict[str, object]]:
    return [
        {"identifier": "opener", "asset_key": manager},
        {"identifier": "datasamples", "asset_key": sample},
    ]


def parent(task_key: str, output: str, identifier: str) -> dict[str, object]:
    return {
        "identifier": identifier,
        "parent_task_output": {"parent_task_key": task_key, "output_identifier": output},
    }


def task_status(backend: Backend, task_key: str) -> str:
    task = backend.call(backend.tasks.GetTask, computetask_pb2.GetTaskParam(key=task_key))
    return computetask_pb2.ComputeTaskStatus.Name(task.status)


def run(backend: Backend, task_key: str, output: str, kind: str) -> None:
    """What a worker does: EXECUTING, input assets, outputs, DONE."""
    backend.call(
        backend.tasks.ApplyTaskAction,
        computetask_pb2.ApplyTaskActionParam(compute_task_key=task_key, action="TASK_ACTION_EXECUTING"),
    )
    backend.call(
        backend.tasks.GetTaskInputAssets, computetask_pb2.GetTaskInputAssetsParam(compute_task_key=task_key)
    )
    if kind == "model":
        backend.call(
            backend.models.RegisterModels,
            model_pb2.RegisterModelsParam(
                models=[
                    {
                        "key": key(),
                        "compute_task_key": task_key,
                        "compute_task_output_identifier": output,
                        "address": address(f"model/{task_key}"),
                    }
                ]
            ),
        )
    else:
        backend.call(
            backend.performances.RegisterPerformance,
            performance_pb2.NewPerformance(
                compute_task_key=task_key, compute_task_output_identifier=output, performance_value=0.87
            ),
        )
    backend.call(
        backend.tasks.ApplyTaskAction,
        computetask_pb2.ApplyTaskActionParam(
            compute_task_key=task_key, action="TASK_ACTION_DONE", log="task completed"
        ),
    )


class Round:
    """The seven tasks of one round, registered by A in one batch."""

    def __init__(self, org_a: Backend, org_b: Backend) -> None:
        register_organizations(org_a, org_b)
        self.dm_a, self.sample_a = dataset(org_a, [ORG_A])
        self.dm_b, self.sample_b = dataset(org_b, [ORG_A, ORG_B])
        model = {"kind": "ASSET_MODEL"}
        data = {
            "opener": {"kind": "ASSET_DATA_MANAGER"},
            "datasamples": {"kind": "ASSET_DATA_SAMPLE", "multiple": True},
        }
        self.train = register_function(
            org_a, "train", {**data, "shared": {**model, "optional": True}}, {"shared": model}
        )
        self.aggregate = register_function(
            org_a, "aggregate", {"shared": {**model, "multiple": True}}, {"shared": model}
        )
        self.predict = register_function(org_a, "predict", {**data, "shared": model}, {"predictions": model})
        self.metric = register_function(
            org_a, "metric", {**data, "predictions": model}, {"accuracy": {"kind": "ASSET_PERFORMANCE"}}
        )
        self.plan = key()
        org_a.call(
            org_a.plans.RegisterPlan, computeplan_pb2.NewComputePlan(key=self.plan, name="fedavg", tag="")
        )
        self.t = {
            name: key()
            for name in ("train_a", "train_b", "aggregate", "predict_a", "predict_b", "metric_a", "metric_b")
        }

    def tasks(self) -> list[dict[str, object]]:
        t = self.t
        shared_output = {"shared": {"permissions": SHARED, "transient": True}}
        predictions = {"predictions": {"permissions": SHARED, "transient": True}}
        accuracy = {"accuracy": {"permissions": {"public": True, "authorized_ids": []}}}
        common = {"compute_plan_key": self.plan, "metadata": {"round_idx": "1", "__tag__": ""}}
        # Deliberately not in topological order: the orchestrator sorts the batch.
        return [
            {
                **common,
                "key": t["metric_b"],
                "function_key": self.metric,
                "inputs": [
                    *data_inputs(self.dm_b, self.sample_b),
                    parent(t["predict_b"], "predictions", "predictions"),
                ],
                "outputs": accuracy,
            },
            {
                **common,
                "key": t["metric_a"],
                "function_key": self.metric,
                "inputs": [
                    *data_inputs(self.dm_a, self.sample_a),
                    parent(t["predict_a"], "predictions", "predictions"),
                ],
                "outputs": accuracy,
            },
            {
                **common,
                "key": t["predict_a"],
                "function_key": self.predict,
                "inputs": [
                    *data_inputs(self.dm_a, self.sample_a),
                    parent(t["aggregate"], "shared", "shared"),
                ],
                "outputs": predictions,
            },
            {
                **common,
                "key": t["predict_b"],
                "function_key": self.predict,
                "inputs": [
                    *data_inputs(self.dm_b, self.sample_b),
                    parent(t["aggregate"], "shared", "shared"),
                ],
                "outputs": predictions,
            },
            {
                **common,
                "key": t["aggregate"],
                "function_key": self.aggregate,
                "worker": ORG_A,
                "inputs": [
                    parent(t["train_a"], "shared", "shared"),
                    parent(t["train_b"], "shared", "shared"),
                ],
                "outputs": shared_output,
            },
            {
                **common,
                "key": t["train_a"],
                "function_key": self.train,
                "inputs": data_inputs(self.dm_a, self.sample_a),
                "outputs": shared_output,
            },
            {
                **common,
                "key": t["train_b"],
                "function_key": self.train,
                "inputs": data_inputs(self.dm_b, self.sample_b),
                "outputs": shared_output,
            },
        ]


def test_a_fedavg_round_runs_to_done_with_its_events_in_order(org_a: Backend, org_b: Backend) -> None:
    round_ = Round(org_a, org_b)
    t = round_.t
    # Functions are registered WAITING: tasks registered now wait for the builder.
    created = org_a.call(org_a.tasks.RegisterTasks, computetask_pb2.RegisterTasksParam(tasks=round_.tasks()))
    order = [task.key for task in created.tasks]
    assert (
        order.index(t["train_a"])
        < order.index(t["aggregate"])
        < order.index(t["predict_a"])
        < order.index(t["metric_a"])
    )
    assert {computetask_pb2.ComputeTaskStatus.Name(task.status) for task in created.tasks} == {
        "STATUS_WAITING_FOR_BUILDER_SLOT"
    }
    assert {
        task.worker for task in created.tasks if task.key in (t["train_b"], t["predict_b"], t["metric_b"])
    } == {ORG_B}

    for function_key in (round_.train, round_.aggregate, round_.predict, round_.metric):
        build(org_a, function_key)
    assert task_status(org_a, t["train_a"]) == "STATUS_WAITING_FOR_EXECUTOR_SLOT"
    assert task_status(org_a, t["aggregate"]) == "STATUS_WAITING_FOR_PARENT_TASKS"

    run(org_a, t["train_a"], "shared", "model")
    run(org_b, t["train_b"], "shared", "model")
    assert task_status(org_a, t["aggregate"]) == "STATUS_WAITING_FOR_EXECUTOR_SLOT"
    inputs = org_a.call(
        org_a.tasks.GetTaskInputAssets,
        computetask_pb2.GetTaskInputAssetsParam(compute_task_key=t["aggregate"]),
    )
    assert [(a.identifier, a.model.compute_task_key) for a in inputs.assets] == [
        ("shared", t["train_a"]),
        ("shared", t["train_b"]),
    ]
    run(org_a, t["aggregate"], "shared", "model")
    run(org_a, t["predict_a"], "predictions", "model")
    run(org_b, t["predict_b"], "predictions", "model")
    run(org_a, t["metric_a"], "accuracy", "performance")
    run(org_b, t["metric_b"], "accuracy", "performance")

    for task_key in t.values():
        assert task_status(org_a, task_key) == "STATUS_DONE"
    running = org_a.call(org_a.plans.IsPlanRunning, computeplan_pb2.IsPlanRunningParam(key=round_.plan))
    assert running.is_running is False
    performances = org_b.call(
        org_b.performances.QueryPerformances,
        performance_pb2.QueryPerformancesParam(filter={"compute_task_key": t["metric_b"]}),
    )
    assert [p.performance_value for p in performances.Performances] == [pytest.approx(0.87)]

    # Transient outputs can be disabled once every child is final.
    org_a.call(
        org_a.tasks.DisableOutput,
        computetask_pb2.DisableOutputParam(compute_task_key=t["train_a"], identifier="shared"),
    )
    models = org_a.call(
        org_a.models.GetComputeTaskOutputModels,
        model_pb2.GetComputeTaskModelsParam(compute_task_key=t["train_a"]),
    )
    assert [m.HasField("address") for m in models.models] == [False]

    events = org_b.all_events()
    assert [e.position for e in events] == list(range(1, len(events) + 1))
    kinds = Counter((e.asset_kind, e.event_kind) for e in events)
    assert kinds[(6, 1)] == 7  # COMPUTE_TASK CREATED
    assert kinds[(8, 3)] == 1  # MODEL DISABLED
    assert kinds[(9, 1)] == 2  # PERFORMANCE CREATED
    for task_key in t.values():
        statuses = [
            computetask_pb2.ComputeTaskStatus.Name(e.compute_task.status)
            for e in events
            if e.asset_kind == 6 and e.asset_key == task_key
        ]
        assert statuses[0] == "STATUS_WAITING_FOR_BUILDER_SLOT"
        assert statuses[-3:] == ["STATUS_WAITING_FOR_EXECUTOR_SLOT", "STATUS_EXECUTING", "STATUS_DONE"]
    # The stream from the beginning carries exactly what QueryEvents shows.
    stream = org_b.subscribe("")
    streamed = [next(stream) for _ in events]
    stream.cancel()
    assert [e.id for e in streamed] == [e.id for e in events]


def test_a_failing_train_fails_the_plan_and_cancels_what_depends_on_it(
    org_a: Backend, org_b: Backend
) -> None:
    round_ = Round(org_a, org_b)
    t = round_.t
    for function_key in (round_.train, round_.aggregate, round_.predict, round_.metric):
        build(org_a, function_key)
    org_a.call(org_a.tasks.RegisterTasks, computetask_pb2.RegisterTasksParam(tasks=round_.tasks()))
    org_b.call(
        org_b.tasks.ApplyTaskAction,
        computetask_pb2.ApplyTaskActionParam(compute_task_key=t["train_b"], action="TASK_ACTION_EXECUTING"),
    )
    org_b.call(
        org_b.failure_reports.RegisterFailureReport,
        failure_report_pb2.NewFailureReport(
            asset_key=t["train_b"],
            error_type="ERROR_TYPE_EXECUTION",
            asset_type="FAILED_ASSET_COMPUTE_TASK",
            logs_address=address(f"logs/{t['train_b']}"),
        ),
    )
    assert task_status(org_a, t["train_b"]) == "STATUS_FAILED"
    for name in ("aggregate", "predict_a", "predict_b", "metric_a", "metric_b"):
        assert task_status(org_a, t[name]) == "STATUS_CANCELED"
    assert task_status(org_a, t["train_a"]) == "STATUS_WAITING_FOR_EXECUTOR_SLOT"
    plan = org_a.call(org_a.plans.GetPlan, computeplan_pb2.GetComputePlanParam(key=round_.plan))
    assert plan.HasField("failure_date")
    assert not plan.HasField("cancelation_date")
    report = org_a.call(
        org_a.failure_reports.GetFailureReport,
        failure_report_pb2.GetFailureReportParam(asset_key=t["train_b"]),
    )
    assert report.owner == ORG_B
    events = org_a.all_events()
    failed_at = next(
        i for i, e in enumerate(events) if e.asset_key == t["train_b"] and e.compute_task.status == 6
    )
    report_at = next(i for i, e in enumerate(events) if e.asset_kind == 10)
    assert failed_at < report_at


def test_done_twice_keeps_the_text_the_substra_backend_matches(org_a: Backend, org_b: Backend) -> None:
    round_ = Round(org_a, org_b)
    for function_key in (round_.train, round_.aggregate, round_.predict, round_.metric):
        build(org_a, function_key)
    org_a.call(org_a.tasks.RegisterTasks, computetask_pb2.RegisterTasksParam(tasks=round_.tasks()))
    run(org_a, round_.t["train_a"], "shared", "model")
    with pytest.raises(grpc.RpcError) as refused:
        org_a.call(
            org_a.tasks.ApplyTaskAction,
            computetask_pb2.ApplyTaskActionParam(
                compute_task_key=round_.t["train_a"], action="TASK_ACTION_DONE"
            ),
        )
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "transitionDone inappropriate in current state STATUS_DONE" in refused.value.details()
    assert refused.value.details().startswith("OE0104: ")
