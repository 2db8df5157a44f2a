"""A real orchestrator on 127.0.0.1 (SQLite file) and SDK clients of two organizations, plus a
stand-in for their workers that drives a plan's tasks through the orchestrator client."""

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from podium.agent.node import NodeConfig
from podium.agent.storage import FileKind
from podium.api.generated import common_pb2, computetask_pb2, model_pb2, performance_pb2
from podium.api.server import RunningServer, build_server
from podium.api.settings import Settings
from podium.client import OrchestratorClient
from podium.domain.kinds import FunctionAction, TaskAction, TaskStatus
from podium.sdk import AGGREGATE, METRIC, PREDICT, TRAIN, Client, OrgData, fedavg
from podium.store.database import open_database

ORG_A, ORG_B, ORG_C = "OrgAMSP", "OrgBMSP", "OrgCMSP"
CHANNEL = "mychannel"
CHANNELS_YAML = f"channels:\n  {CHANNEL}: [{ORG_A}, {ORG_B}, {ORG_C}]\n"


def start_server(tmp_path: Path, **overrides: Any) -> RunningServer:
    channels = tmp_path / "channels.yaml"
    channels.write_text(CHANNELS_YAML)
    settings = Settings(
        listen="127.0.0.1:0",
        http_listen="",
        insecure=True,
        channel_config=channels,
        threads=8,
        shutdown_grace_seconds=0.5,
    )
    database = open_database(f"sqlite:///{tmp_path / 'orchestrator.db'}")
    return build_server(replace(settings, **overrides).check(), database)


def node(tmp_path: Path, org: str, port: int) -> NodeConfig:
    return NodeConfig(
        organization=org,
        channel=CHANNEL,
        home=tmp_path / org,
        orchestrator=f"127.0.0.1:{port}",
        insecure=True,
        asset_url=f"https://{org.lower()}.example:8443",
    )


def orchestrator_for(config: NodeConfig) -> OrchestratorClient:
    return OrchestratorClient(replace(config.client_config(), call_timeout=20.0))


@dataclass
class World:
    server: RunningServer
    tmp_path: Path
    a: Client
    b: Client

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def db_path(self) -> Path:
        return self.tmp_path / "orchestrator.db"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    server = start_server(tmp_path)
    clients = [Client(node(tmp_path, org, server.port), orchestrator=None) for org in (ORG_A, ORG_B)]
    for client in clients:
        client.orchestrator.register_organization(client.asset_url())
    try:
        yield World(server, tmp_path, *clients)
    finally:
        for client in clients:
            client.close()
        server.stop(grace=0)


def project(directory: Path, module: str = "algo") -> Path:
    """A minimal function project: a manifest and one module."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "podium.toml").write_text(f'entrypoint = "{module}:main"\n')
    (directory / f"{module}.py").write_text("def main(inputs, outputs, context):\n    pass\n")
    return directory


@dataclass
class Fedavg:
    """A registered FedAvg plan over A and B (A owns the functions and aggregates)."""

    plan_key: str
    function_keys: list[str]
    tasks: list[Any]


def register_fedavg(world: World, rounds: int = 2) -> Fedavg:
    everyone = [ORG_A, ORG_B]
    keys = [
        world.a.register_function(
            project(world.tmp_path / f"fn-{name}"), name, sig.inputs, sig.outputs, permissions=everyone
        ).key
        for name, sig in (
            ("train", TRAIN),
            ("aggregate", AGGREGATE),
            ("predict", PREDICT),
            ("metric", METRIC),
        )
    ]
    datasets = {}
    for client in (world.a, world.b):
        manager = client.register_data_manager(
            project(world.tmp_path / f"opener-{client.organization}"), "d", everyone
        )
        samples = []
        for index in range(2):
            sample = world.tmp_path / f"sample-{client.organization}-{index}"
            sample.mkdir()
            (sample / "data.csv").write_text(f"{index},1\n")
            samples.append(sample)
        train, test = client.register_data_samples(manager.key, samples)
        datasets[client.organization] = OrgData(manager.key, [train], [test])
    tasks = fedavg(*keys, datasets_by_org=datasets, rounds=rounds, aggregator_org=ORG_A)
    plan = world.a.register_plan("fedavg test", tasks)
    return Fedavg(plan.key, keys, tasks)


def build_functions(world: World, function_keys: list[str]) -> None:
    for key in function_keys:
        world.a.orchestrator.apply_function_action(key, FunctionAction.BUILDING)
        world.a.orchestrator.apply_function_action(key, FunctionAction.READY)


def run_task(client: Client, task: computetask_pb2.ComputeTask, value: float = 0.5) -> None:
    """What a worker does for one task: EXECUTING, its outputs (model files in its storage), DONE."""
    orchestrator = client.orchestrator
    orchestrator.apply_task_action(task.key, TaskAction.EXECUTING)
    for identifier in task.outputs:
        if identifier == "performance":
            orchestrator.register_performance(
                performance_pb2.NewPerformance(
                    compute_task_key=task.key,
                    compute_task_output_identifier=identifier,
                    performance_value=value,
                )
            )
            continue
        model_key = str(uuid.uuid4())
        stored = client.storage.write(FileKind.MODEL, model_key, f"model of {task.key}".encode())
        address = common_pb2.Addressable(
            checksum=stored.sha256, storage_address=f"{client.asset_url()}/models/{model_key}"
        )
        orchestrator.register_models(
            [
                model_pb2.NewModel(
                    key=model_key,
                    compute_task_key=task.key,
                    compute_task_output_identifier=identifier,
                    address=address,
                )
            ]
        )
    orchestrator.apply_task_action(task.key, TaskAction.DONE, log="task completed")


def drive(world: World, plan_key: str, max_steps: int = 200) -> None:
    """Run every runnable task of the plan at its worker until none is left (bounded)."""
    by_org = {ORG_A: world.a, ORG_B: world.b}
    for _ in range(max_steps):
        ready = [
            task
            for task in world.a.orchestrator.query_tasks(compute_plan_key=plan_key)
            if task.status
            == computetask_pb2.ComputeTaskStatus.Value(TaskStatus.WAITING_FOR_EXECUTOR_SLOT.value)
        ]
        if not ready:
            return
        for task in ready:
            run_task(by_org[task.worker], task, value=0.5 + task.rank / 10)


def in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread
