"""A real orchestrator on 127.0.0.1 and clients calling it through the generated stubs, the way a
Substra backend does (messages built from dicts, enums by name, ``mspid``/``channel`` headers)."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from podium.api.channels import ChannelConfig, ChannelRegistry
from podium.api.generated import (
    computeplan_pb2_grpc,
    computetask_pb2_grpc,
    datamanager_pb2,
    datamanager_pb2_grpc,
    datasample_pb2_grpc,
    dataset_pb2_grpc,
    event_pb2,
    event_pb2_grpc,
    failure_report_pb2_grpc,
    function_pb2_grpc,
    info_pb2_grpc,
    model_pb2_grpc,
    organization_pb2_grpc,
    performance_pb2_grpc,
    profiling_pb2_grpc,
)
from podium.api.server import RunningServer, build_server
from podium.api.settings import Settings
from podium.store.database import open_database

ORG_A = "MyOrgAMSP"
ORG_B = "MyOrgBMSP"
ORG_C = "MyOrgCMSP"
CHANNEL = "mychannel"
OTHER_CHANNEL = "yourchannel"


def start_server(database_url: str, **settings_overrides: Any) -> RunningServer:
    settings = Settings(insecure=True, listen="127.0.0.1:0", http_listen="", **settings_overrides).check()
    channels = ChannelRegistry(
        ChannelConfig.parse({"channels": {CHANNEL: [ORG_A, ORG_B, ORG_C], OTHER_CHANNEL: [ORG_A, ORG_B]}})
    )
    return build_server(settings, open_database(database_url), channels=channels)


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'orchestrator.db'}"


def key() -> str:
    return str(uuid.uuid4())


def address(name: str) -> dict[str, str]:
    return {"checksum": "b" * 64, "storage_address": f"http://backend.example/{name}/"}


@dataclass
class Backend:
    """One organization's view of the orchestrator: every service stub, with its headers."""

    channel_: grpc.Channel
    mspid: str
    channel: str = CHANNEL

    def __post_init__(self) -> None:
        c = self.channel_
        self.organizations = organization_pb2_grpc.OrganizationServiceStub(c)
        self.functions = function_pb2_grpc.FunctionServiceStub(c)
        self.data_managers = datamanager_pb2_grpc.DataManagerServiceStub(c)
        self.data_samples = datasample_pb2_grpc.DataSampleServiceStub(c)
        self.datasets = dataset_pb2_grpc.DatasetServiceStub(c)
        self.plans = computeplan_pb2_grpc.ComputePlanServiceStub(c)
        self.tasks = computetask_pb2_grpc.ComputeTaskServiceStub(c)
        self.models = model_pb2_grpc.ModelServiceStub(c)
        self.performances = performance_pb2_grpc.PerformanceServiceStub(c)
        self.failure_reports = failure_report_pb2_grpc.FailureReportServiceStub(c)
        self.profiling = profiling_pb2_grpc.ProfilingServiceStub(c)
        self.events = event_pb2_grpc.EventServiceStub(c)
        self.info = info_pb2_grpc.InfoServiceStub(c)

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("mspid", self.mspid), ("channel", self.channel), ("reqid", uuid.uuid4().hex[:8]))

    def call(self, method: Any, request: Any) -> Any:
        """Call a unary RPC with this backend's headers."""
        return method(request, metadata=self.metadata, timeout=30)

    def subscribe(self, start_event_id: str = "") -> Iterator[event_pb2.Event]:
        return self.events.SubscribeToEvents(  # type: ignore[no-any-return]
            event_pb2.SubscribeToEventsParam(start_event_id=start_event_id),
            metadata=self.metadata,
            timeout=60,
        )

    def all_events(self) -> list[event_pb2.Event]:
        found: list[event_pb2.Event] = []
        token = ""
        while True:
            page = self.call(
                self.events.QueryEvents, event_pb2.QueryEventsParam(page_token=token, page_size=500)
            )
            found.extend(page.events)
            token = page.next_page_token
            if not token:
                return found


def register_data_manager(backend: Backend) -> str:
    """Register a public data manager as ``backend``'s organization (one event); answer its key."""
    manager = key()
    backend.call(
        backend.data_managers.RegisterDataManager,
        datamanager_pb2.NewDataManager(
            key=manager,
            name="dm",
            opener=address(f"opener/{manager}"),
            description=address(f"description/{manager}"),
            new_permissions={"public": True},
            logs_permission={"public": True},
        ),
    )
    return manager
