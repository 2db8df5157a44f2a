"""The 13 generated service stubs of the ``orchestrator`` package, built on one channel."""

from dataclasses import dataclass
from typing import Any

import grpc

from podium.api.generated import (
    computeplan_pb2_grpc,
    computetask_pb2_grpc,
    datamanager_pb2_grpc,
    datasample_pb2_grpc,
    dataset_pb2_grpc,
    event_pb2_grpc,
    failure_report_pb2_grpc,
    function_pb2_grpc,
    info_pb2_grpc,
    model_pb2_grpc,
    organization_pb2_grpc,
    performance_pb2_grpc,
    profiling_pb2_grpc,
)


@dataclass(frozen=True)
class Stubs:
    """One stub per service; stubs hold no state beyond the channel, so views may share them."""

    organizations: Any
    functions: Any
    data_managers: Any
    data_samples: Any
    datasets: Any
    plans: Any
    tasks: Any
    models: Any
    performances: Any
    failure_reports: Any
    events: Any
    profiling: Any
    info: Any

    @classmethod
    def on(cls, channel: grpc.Channel) -> "Stubs":
        """Stubs sending on ``channel``."""
        return cls(
            organizations=organization_pb2_grpc.OrganizationServiceStub(channel),
            functions=function_pb2_grpc.FunctionServiceStub(channel),
            data_managers=datamanager_pb2_grpc.DataManagerServiceStub(channel),
            data_samples=datasample_pb2_grpc.DataSampleServiceStub(channel),
            datasets=dataset_pb2_grpc.DatasetServiceStub(channel),
            plans=computeplan_pb2_grpc.ComputePlanServiceStub(channel),
            tasks=computetask_pb2_grpc.ComputeTaskServiceStub(channel),
            models=model_pb2_grpc.ModelServiceStub(channel),
            performances=performance_pb2_grpc.PerformanceServiceStub(channel),
            failure_reports=failure_report_pb2_grpc.FailureReportServiceStub(channel),
            events=event_pb2_grpc.EventServiceStub(channel),
            profiling=profiling_pb2_grpc.ProfilingServiceStub(channel),
            info=info_pb2_grpc.InfoServiceStub(channel),
        )
