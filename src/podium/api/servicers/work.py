"""Servicers of compute plans, compute tasks, models, performances, failure reports and profiling."""

from typing import Any

from google.protobuf import empty_pb2

from podium.api import convert
from podium.api.generated import (
    computeplan_pb2,
    computeplan_pb2_grpc,
    computetask_pb2,
    computetask_pb2_grpc,
    failure_report_pb2,
    failure_report_pb2_grpc,
    model_pb2,
    model_pb2_grpc,
    performance_pb2,
    performance_pb2_grpc,
    profiling_pb2,
    profiling_pb2_grpc,
)
from podium.api.servicers.base import Servicer
from podium.domain.commands import RegisterModels

# Method names are the RPC names of the contract.
# ruff: noqa: N802


class ComputePlanServicer(Servicer, computeplan_pb2_grpc.ComputePlanServiceServicer):
    def RegisterPlan(
        self, request: computeplan_pb2.NewComputePlan, context: Any
    ) -> computeplan_pb2.ComputePlan:
        command = convert.new_compute_plan(request)
        return convert.compute_plan_message(self.orchestrator.register_plan(self.caller(), command))

    def GetPlan(
        self, request: computeplan_pb2.GetComputePlanParam, context: Any
    ) -> computeplan_pb2.ComputePlan:
        return convert.compute_plan_message(self.orchestrator.get_plan(self.caller(), request.key))

    def ApplyPlanAction(
        self, request: computeplan_pb2.ApplyPlanActionParam, context: Any
    ) -> computeplan_pb2.ApplyPlanActionResponse:
        self.orchestrator.apply_plan_action(self.caller(), convert.apply_plan_action(request))
        return computeplan_pb2.ApplyPlanActionResponse()

    def QueryPlans(
        self, request: computeplan_pb2.QueryPlansParam, context: Any
    ) -> computeplan_pb2.QueryPlansResponse:
        page_request, owner = convert.query_plans(request)
        page = self.orchestrator.query_plans(self.caller(), page_request, owner)
        return computeplan_pb2.QueryPlansResponse(
            plans=[convert.compute_plan_message(p) for p in page.items], next_page_token=page.next_page_token
        )

    def UpdatePlan(
        self, request: computeplan_pb2.UpdateComputePlanParam, context: Any
    ) -> computeplan_pb2.UpdateComputePlanResponse:
        self.orchestrator.update_plan(self.caller(), convert.update_compute_plan(request))
        return computeplan_pb2.UpdateComputePlanResponse()

    def IsPlanRunning(
        self, request: computeplan_pb2.IsPlanRunningParam, context: Any
    ) -> computeplan_pb2.IsPlanRunningResponse:
        running = self.orchestrator.is_plan_running(self.caller(), request.key)
        return computeplan_pb2.IsPlanRunningResponse(is_running=running)


class ComputeTaskServicer(Servicer, computetask_pb2_grpc.ComputeTaskServiceServicer):
    def RegisterTasks(
        self, request: computetask_pb2.RegisterTasksParam, context: Any
    ) -> computetask_pb2.RegisterTasksResponse:
        created = self.orchestrator.register_tasks(self.caller(), convert.register_tasks(request))
        return computetask_pb2.RegisterTasksResponse(tasks=[convert.compute_task_message(t) for t in created])

    def QueryTasks(
        self, request: computetask_pb2.QueryTasksParam, context: Any
    ) -> computetask_pb2.QueryTasksResponse:
        page_request, task_filter = convert.query_tasks(request)
        page = self.orchestrator.query_tasks(self.caller(), page_request, task_filter)
        return computetask_pb2.QueryTasksResponse(
            tasks=[convert.compute_task_message(t) for t in page.items], next_page_token=page.next_page_token
        )

    def GetTask(self, request: computetask_pb2.GetTaskParam, context: Any) -> computetask_pb2.ComputeTask:
        return convert.compute_task_message(self.orchestrator.get_task(self.caller(), request.key))

    def ApplyTaskAction(
        self, request: computetask_pb2.ApplyTaskActionParam, context: Any
    ) -> computetask_pb2.ApplyTaskActionResponse:
        self.orchestrator.apply_task_action(self.caller(), convert.apply_task_action(request))
        return computetask_pb2.ApplyTaskActionResponse()

    def GetTaskInputAssets(
        self, request: computetask_pb2.GetTaskInputAssetsParam, context: Any
    ) -> computetask_pb2.GetTaskInputAssetsResponse:
        resolved = self.orchestrator.get_task_input_assets(self.caller(), request.compute_task_key)
        return computetask_pb2.GetTaskInputAssetsResponse(
            assets=[convert.input_asset_message(r.identifier, r.asset) for r in resolved]
        )

    def DisableOutput(
        self, request: computetask_pb2.DisableOutputParam, context: Any
    ) -> computetask_pb2.DisableOutputResponse:
        self.orchestrator.disable_output(self.caller(), convert.disable_output(request))
        return computetask_pb2.DisableOutputResponse()


