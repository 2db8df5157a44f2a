"""The error -> status table is total, and the interceptor applies it to unary and streaming calls."""

import grpc
import pytest

from podium.api.errors import STATUS_BY_ERROR, code_of, status_of
from podium.app.ports import RetryableConflict, Unavailable
from podium.domain import errors
from podium.domain.ledger import LedgerBroken
from tests.api.conftest import PROBE, call, domain_error_types, make_error

EXPECTED = {
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.BadRequest: grpc.StatusCode.FAILED_PRECONDITION,
    errors.MissingHeader: grpc.StatusCode.FAILED_PRECONDITION,
    errors.InvalidTransition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Unimplemented: grpc.StatusCode.UNIMPLEMENTED,
    errors.InvalidAsset: grpc.StatusCode.INVALID_ARGUMENT,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.MissingTaskOutput: grpc.StatusCode.INVALID_ARGUMENT,
    errors.IncompatibleKind: grpc.StatusCode.INVALID_ARGUMENT,
    errors.CannotDisableOutput: grpc.StatusCode.FAILED_PRECONDITION,
    errors.PlanTerminated: grpc.StatusCode.FAILED_PRECONDITION,
    errors.TransactionConflict: grpc.StatusCode.ABORTED,
    errors.StorageUnavailable: grpc.StatusCode.UNAVAILABLE,
    errors.Overloaded: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.InternalError: grpc.StatusCode.INTERNAL,
    LedgerBroken: grpc.StatusCode.DATA_LOSS,
}


@pytest.mark.parametrize("error_type", domain_error_types(), ids=lambda t: t.__name__)
def test_every_domain_error_has_a_status(error_type: type[errors.DomainError]) -> None:
    assert error_type in {row[0] for row in STATUS_BY_ERROR}
    assert code_of(make_error(error_type)) is not None


def test_every_listed_error_type_is_covered() -> None:
    assert set(errors.ALL_ERROR_TYPES) <= set(EXPECTED)
    assert set(domain_error_types()) <= set(EXPECTED)


@pytest.mark.parametrize("error_type", list(EXPECTED), ids=lambda t: t.__name__)
def test_each_error_gets_its_design_code_and_its_own_text(error_type: type[errors.DomainError]) -> None:
    error = make_error(error_type)
    assert status_of(error, "abcd1234") == (EXPECTED[error_type], str(error))


def test_no_row_is_shadowed_by_a_more_general_one_above_it() -> None:
    types = [row[0] for row in STATUS_BY_ERROR]
    for index, error_type in enumerate(types):
        assert not any(issubclass(error_type, above) for above in types[:index]), error_type


def test_unforeseen_exception_is_internal_with_request_id_and_no_leak() -> None:
    code, message = status_of(KeyError("secret-table"), "deadbeef")
    assert code is grpc.StatusCode.INTERNAL
    assert message == "OE0007: internal error (request id deadbeef)"


@pytest.mark.parametrize(
    ("error", "code"),
    [(RetryableConflict(), grpc.StatusCode.ABORTED), (Unavailable(), grpc.StatusCode.UNAVAILABLE)],
)
def test_store_signals_keep_their_meaning(error: Exception, code: grpc.StatusCode) -> None:
    assert status_of(error, "r")[0] is code
    assert status_of(error, "r")[1].startswith("OE00")


@pytest.mark.parametrize("error_type", list(EXPECTED), ids=lambda t: t.__name__)
def test_unary_handler_errors_reach_the_client_mapped(channel: grpc.Channel, error_type: type) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        call(channel, "Raise", error_type.__name__.encode())
    assert raised.value.code() is EXPECTED[error_type]
    assert raised.value.details() == str(make_error(error_type))


def test_unary_crash_is_internal_and_logged_with_request_id(
    channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    metadata = (("mspid", "Org1MSP"), ("channel", "mychannel"), ("reqid", "req-42"))
    with pytest.raises(grpc.RpcError) as raised:
        call(channel, "Raise", b"ValueError", metadata=metadata)
    assert raised.value.code() is grpc.StatusCode.INTERNAL
    assert raised.value.details() == "OE0007: internal error (request id req-42)"
    crash = [r for r in caplog.records if r.name == "podium.api.interceptors"]
    assert crash
    assert crash[-1].exc_info is not None
    assert "req-42" in crash[-1].getMessage()


def test_stream_errors_are_mapped_after_the_first_message(channel: grpc.Channel) -> None:
    stream = channel.unary_stream(f"/{PROBE}/RaiseInStream")(
        b"PlanTerminated", metadata=(("mspid", "Org1MSP"), ("channel", "mychannel")), timeout=10
    )
    first = next(stream)
    assert first.startswith(b"Org1MSP|mychannel|")
    with pytest.raises(grpc.RpcError) as raised:
        next(stream)
    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert raised.value.details().startswith("OE0109: ")


def test_stream_crash_is_internal(channel: grpc.Channel) -> None:
    stream = channel.unary_stream(f"/{PROBE}/RaiseInStream")(
        b"ValueError", metadata=(("mspid", "Org1MSP"), ("channel", "mychannel")), timeout=10
    )
    with pytest.raises(grpc.RpcError) as raised:
        list(stream)
    assert raised.value.code() is grpc.StatusCode.INTERNAL
