"""SubscribeToEvents: replay then live, no gap and no duplicate across a server restart, channels never
leak, many subscribers get the same sequence."""

import threading
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from podium.api.generated import event_pb2, organization_pb2
from podium.api.server import RunningServer
from tests.api.scenarios.harness import (
    CHANNEL,
    ORG_A,
    ORG_B,
    OTHER_CHANNEL,
    Backend,
    key,
    register_data_manager,
    sqlite_url,
    start_server,
)


def register_data_managers(backend: Backend, count: int) -> None:
    for _ in range(count):
        register_data_manager(backend)


def take(stream: Iterator[event_pb2.Event], count: int) -> list[event_pb2.Event]:
    return [next(stream) for _ in range(count)]


@pytest.fixture
def registered(org_a: Backend, org_b: Backend) -> tuple[Backend, Backend]:
    for backend in (org_a, org_b):
        backend.call(backend.organizations.RegisterOrganization, organization_pb2.RegisterOrganizationParam())
    return org_a, org_b


def test_replay_then_live_in_order_and_exclusive_start(registered: tuple[Backend, Backend]) -> None:
    org_a, _ = registered
    register_data_managers(org_a, 5)
    history = org_a.all_events()
    stream = org_a.subscribe(history[2].id)
    replayed = take(stream, len(history) - 3)
    assert [e.id for e in replayed] == [e.id for e in history[3:]]
    register_data_managers(org_a, 5)
    live = take(stream, 5)
    stream.cancel()
    positions = [e.position for e in replayed + live]
    assert positions == list(range(4, len(history) + 6))
    assert all(e.asset_kind == 4 for e in live)


def test_an_unknown_start_event_is_not_found(registered: tuple[Backend, Backend]) -> None:
    org_a, _ = registered
    with pytest.raises(grpc.RpcError) as refused:
        next(org_a.subscribe(key()))
    assert refused.value.code() is grpc.StatusCode.NOT_FOUND


def test_channels_never_leak(registered: tuple[Backend, Backend], channel: grpc.Channel) -> None:
    org_a, _ = registered
    other = Backend(channel, ORG_B, OTHER_CHANNEL)
    other.call(other.organizations.RegisterOrganization, organization_pb2.RegisterOrganizationParam())
    register_data_managers(org_a, 3)
    other_events = other.all_events()
    assert {e.channel for e in other_events} == {OTHER_CHANNEL}
    assert len(other_events) == 1
    assert {e.channel for e in org_a.all_events()} == {CHANNEL}
    stream = other.subscribe("")
    assert next(stream).id == other_events[0].id
    stream.cancel()


def test_twenty_subscribers_receive_the_same_sequence(registered: tuple[Backend, Backend]) -> None:
    org_a, org_b = registered
    register_data_managers(org_a, 3)
    expected = 2 + 3 + 10
    streams = [(org_a if i % 2 else org_b).subscribe("") for i in range(20)]
    received: list[list[str]] = [[] for _ in streams]

    def consume(index: int) -> None:
        for event in streams[index]:
            received[index].append(event.id)
            if len(received[index]) == expected:
                return

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(len(streams))]
    for thread in threads:
        thread.start()
    register_data_managers(org_b, 10)
    for thread in threads:
        thread.join(timeout=60)
    for stream in streams:
        stream.cancel()
    ids = [e.id for e in org_a.all_events()]
    assert all(sequence == ids for sequence in received)


def test_a_client_resumes_across_a_server_restart_without_gap_or_duplicate(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    server: RunningServer = start_server(url)
    received: list[event_pb2.Event] = []
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as opened:
            org_a = Backend(opened, ORG_A)
            org_a.call(org_a.organizations.RegisterOrganization, organization_pb2.RegisterOrganizationParam())
            register_data_managers(org_a, 4)
            stream = org_a.subscribe("")
            received.extend(take(stream, 3))
            stream.cancel()
    finally:
        server.stop(grace=1.0)
    server = start_server(url)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as opened:
            org_a = Backend(opened, ORG_A)
            register_data_managers(org_a, 4)
            stream = org_a.subscribe(received[-1].id)
            received.extend(take(stream, 6))
            stream.cancel()
            history = org_a.all_events()
    finally:
        server.stop(grace=1.0)
    assert [e.id for e in received] == [e.id for e in history]
    assert [e.position for e in received] == list(range(1, 10))


def test_shutdown_ends_open_streams(tmp_path: Path) -> None:
    server = start_server(sqlite_url(tmp_path))
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as opened:
        org_a = Backend(opened, ORG_A)
        org_a.call(org_a.organizations.RegisterOrganization, organization_pb2.RegisterOrganizationParam())
        stream = org_a.subscribe("")
        assert next(stream).asset_kind == 1
        stopper = threading.Thread(target=server.stop, kwargs={"grace": 5.0})
        stopper.start()
        ended = False
        try:
            for _ in stream:
                pass
            ended = True
        except grpc.RpcError as error:
            ended = error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
        stopper.join(timeout=30)
    assert ended
    assert not stopper.is_alive()


def test_subscribers_past_the_limit_are_refused_and_requests_still_answer(tmp_path: Path) -> None:
    server = start_server(sqlite_url(tmp_path), max_subscribers=2, threads=2)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as opened:
            org_a = Backend(opened, ORG_A)
            org_a.call(org_a.organizations.RegisterOrganization, organization_pb2.RegisterOrganizationParam())
            streams = [org_a.subscribe("") for _ in range(2)]
            assert [next(stream).asset_kind for stream in streams] == [1, 1]
            with pytest.raises(grpc.RpcError) as refused:
                next(org_a.subscribe(""))
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refused.value.details().startswith("OE0012: ")
            for _ in range(4):  # more unary calls than unary threads, while both streams stay open
                register_data_managers(org_a, 1)
            assert len(org_a.all_events()) == 5
            for stream in streams:
                stream.cancel()
    finally:
        server.stop(grace=1.0)
