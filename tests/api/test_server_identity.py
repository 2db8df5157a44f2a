"""Headers -> caller over a real server: refusals with their codes, exempt services, the caller seen
by unary and streaming handlers, and InfoService."""

import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

import podium
from podium.api.generated import info_pb2, info_pb2_grpc
from podium.api.identity import current_caller, new_request_id
from podium.api.server import RunningServer
from podium.domain.errors import InternalError
from tests.api.conftest import HEADERS, ORG1, ORG2, PROBE, Probe, call

FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    ("metadata", "code", "message"),
    [
        ((), FAILED_PRECONDITION, "OE0003: missing or invalid header 'mspid'"),
        ((("channel", "mychannel"),), FAILED_PRECONDITION, "OE0003: missing or invalid header 'mspid'"),
        (
            (("mspid", ""), ("channel", "mychannel")),
            FAILED_PRECONDITION,
            "OE0003: missing or invalid header 'mspid'",
        ),
        (
            (("mspid", ORG1), ("mspid", ORG2), ("channel", "mychannel")),
            FAILED_PRECONDITION,
            "OE0003: missing or invalid header 'mspid'",
        ),
        ((("mspid", ORG1),), FAILED_PRECONDITION, "OE0003: missing or invalid header 'channel'"),
        (
            (("mspid", ORG1), ("channel", "a"), ("channel", "b")),
            FAILED_PRECONDITION,
            "OE0003: missing or invalid header 'channel'",
        ),
        (
            (("mspid", "Stranger"), ("channel", "mychannel")),
            PERMISSION_DENIED,
            'OE0102: organization "Stranger" is unknown',
        ),
        (
            (("mspid", ORG1), ("channel", "yourchannel")),
            PERMISSION_DENIED,
            f'OE0102: organization "{ORG1}" has not access to channel "yourchannel"',
        ),
        (
            (("mspid", ORG1), ("channel", "nochannel")),
            PERMISSION_DENIED,
            f'OE0102: organization "{ORG1}" has not access to channel "nochannel"',
        ),
    ],
)
def test_refusals(channel: grpc.Channel, metadata: tuple, code: grpc.StatusCode, message: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        call(channel, "Whoami", metadata=metadata)
    assert raised.value.code() is code
    assert raised.value.details() == message


def test_streams_check_headers_too(channel: grpc.Channel) -> None:
    stream = channel.unary_stream(f"/{PROBE}/Stream")(b"", metadata=(("mspid", ORG1),), timeout=10)
    with pytest.raises(grpc.RpcError) as raised:
        next(stream)
    assert raised.value.code() is FAILED_PRECONDITION


def test_caller_reaches_the_handler_with_the_given_request_id(channel: grpc.Channel) -> None:
    metadata = (("mspid", ORG2), ("channel", "yourchannel"), ("reqid", "abc"), ("chaincode", "ignored"))
    assert call(channel, "Whoami", metadata=metadata) == f"{ORG2}|yourchannel|abc".encode()


def test_request_id_is_made_when_absent(channel: grpc.Channel) -> None:
    organization, channel_name, request_id = call(channel, "Whoami").decode().split("|")
    assert (organization, channel_name) == (ORG1, "mychannel")
    assert len(request_id) == 8
    int(request_id, 16)
    assert len(new_request_id()) == 8


def test_stream_handler_sees_the_caller_and_ends_on_shutdown(server: tuple[RunningServer, Probe]) -> None:
    running, probe = server
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as opened:
        stream = opened.unary_stream(f"/{PROBE}/Stream")(b"", metadata=HEADERS, timeout=20)
        assert next(stream).startswith(f"{ORG1}|mychannel|".encode())
        running.stop(grace=5)
        assert list(stream) == [b"bye"]
    assert probe.stream_ended.is_set()


def test_current_caller_outside_a_request_is_a_bug() -> None:
    with pytest.raises(InternalError):
        current_caller()


def test_health_and_reflection_need_no_headers(channel: grpc.Channel) -> None:
    answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    (response,) = list(reflection.ServerReflectionInfo(iter([request]), timeout=10))
    names = {service.name for service in response.list_services_response.service}
    assert {"orchestrator.InfoService", "grpc.health.v1.Health"} <= names


def test_query_version_needs_headers_and_answers_the_version(channel: grpc.Channel) -> None:
    stub = info_pb2_grpc.InfoServiceStub(channel)
    answer = stub.QueryVersion(info_pb2.QueryVersionParam(), metadata=HEADERS, timeout=10)
    assert answer.orchestrator == podium.__version__
    with pytest.raises(grpc.RpcError) as raised:
        stub.QueryVersion(info_pb2.QueryVersionParam(), timeout=10)
    assert raised.value.code() is FAILED_PRECONDITION


def test_metrics_and_healthz_over_http(server: tuple[RunningServer, Probe], channel: grpc.Channel) -> None:
    running, _ = server
    call(channel, "Whoami")
    with pytest.raises(grpc.RpcError):
        call(channel, "Whoami", metadata=())
    base = f"http://127.0.0.1:{running.http_port}"
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    assert 'grpc_server_handled_total{grpc_code="OK",grpc_method="Whoami"' in text
    assert 'grpc_code="FAILED_PRECONDITION",grpc_method="Whoami"' in text
    assert "grpc_server_handling_seconds_bucket" in text
    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
        assert response.status == 200
