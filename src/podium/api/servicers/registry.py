"""Registration of every ``orchestrator.*`` servicer on a gRPC server."""

import threading
from collections.abc import Callable
from typing import Any

from podium.api.generated import (
    computeplan_pb2,
    computeplan_pb2_grpc,
    computetask_pb2,
    computetask_pb2_grpc,
    datamanager_pb2,
    datamanager_pb2_grpc,
    datasample_pb2,
    datasample_pb2_grpc,
    dataset_pb2,
    dataset_pb2_grpc,
    event_pb2,
    event_pb2_grpc,
    failure_report_pb2,
    failure_report_pb2_grpc,
    function_pb2,
    function_pb2_grpc,
    model_pb2,
    model_pb2_grpc,
    organization_pb2,
    organization_pb2_grpc,
    performance_pb2,
    performance_pb2_grpc,
    profiling_pb2,
    profiling_pb2_grpc,
)
from podium.api.servicers import assets, events, work
from podium.app.service import Orchestrator


def register_orchestrator_services(
    server: Any,
    orchestrator: Orchestrator,
    shutdown_event: threading.Event,
    replay_batch_size: int = 500,
    max_subscribers: int = 256,
) -> list[str]:
    """Register the 12 services backed by the orchestrator; return their full names."""
    registrations: list[tuple[Callable[[Any, Any], None], object, Any, str]] = [
        (
            organization_pb2_grpc.add_OrganizationServiceServicer_to_server,
            assets.OrganizationServicer(orchestrator),
            organization_pb2,
            "OrganizationService",
        ),
        (
            function_pb2_grpc.add_FunctionServiceServicer_to_server,
            assets.FunctionServicer(orchestrator),
            function_pb2,
            "FunctionService",
        ),
        (
            datamanager_pb2_grpc.add_DataManagerServiceServicer_to_server,
            assets.DataManagerServicer(orchestrator),
            datamanager_pb2,
            "DataManagerService",
        ),
        (
            datasample_pb2_grpc.add_DataSampleServiceServicer_to_server,
            assets.DataSampleServicer(orchestrator),
            datasample_pb2,
            "DataSampleService",
        ),
        (
            dataset_pb2_grpc.add_DatasetServiceServicer_to_server,
            assets.DatasetServicer(orchestrator),
            dataset_pb2,
            "DatasetService",
        ),
        (
            computeplan_pb2_grpc.add_ComputePlanServiceServicer_to_server,
            work.ComputePlanServicer(orchestrator),
            computeplan_pb2,
            "ComputePlanService",
        ),
        (
            computetask_pb2_grpc.add_ComputeTaskServiceServicer_to_server,
            work.ComputeTaskServicer(orchestrator),
            computetask_pb2,
            "ComputeTaskService",
        ),
        (
            model_pb2_grpc.add_ModelServiceServicer_to_server,
            work.ModelServicer(orchestrator),
            model_pb2,
            "ModelService",
        ),
        (
            performance_pb2_grpc.add_PerformanceServiceServicer_to_server,
            work.PerformanceServicer(orchestrator),
            performance_pb2,
            "PerformanceService",
        ),
        (
            failure_report_pb2_grpc.add_FailureReportServiceServicer_to_server,
            work.FailureReportServicer(orchestrator),
            failure_report_pb2,
            "FailureReportService",
        ),
        (
            profiling_pb2_grpc.add_ProfilingServiceServicer_to_server,
            work.ProfilingServicer(orchestrator),
            profiling_pb2,
            "ProfilingService",
        ),
        (
            event_pb2_grpc.add_EventServiceServicer_to_server,
            events.EventServicer(
                orchestrator, shutdown_event, replay_batch_size, max_subscribers=max_subscribers
            ),
            event_pb2,
            "EventService",
        ),
    ]
    names = []
    for add, servicer, module, service_name in registrations:
        add(servicer, server)
        names.append(module.DESCRIPTOR.services_by_name[service_name].full_name)
    return names