class ModelServicer(Servicer, model_pb2_grpc.ModelServiceServicer):
    def RegisterModel(self, request: model_pb2.NewModel, context: Any) -> model_pb2.Model:
        command = RegisterModels((convert.new_model(request),))
        return convert.model_message(self.orchestrator.register_models(self.caller(), command)[0])

    def RegisterModels(
        self, request: model_pb2.RegisterModelsParam, context: Any
    ) -> model_pb2.RegisterModelsResponse:
        models = self.orchestrator.register_models(self.caller(), convert.register_models(request))
        return model_pb2.RegisterModelsResponse(models=[convert.model_message(m) for m in models])

    def GetModel(self, request: model_pb2.GetModelParam, context: Any) -> model_pb2.Model:
        return convert.model_message(self.orchestrator.get_model(self.caller(), request.key))

    def GetComputeTaskOutputModels(
        self, request: model_pb2.GetComputeTaskModelsParam, context: Any
    ) -> model_pb2.GetComputeTaskModelsResponse:
        models = self.orchestrator.get_task_models(self.caller(), request.compute_task_key)
        return model_pb2.GetComputeTaskModelsResponse(models=[convert.model_message(m) for m in models])


class PerformanceServicer(Servicer, performance_pb2_grpc.PerformanceServiceServicer):
    def RegisterPerformance(
        self, request: performance_pb2.NewPerformance, context: Any
    ) -> performance_pb2.Performance:
        command = convert.new_performance(request)
        return convert.performance_message(self.orchestrator.register_performance(self.caller(), command))

    def QueryPerformances(
        self, request: performance_pb2.QueryPerformancesParam, context: Any
    ) -> performance_pb2.QueryPerformancesResponse:
        query = convert.query_performances(request)
        page = self.orchestrator.query_performances(self.caller(), *query)
        return performance_pb2.QueryPerformancesResponse(
            Performances=[convert.performance_message(p) for p in page.items],
            next_page_token=page.next_page_token,
        )


class FailureReportServicer(Servicer, failure_report_pb2_grpc.FailureReportServiceServicer):
    def RegisterFailureReport(
        self, request: failure_report_pb2.NewFailureReport, context: Any
    ) -> failure_report_pb2.FailureReport:
        command = convert.new_failure_report(request)
        return convert.failure_report_message(
            self.orchestrator.register_failure_report(self.caller(), command)
        )

    def GetFailureReport(
        self, request: failure_report_pb2.GetFailureReportParam, context: Any
    ) -> failure_report_pb2.FailureReport:
        report = self.orchestrator.get_failure_report(self.caller(), request.asset_key)
        return convert.failure_report_message(report)


class ProfilingServicer(Servicer, profiling_pb2_grpc.ProfilingServiceServicer):
    def RegisterProfilingStep(self, request: profiling_pb2.ProfilingStep, context: Any) -> empty_pb2.Empty:
        self.orchestrator.register_profiling_step(self.caller(), convert.new_profiling_step(request))
        return empty_pb2.Empty()
