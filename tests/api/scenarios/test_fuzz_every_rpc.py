"""Hypothesis-generated requests for every unary RPC: no answer is UNKNOWN or INTERNAL, and a rejected
request changes nothing (the channel's event log does not move)."""

import uuid
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor as d
from google.protobuf import message_factory
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from podium.api.generated import (
    computeplan_pb2,
    computetask_pb2,
    datamanager_pb2,
    datasample_pb2,
    dataset_pb2,
    event_pb2,
    failure_report_pb2,
    function_pb2,
    info_pb2,
    model_pb2,
    organization_pb2,
    performance_pb2,
    profiling_pb2,
)
from tests.api.scenarios.harness import ORG_A, Backend

MODULES = (
    organization_pb2,
    function_pb2,
    datamanager_pb2,
    datasample_pb2,
    dataset_pb2,
    computeplan_pb2,
    computetask_pb2,
    model_pb2,
    performance_pb2,
    failure_report_pb2,
    event_pb2,
    profiling_pb2,
    info_pb2,
)
UNARY = sorted(
    (service.full_name, method.name, method)
    for module in MODULES
    for service in module.DESCRIPTOR.services_by_name.values()
    for method in service.methods
    if not method.server_streaming
)
KNOWN_KEYS = [str(uuid.UUID(int=i)) for i in range(1, 4)]
STRINGS = st.one_of(
    st.sampled_from(["", "x", ORG_A, "OrgZMSP", "a" * 64, "http://backend.example/file", *KNOWN_KEYS]),
    st.uuids().map(str),
    st.text(max_size=120),
    st.just("é" * 300),
)


def scalar(field: d.FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == d.FieldDescriptor.TYPE_STRING:
        return STRINGS
    if kind == d.FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == d.FieldDescriptor.TYPE_ENUM:
        return st.one_of(
            st.sampled_from([v.number for v in field.enum_type.values]), st.integers(-5, 2**31 - 1)
        )
    if kind in (d.FieldDescriptor.TYPE_FLOAT, d.FieldDescriptor.TYPE_DOUBLE):
        return st.floats(allow_nan=True, allow_infinity=True, width=32)
    if kind in (d.FieldDescriptor.TYPE_UINT32, d.FieldDescriptor.TYPE_FIXED32):
        return st.integers(0, 2**32 - 1)
    if kind in (d.FieldDescriptor.TYPE_UINT64, d.FieldDescriptor.TYPE_FIXED64):
        return st.integers(0, 2**64 - 1)
    if kind in (d.FieldDescriptor.TYPE_INT64, d.FieldDescriptor.TYPE_SINT64, d.FieldDescriptor.TYPE_SFIXED64):
        return st.integers(-(2**63), 2**63 - 1)
    if kind == d.FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=16)
    return st.integers(-(2**31), 2**31 - 1)


def messages(descriptor: d.Descriptor, depth: int = 0) -> st.SearchStrategy[Any]:
    """Random instances of a message type: every field maybe set, nested up to three levels."""
    cls = message_factory.GetMessageClass(descriptor)
    if descriptor.full_name == "google.protobuf.Timestamp":
        return st.builds(lambda s: cls(seconds=s), st.integers(-62135596800, 253402300799))
    fields = {}
    for field in descriptor.fields:
        if field.type == d.FieldDescriptor.TYPE_MESSAGE:
            if depth >= 3:
                continue
            if field.message_type.GetOptions().map_entry:
                value_field = field.message_type.fields_by_name["value"]
                values = (
                    messages(value_field.message_type, depth + 1)
                    if value_field.message_type
                    else scalar(value_field)
                )
                fields[field.name] = st.dictionaries(STRINGS, values, max_size=3)
                continue
            inner = messages(field.message_type, depth + 1)
            fields[field.name] = st.lists(inner, max_size=3) if field.is_repeated else inner
        else:
            value = scalar(field)
            fields[field.name] = st.lists(value, max_size=3) if field.is_repeated else value

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        message = cls()
        for name, strategy in fields.items():
            if not draw(st.booleans()):
                continue
            value = draw(strategy)
            field = descriptor.fields_by_name[name]
            if field.type == d.FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
                target = getattr(message, name)
                for k, v in value.items():
                    if field.message_type.fields_by_name["value"].message_type:
                        target[k].CopyFrom(v)
                    else:
                        target[k] = v
            elif field.is_repeated:
                if field.type == d.FieldDescriptor.TYPE_MESSAGE:
                    getattr(message, name).extend(value)
                else:
                    getattr(message, name).extend(value)
            elif field.type == d.FieldDescriptor.TYPE_MESSAGE:
                getattr(message, name).CopyFrom(value)
            else:
                setattr(message, name, value)
        return message

    return build()


def head(backend: Backend) -> int:
    page = backend.call(
        backend.events.QueryEvents, event_pb2.QueryEventsParam(page_size=1, sort="DESCENDING")
    )
    return page.events[0].position if page.events else 0


@pytest.mark.slow
@pytest.mark.parametrize(("service", "method_name", "method"), UNARY, ids=[f"{s}/{m}" for s, m, _ in UNARY])
def test_random_requests_never_answer_unknown_or_internal(
    org_a: Backend, channel: grpc.Channel, service: str, method_name: str, method: d.MethodDescriptor
) -> None:
    org_a.call(org_a.organizations.RegisterOrganization, organization_pb2.RegisterOrganizationParam())
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    call = channel.unary_unary(
        f"/{service}/{method_name}",
        request_serializer=request_class.SerializeToString,
        response_deserializer=response_class.FromString,
    )

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(request=messages(method.input_type))
    def check(request: Any) -> None:
        before = head(org_a)
        refusal: grpc.RpcError | None = None
        try:
            call(request, metadata=org_a.metadata, timeout=30)
        except grpc.RpcError as error:
            refusal = error
        if refusal is not None:
            assert refusal.code() not in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL), (
                refusal.details()
            )
            assert refusal.details().startswith("OE0"), refusal.details()
            assert head(org_a) == before, "a rejected request changed the event log"

    check()
