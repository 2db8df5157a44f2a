"""The status -> exception mapping and the "already done" rule, without a network."""

import grpc
import pytest

from podium.client import errors
from podium.client.errors import (
    ERROR_BY_CODE,
    RETRYABLE_CODES,
    AlreadyExists,
    FailedPrecondition,
    InvalidTransition,
    OrchestratorError,
    TransientError,
    error_from_status,
    is_already_done,
)
from podium.domain import errors as domain_errors
from podium.domain.kinds import FunctionAction, PlanAction, TaskAction

SC = grpc.StatusCode


def transition_error(current: str, transition: str = "transitionDone") -> OrchestratorError:
    return error_from_status(
        SC.FAILED_PRECONDITION, f"OE0104: event {transition} inappropriate in current state {current}"
    )


def test_every_status_code_but_ok_has_a_class() -> None:
    assert set(ERROR_BY_CODE) == set(SC) - {SC.OK}


def test_exactly_the_retryable_codes_are_transient() -> None:
    transient = {code for code, error_type in ERROR_BY_CODE.items() if issubclass(error_type, TransientError)}
    assert transient == RETRYABLE_CODES == {SC.UNAVAILABLE, SC.ABORTED, SC.DEADLINE_EXCEEDED}


def test_every_domain_error_the_server_sends_maps_to_a_client_class_of_its_code() -> None:
    # The server's table (podium.api.errors) decides the code; the client's class follows the code.
    from podium.api.errors import STATUS_BY_ERROR

    for error_type, code in STATUS_BY_ERROR:
        client_type = ERROR_BY_CODE[code]
        assert issubclass(client_type, OrchestratorError), error_type
        assert client_type.__module__ == errors.__name__


def test_the_oe_prefix_is_split_from_the_message() -> None:
    error = error_from_status(SC.ALREADY_EXISTS, 'OE0006: function with key "k" already exists')
    assert isinstance(error, AlreadyExists)
    assert (error.oe_code, error.message) == ("OE0006", 'function with key "k" already exists')
    assert str(error).startswith("ALREADY_EXISTS: OE0006: function with key")


def test_a_failed_precondition_without_oe0104_is_not_a_transition() -> None:
    error = error_from_status(SC.FAILED_PRECONDITION, "OE0003: no task to register")
    assert type(error) is FailedPrecondition


def test_an_invalid_transition_exposes_transition_and_current_status() -> None:
    error = transition_error("STATUS_DONE")
    assert isinstance(error, InvalidTransition)
    assert (error.transition, error.current_status) == ("transitionDone", "STATUS_DONE")


def test_the_domain_text_of_an_invalid_transition_parses() -> None:
    domain = domain_errors.InvalidTransition("transitionCanceled", "STATUS_FAILED")
    error = error_from_status(SC.FAILED_PRECONDITION, str(domain))
    assert isinstance(error, InvalidTransition)
    assert error.current_status == "STATUS_FAILED"


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        ("STATUS_DONE", TaskAction.DONE, True),
        ("STATUS_CANCELED", TaskAction.CANCELED, True),
        ("STATUS_FAILED", TaskAction.FAILED, True),
        ("STATUS_CANCELED", TaskAction.DONE, False),
        ("STATUS_EXECUTING", TaskAction.EXECUTING, False),  # the fence: another worker may hold it
        ("FUNCTION_STATUS_READY", FunctionAction.READY, True),
        ("FUNCTION_STATUS_BUILDING", FunctionAction.BUILDING, False),
        ("FUNCTION_STATUS_FAILED", FunctionAction.READY, False),
    ],
)
def test_is_already_done_for_actions(current: str, action: str, expected: bool) -> None:
    assert is_already_done(transition_error(current), action) is expected


def test_is_already_done_for_registrations_and_plans() -> None:
    exists = error_from_status(SC.ALREADY_EXISTS, "OE0006: computetask already exists")
    terminated = error_from_status(SC.FAILED_PRECONDITION, "OE0109: compute plan p is already terminated")
    assert is_already_done(exists)
    assert not is_already_done(exists, TaskAction.DONE)
    assert is_already_done(terminated, PlanAction.CANCELED)
    assert not is_already_done(error_from_status(SC.NOT_FOUND, "OE0002: x"), PlanAction.CANCELED)
    assert not is_already_done(ValueError("not an orchestrator error"))
