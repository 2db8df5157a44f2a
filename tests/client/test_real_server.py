"""The client against the real podium server on 127.0.0.1 (embedded SQLite): a worker's life cycle
through typed methods, the "already done" answers of repeated writes, pagination, the event stream,
channel refusals, and mTLS."""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from podium.api.generated import common_pb2, computeplan_pb2, computetask_pb2, function_pb2
from podium.api.server import RunningServer, build_server
from podium.api.settings import Settings
from podium.client import (
    AlreadyExists,
    ClientConfig,
    InvalidTransition,
    NotFound,
    OrchestratorClient,
    PermissionDenied,
    is_already_done,
)
from podium.domain.kinds import FunctionAction, TaskAction, TaskStatus
from podium.store.database import open_database
from tests.api.certs import issue, make_ca

ORG = "Org1MSP"
CHANNELS_YAML = f"channels:\n  mychannel: [{ORG}, Org2MSP]\n  yourchannel: [Org2MSP]\n"
StartServer = Callable[..., RunningServer]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start real servers on SQLite files under ``tmp_path``; each is stopped at teardown."""
    channels = tmp_path / "channels.yaml"
    channels.write_text(CHANNELS_YAML)
    started: list[RunningServer] = []

    def start(**overrides: Any) -> RunningServer:
        settings = Settings(
            listen="127.0.0.1:0",
            http_listen="",
            insecure=True,
            channel_config=channels,
            threads=8,
            shutdown_grace_seconds=0.5,
        )
        settings = replace(settings, **overrides)
        database = open_database(f"sqlite:///{tmp_path}/podium-{len(started)}.db")
        running = build_server(settings.check(), database)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop(grace=0)


@pytest.fixture
def client(start_server: StartServer) -> Iterator[OrchestratorClient]:
    running = start_server()
    config = ClientConfig(f"127.0.0.1:{running.port}", ORG, "mychannel", insecure=True, call_timeout=20.0)
    with OrchestratorClient(config) as opened:
        yield opened


def key() -> str:
    return str(uuid.uuid4())


def address(path: str) -> common_pb2.Addressable:
    return common_pb2.Addressable(checksum="a" * 64, storage_address=f"http://org1.example/{path}/")


def ready_function(client: OrchestratorClient) -> str:
    function_key = key()
    client.register_function(
        function_pb2.NewFunction(
            key=function_key,
            name="train",
            description=address("description"),
            archive=address("archive"),
            new_permissions=common_pb2.NewPermissions(public=True),
            outputs={"model": function_pb2.FunctionOutput(kind=common_pb2.ASSET_MODEL)},
        )
    )
    client.apply_function_action(function_key, FunctionAction.BUILDING)
    client.update_function(function_key, "train", image=address("image"))
    client.apply_function_action(function_key, FunctionAction.READY)
    return function_key


def new_task(function_key: str, plan_key: str) -> computetask_pb2.NewComputeTask:
    return computetask_pb2.NewComputeTask(
        key=key(),
        function_key=function_key,
        compute_plan_key=plan_key,
        worker=ORG,
        outputs={
            "model": computetask_pb2.NewComputeTaskOutput(permissions=common_pb2.NewPermissions(public=True))
        },
    )


def test_a_worker_life_cycle_with_repeated_writes(client: OrchestratorClient) -> None:
    client.register_organization("http://org1.example")
    with pytest.raises(AlreadyExists) as again:
        client.register_organization("http://org1.example")
    assert again.value.oe_code == "OE0006"
    assert is_already_done(again.value)

    function_key = ready_function(client)
    assert client.get_function(function_key).status == function_pb2.FUNCTION_STATUS_READY
    plan_key = key()
    client.register_plan(computeplan_pb2.NewComputePlan(key=plan_key, name="plan"))
    tasks = [new_task(function_key, plan_key) for _ in range(5)]
    registered = client.register_tasks(tasks)
    assert {task.key for task in registered} == {task.key for task in tasks}
    with pytest.raises(AlreadyExists) as duplicate:
        client.register_tasks(tasks[:1])
    assert is_already_done(duplicate.value)

    listed = list(
        client.query_tasks(
            compute_plan_key=plan_key, status=TaskStatus.WAITING_FOR_EXECUTOR_SLOT, page_size=2
        )
    )
    assert sorted(task.key for task in listed) == sorted(task.key for task in tasks)

    first = tasks[0].key
    client.apply_task_action(first, TaskAction.EXECUTING)
    client.apply_task_action(first, TaskAction.DONE, log="task completed")
    with pytest.raises(InvalidTransition) as done_again:
        client.apply_task_action(first, TaskAction.DONE, log="task completed")
    assert done_again.value.current_status == "STATUS_DONE"
    assert is_already_done(done_again.value, TaskAction.DONE)
    assert client.get_task(first).status == computetask_pb2.STATUS_DONE
    assert client.is_plan_running(plan_key)


def test_events_stream_from_the_cursor_and_stop_on_cancel(client: OrchestratorClient) -> None:
    client.register_organization()
    client.register_plan(computeplan_pb2.NewComputePlan(key=key(), name="plan"))
    with client.subscribe() as stream:
        first, second = next(stream), next(stream)
    assert (first.asset_kind, second.asset_kind) == (
        common_pb2.ASSET_ORGANIZATION,
        common_pb2.ASSET_COMPUTE_PLAN,
    )
    queried = list(client.query_events(page_size=1))
    assert [event.id for event in queried] == [first.id, second.id]
    with client.subscribe(first.id) as resumed:
        assert next(resumed).id == second.id
        resumed.cancel()
        assert list(resumed) == []


def test_unknown_keys_and_foreign_channels_map_to_their_errors(client: OrchestratorClient) -> None:
    with pytest.raises(NotFound) as missing:
        client.get_plan(key())
    assert missing.value.oe_code == "OE0002"
    with pytest.raises(PermissionDenied) as refused:
        client.for_channel("yourchannel").query_version()
    assert refused.value.oe_code == "OE0102"


def test_mtls_connection_with_client_certificates(start_server: StartServer, tmp_path: Path) -> None:
    server_ca = make_ca("test server CA")
    server_pair = issue(server_ca, "localhost", server=True)
    org_ca = make_ca("Org1 CA", ORG)
    client_pair = issue(org_ca, "org1 client", organizations=(ORG,))
    server_ca_pem, _ = server_ca.write(tmp_path, "server-ca")
    server_pem, server_key = server_pair.write(tmp_path, "server")
    client_pem, client_key = client_pair.write(tmp_path, "client")
    (tmp_path / "client-cas" / ORG).mkdir(parents=True)
    (tmp_path / "client-cas" / ORG / "ca.crt").write_bytes(org_ca.cert_pem)
    running = start_server(
        insecure=False,
        tls_cert=server_pem,
        tls_key=server_key,
        mtls=True,
        tls_client_ca_dir=tmp_path / "client-cas",
    )
    config = ClientConfig(
        f"127.0.0.1:{running.port}",
        ORG,
        "mychannel",
        ca_cert=server_ca_pem,
        client_cert=client_pem,
        client_key=client_key,
        server_name="localhost",
    )
    with OrchestratorClient(config) as client:
        client.wait_for_ready(10)
        assert client.query_version()
