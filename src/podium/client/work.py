"""Calls on compute plans, compute tasks, models, performances, failure reports and profiling.

Every method raises ``OrchestratorError`` (``podium.client.errors``) on refusal. Writes may be retried
(``RetrySettings.retry_writes``): see ``is_already_done`` for a refusal that means "already there".
"""

from collections.abc import Iterator, Sequence

from google.protobuf import empty_pb2

from podium.api.generated import (
    computeplan_pb2,
    computetask_pb2,
    failure_report_pb2,
    model_pb2,
    performance_pb2,
    profiling_pb2,
)
from podium.client.base import DEFAULT_PAGE_SIZE, CallsBase, enum_value
from podium.domain.kinds import PlanAction, TaskAction, TaskStatus


class WorkCalls(CallsBase):
    # --- ComputePlanService

    def register_plan(self, plan: computeplan_pb2.NewComputePlan) -> computeplan_pb2.ComputePlan:
        """Register a compute plan (owner = caller)."""
        return self._write(
            self._stubs.plans.RegisterPlan,
            plan,
            "ComputePlanService/RegisterPlan",
            computeplan_pb2.ComputePlan,
        )

    def get_plan(self, key: str) -> computeplan_pb2.ComputePlan:
        """The plan ``key``; ``NotFound`` when absent."""
        request = computeplan_pb2.GetComputePlanParam(key=key)
        return self._read(
            self._stubs.plans.GetPlan, request, "ComputePlanService/GetPlan", computeplan_pb2.ComputePlan
        )

    def apply_plan_action(self, key: str, action: PlanAction | int = PlanAction.CANCELED) -> None:
        """Cancel the plan (and its unfinished tasks). Owner only; ``FailedPrecondition`` with
        ``OE0109`` when already terminated (``is_already_done(error, PlanAction.CANCELED)``)."""
        request = computeplan_pb2.ApplyPlanActionParam(
            key=key, action=enum_value(computeplan_pb2.ComputePlanAction, action)
        )
        self._write(
            self._stubs.plans.ApplyPlanAction,
            request,
            "ComputePlanService/ApplyPlanAction",
            computeplan_pb2.ApplyPlanActionResponse,
        )

    def query_plans(
        self, *, owner: str = "", page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[computeplan_pb2.ComputePlan]:
        """Every plan (of ``owner`` when given), oldest first."""
        query_filter = computeplan_pb2.PlanQueryFilter(owner=owner)
        return self._paginate(
            self._stubs.plans.QueryPlans,
            lambda token: computeplan_pb2.QueryPlansParam(
                page_token=token, page_size=page_size, filter=query_filter
            ),
            lambda response: response.plans,
            "ComputePlanService/QueryPlans",
        )

    def update_plan(self, key: str, name: str) -> None:
        """Rename the plan. Owner only."""
        request = computeplan_pb2.UpdateComputePlanParam(key=key, name=name)
        self._write(
            self._stubs.plans.UpdatePlan,
            request,
            "ComputePlanService/UpdatePlan",
            computeplan_pb2.UpdateComputePlanResponse,
        )

    def is_plan_running(self, key: str) -> bool:
        """Whether some task of the plan is still to run or running."""
        request = computeplan_pb2.IsPlanRunningParam(key=key)
        response = self._read(
            self._stubs.plans.IsPlanRunning,
            request,
            "ComputePlanService/IsPlanRunning",
            computeplan_pb2.IsPlanRunningResponse,
        )
        return bool(response.is_running)

    # --- ComputeTaskService

    def register_tasks(
        self, tasks: Sequence[computetask_pb2.NewComputeTask]
    ) -> list[computetask_pb2.ComputeTask]:
        """Register ``tasks`` all or nothing; the registered tasks in topological order.
        ``AlreadyExists`` when a key is taken (e.g. by an earlier attempt of this very call)."""
        request = computetask_pb2.RegisterTasksParam(tasks=tasks)
        response = self._write(
            self._stubs.tasks.RegisterTasks,
            request,
            "ComputeTaskService/RegisterTasks",
            computetask_pb2.RegisterTasksResponse,
        )
        return list(response.tasks)

    def query_tasks(
        self,
        *,
        worker: str = "",
        status: TaskStatus | int = 0,
        compute_plan_key: str = "",
        function_key: str = "",
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[computetask_pb2.ComputeTask]:
        """Every task matching all the given filters (empty / 0 = any), oldest first."""
        query_filter = computetask_pb2.TaskQueryFilter(
            worker=worker,
            status=enum_value(computetask_pb2.ComputeTaskStatus, status),
            compute_plan_key=compute_plan_key,
            function_key=function_key,
        )
        return self._paginate(
            self._stubs.tasks.QueryTasks,
            lambda token: computetask_pb2.QueryTasksParam(
                page_token=token, page_size=page_size, filter=query_filter
            ),
            lambda response: response.tasks,
            "ComputeTaskService/QueryTasks",
        )

    def get_task(self, key: str) -> computetask_pb2.ComputeTask:
        """The task ``key``; ``NotFound`` when absent."""
        request = computetask_pb2.GetTaskParam(key=key)
        return self._read(
            self._stubs.tasks.GetTask, request, "ComputeTaskService/GetTask", computetask_pb2.ComputeTask
        )

    def apply_task_action(self, key: str, action: TaskAction | int, log: str = "") -> None:
        """Move the task through its state machine; ``log`` becomes the event's reason.

        Raises:
            InvalidTransition: refused by the state machine; ``is_already_done(error, action)`` tells
                whether the task is already where ``action`` leads (e.g. a retried DONE).
        """
        request = computetask_pb2.ApplyTaskActionParam(
            compute_task_key=key, action=enum_value(computetask_pb2.ComputeTaskAction, action), log=log
        )
        self._write(
            self._stubs.tasks.ApplyTaskAction,
            request,
            "ComputeTaskService/ApplyTaskAction",
            computetask_pb2.ApplyTaskActionResponse,
        )

    def get_task_input_assets(self, key: str) -> list[computetask_pb2.ComputeTaskInputAsset]:
        """The assets the task ``key`` reads, one per input, in input order."""
        request = computetask_pb2.GetTaskInputAssetsParam(compute_task_key=key)
        stub = self._stubs.tasks
        response = self._read(
            stub.GetTaskInputAssets,
            request,
            "ComputeTaskService/GetTaskInputAssets",
            computetask_pb2.GetTaskInputAssetsResponse,
        )
        return list(response.assets)

    def disable_output(self, key: str, identifier: str) -> None:
        """Disable the output ``identifier`` of task ``key`` (its models are marked disabled)."""
        request = computetask_pb2.DisableOutputParam(compute_task_key=key, identifier=identifier)
        self._write(
            self._stubs.tasks.DisableOutput,
            request,
            "ComputeTaskService/DisableOutput",
            computetask_pb2.DisableOutputResponse,
        )

    # --- ModelService

    def register_model(self, model: model_pb2.NewModel) -> model_pb2.Model:
        """Register one model (deprecated on the wire: prefer ``register_models``)."""
        return self._write(
            self._stubs.models.RegisterModel, model, "ModelService/RegisterModel", model_pb2.Model
        )

    def register_models(self, models: Sequence[model_pb2.NewModel]) -> list[model_pb2.Model]:
        """Register the models of a task's outputs, all or nothing."""
        request = model_pb2.RegisterModelsParam(models=models)
        response = self._write(
            self._stubs.models.RegisterModels,
            request,
            "ModelService/RegisterModels",
            model_pb2.RegisterModelsResponse,
        )
        return list(response.models)

    def get_model(self, key: str) -> model_pb2.Model:
        """The model ``key``; ``NotFound`` when absent."""
        request = model_pb2.GetModelParam(key=key)
        return self._read(self._stubs.models.GetModel, request, "ModelService/GetModel", model_pb2.Model)

    def get_task_output_models(self, task_key: str) -> list[model_pb2.Model]:
        """Every model produced by the task ``task_key`` (all outputs, no defined order)."""
        request = model_pb2.GetComputeTaskModelsParam(compute_task_key=task_key)
        stub = self._stubs.models
        response = self._read(
            stub.GetComputeTaskOutputModels,
            request,
            "ModelService/GetComputeTaskOutputModels",
            model_pb2.GetComputeTaskModelsResponse,
        )
        return list(response.models)

    # --- PerformanceService

    def register_performance(
        self, performance: performance_pb2.NewPerformance
    ) -> performance_pb2.Performance:
        """Register the value of a task's performance output."""
        stub = self._stubs.performances
        return self._write(
            stub.RegisterPerformance,
            performance,
            "PerformanceService/RegisterPerformance",
            performance_pb2.Performance,
        )

    def query_performances(
        self,
        *,
        compute_task_key: str = "",
        compute_task_output_identifier: str = "",
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[performance_pb2.Performance]:
        """Every performance matching the given filters (empty = any)."""
        query_filter = performance_pb2.PerformanceQueryFilter(
            compute_task_key=compute_task_key, compute_task_output_identifier=compute_task_output_identifier
        )
        return self._paginate(
            self._stubs.performances.QueryPerformances,
            lambda token: performance_pb2.QueryPerformancesParam(
                page_token=token, page_size=page_size, filter=query_filter
            ),
            lambda response: response.Performances,
            "PerformanceService/QueryPerformances",
        )

    # --- FailureReportService

    def register_failure_report(
        self, report: failure_report_pb2.NewFailureReport
    ) -> failure_report_pb2.FailureReport:
        """Report a failed task or function build (the asset becomes FAILED)."""
        stub = self._stubs.failure_reports
        return self._write(
            stub.RegisterFailureReport,
            report,
            "FailureReportService/RegisterFailureReport",
            failure_report_pb2.FailureReport,
        )

    def get_failure_report(self, asset_key: str) -> failure_report_pb2.FailureReport:
        """The failure report of ``asset_key``; ``NotFound`` when absent."""
        request = failure_report_pb2.GetFailureReportParam(asset_key=asset_key)
        stub = self._stubs.failure_reports
        return self._read(
            stub.GetFailureReport,
            request,
            "FailureReportService/GetFailureReport",
            failure_report_pb2.FailureReport,
        )

    # --- ProfilingService

    def register_profiling_step(self, step: profiling_pb2.ProfilingStep) -> None:
        """Record the duration of a step (e.g. ``build_image``) of an asset."""
        stub = self._stubs.profiling
        self._write(
            stub.RegisterProfilingStep, step, "ProfilingService/RegisterProfilingStep", empty_pb2.Empty
        )
