"""The client against the fake server over real loopback gRPC: headers, error mapping, retries,
pagination and the event stream."""

import threading

import grpc
import pytest

from podium.api.generated import computetask_pb2, event_pb2
from podium.client import (
    AlreadyExists,
    ClientConfig,
    Internal,
    InvalidArgument,
    InvalidTransition,
    NotFound,
    OrchestratorClient,
    OrchestratorError,
    RetrySettings,
    Unavailable,
    is_already_done,
)
from podium.domain.kinds import TaskAction
from tests.client.conftest import CHANNEL, MSPID, Sleeps, config_for
from tests.client.fake_server import Failure, FakeState

SC = grpc.StatusCode


def test_every_call_sends_mspid_channel_and_a_fresh_reqid(
    client: OrchestratorClient, state: FakeState
) -> None:
    assert client.query_version() == "fake-1.0"
    client.query_version()
    first, second = state.calls_of("QueryVersion")
    for call in (first, second):
        assert call.headers["mspid"] == [MSPID]
        assert call.headers["channel"] == [CHANNEL]
        assert len(call.headers["reqid"]) == 1
        assert call.headers["reqid"][0]
    assert first.headers["reqid"] != second.headers["reqid"]


def test_for_channel_sends_the_other_channel_on_the_same_connection(
    client: OrchestratorClient, state: FakeState
) -> None:
    view = client.for_channel("yourchannel")
    view.query_version()
    view.close()  # leaves the shared connection open
    client.query_version()
    assert [call.headers["channel"] for call in state.calls_of("QueryVersion")] == [
        ["yourchannel"],
        [CHANNEL],
    ]
    assert view.channel == "yourchannel"
    assert client.channel == CHANNEL


@pytest.mark.parametrize(
    ("code", "message", "expected_type", "oe_code"),
    [
        (SC.NOT_FOUND, 'OE0002: computetask with key "k" not found', NotFound, "OE0002"),
        (SC.INVALID_ARGUMENT, "OE0101: computetask is not valid: key: bad", InvalidArgument, "OE0101"),
        (
            SC.FAILED_PRECONDITION,
            "OE0104: event transitionDone inappropriate in current state STATUS_DONE",
            InvalidTransition,
            "OE0104",
        ),
        (SC.INTERNAL, "OE0007: internal error (request id abc)", Internal, "OE0007"),
        (SC.UNKNOWN, "no prefix here", Internal, ""),
    ],
)
def test_statuses_become_the_mapped_error_with_their_oe_code(
    *,
    client: OrchestratorClient,
    state: FakeState,
    code: grpc.StatusCode,
    message: str,
    expected_type: type[OrchestratorError],
    oe_code: str,
) -> None:
    state.fail("GetTask", Failure(code, message))
    with pytest.raises(expected_type) as raised:
        client.get_task("k")
    assert raised.value.code == code
    assert raised.value.oe_code == oe_code
    assert raised.value.message == message.removeprefix(f"{oe_code}: " if oe_code else "")
    assert raised.value.method == "ComputeTaskService/GetTask"
    assert raised.value.request_id == state.calls_of("GetTask")[0].headers["reqid"][0]
    assert len(state.calls_of("GetTask")) == 1


def test_a_missing_task_is_not_found_from_the_server_answer(client: OrchestratorClient) -> None:
    with pytest.raises(NotFound) as raised:
        client.get_task("nope")
    assert raised.value.oe_code == "OE0002"


def test_unavailable_is_retried_with_the_same_reqid_then_succeeds(
    client: OrchestratorClient, state: FakeState, sleeps: Sleeps
) -> None:
    state.fail(
        "QueryVersion", Failure(SC.UNAVAILABLE, "OE0009: storage unavailable"), Failure(SC.UNAVAILABLE)
    )
    assert client.query_version() == "fake-1.0"
    calls = state.calls_of("QueryVersion")
    assert len(calls) == 3
    assert len({call.headers["reqid"][0] for call in calls}) == 1
    assert len(sleeps.seconds) == 2
    assert 0 <= sleeps.seconds[0] <= 0.1
    assert 0 <= sleeps.seconds[1] <= 0.2


def test_invalid_argument_is_never_retried(
    client: OrchestratorClient, state: FakeState, sleeps: Sleeps
) -> None:
    state.fail("GetTask", Failure(SC.INVALID_ARGUMENT, "OE0101: bad key"))
    with pytest.raises(InvalidArgument):
        client.get_task("k")
    assert len(state.calls_of("GetTask")) == 1
    assert sleeps.seconds == []


def test_retries_stop_after_max_attempts_with_the_last_error(
    client: OrchestratorClient, state: FakeState, sleeps: Sleeps
) -> None:
    state.fail("QueryVersion", *[Failure(SC.UNAVAILABLE, f"down {n}") for n in range(10)])
    with pytest.raises(Unavailable) as raised:
        client.query_version()
    assert raised.value.attempts == 4
    assert raised.value.message == "down 3"
    assert len(state.calls_of("QueryVersion")) == 4


def test_a_deadline_exceeded_attempt_is_retried(fake: tuple[FakeState, int], sleeps: Sleeps) -> None:
    state, port = fake
    state.fail("QueryVersion", Failure(None, delay=1.0))  # answers too late for the first deadline
    with OrchestratorClient(config_for(port, call_timeout=0.2), sleep=sleeps) as client:
        assert client.query_version() == "fake-1.0"
    assert len(state.calls_of("QueryVersion")) == 2


def test_a_retried_registration_that_committed_is_recognized_as_already_done(
    client: OrchestratorClient, state: FakeState
) -> None:
    task = computetask_pb2.NewComputeTask(key="t1")
    # The first attempt commits but its answer is lost; the retry finds the key taken.
    state.registered.add("t1")
    state.fail("RegisterTasks", Failure(SC.ABORTED, "OE0008: transaction conflict"))
    with pytest.raises(AlreadyExists) as raised:
        client.register_tasks([task])
    assert raised.value.attempts == 2
    assert is_already_done(raised.value)


def test_an_already_done_task_action_is_recognized(client: OrchestratorClient, state: FakeState) -> None:
    state.fail(
        "ApplyTaskAction",
        Failure(
            SC.FAILED_PRECONDITION, "OE0104: event transitionDone inappropriate in current state STATUS_DONE"
        ),
    )
    with pytest.raises(InvalidTransition) as raised:
        client.apply_task_action("t1", TaskAction.DONE, log="task completed")
    request = state.calls_of("ApplyTaskAction")[0].request
    assert request.action == computetask_pb2.TASK_ACTION_DONE
    assert request.log == "task completed"
    assert is_already_done(raised.value, TaskAction.DONE)
    assert not is_already_done(raised.value, TaskAction.CANCELED)


def test_writes_are_not_retried_when_retry_writes_is_off(fake: tuple[FakeState, int], sleeps: Sleeps) -> None:
    state, port = fake
    state.fail("ApplyTaskAction", Failure(SC.UNAVAILABLE))
    config = config_for(port, retry=RetrySettings(retry_writes=False))
    with OrchestratorClient(config, sleep=sleeps) as client, pytest.raises(Unavailable):
        client.apply_task_action("t1", TaskAction.EXECUTING)
    assert len(state.calls_of("ApplyTaskAction")) == 1


def test_query_tasks_follows_page_tokens(client: OrchestratorClient, state: FakeState) -> None:
    state.tasks = [computetask_pb2.ComputeTask(key=f"t{n}", worker="Org1MSP") for n in range(7)]
    state.tasks.append(computetask_pb2.ComputeTask(key="other", worker="Org2MSP"))
    tasks = list(client.query_tasks(worker="Org1MSP", page_size=3))
    assert [task.key for task in tasks] == [f"t{n}" for n in range(7)]
    calls = state.calls_of("QueryTasks")
    assert [call.request.page_token for call in calls] == ["", "3", "6"]
    assert {call.request.filter.worker for call in calls} == {"Org1MSP"}
    assert {call.request.page_size for call in calls} == {3}


def test_pagination_fetches_pages_lazily(client: OrchestratorClient, state: FakeState) -> None:
    state.tasks = [computetask_pb2.ComputeTask(key=f"t{n}") for n in range(10)]
    iterator = client.query_tasks(page_size=2)
    assert state.calls_of("QueryTasks") == []
    assert next(iterator).key == "t0"
    assert len(state.calls_of("QueryTasks")) == 1


def test_a_repeated_page_token_ends_the_iteration_with_internal(
    client: OrchestratorClient, state: FakeState
) -> None:
    state.tasks = [computetask_pb2.ComputeTask(key=f"t{n}") for n in range(10)]
    state.repeat_token = True
    with pytest.raises(Internal):
        list(client.query_tasks(page_size=2))
    assert len(state.calls_of("QueryTasks")) == 2


def test_subscribe_replays_from_the_cursor_and_cancels_from_another_thread(
    client: OrchestratorClient, state: FakeState
) -> None:
    state.events = [event_pb2.Event(id=f"e{n}", asset_key=f"k{n}") for n in range(4)]
    stream = client.subscribe("e1", channel="yourchannel")
    received = [next(stream).id, next(stream).id]
    assert received == ["e2", "e3"]
    assert state.calls_of("SubscribeToEvents")[0].headers["channel"] == ["yourchannel"]

    ended: list[str] = []

    def consume() -> None:
        for event in stream:  # blocks: nothing more comes
            ended.append(event.id)
        ended.append("stopped")

    consumer = threading.Thread(target=consume)
    consumer.start()
    stream.cancel()
    consumer.join(10)
    assert not consumer.is_alive()
    assert ended == ["stopped"]
    assert stream.cancelled
    assert state.stream_ended.wait(10)


def test_subscribe_as_a_context_manager_cancels_on_exit(client: OrchestratorClient, state: FakeState) -> None:
    state.events = [event_pb2.Event(id="e0")]
    with client.subscribe() as stream:
        assert next(stream).id == "e0"
    assert state.stream_ended.wait(10)
    with pytest.raises(StopIteration):
        next(stream)


def test_a_stream_cut_by_the_server_raises_unavailable(fake: tuple[FakeState, int]) -> None:
    state, port = fake
    state.fail("SubscribeToEvents", Failure(SC.UNAVAILABLE, "shutting down"))
    with OrchestratorClient(config_for(port)) as client, pytest.raises(Unavailable):
        next(client.subscribe())


def test_an_injected_channel_is_used_and_left_open(fake: tuple[FakeState, int]) -> None:
    state, port = fake
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        config = ClientConfig(target="ignored:1", mspid="Org2MSP", channel=CHANNEL, insecure=True)
        with OrchestratorClient(config, grpc_channel=channel) as client:
            client.register_organization("https://org2.example")
        # Still usable after the client closed: the caller owns it.
        OrchestratorClient(config, grpc_channel=channel).query_version()
    call = state.calls_of("RegisterOrganization")[0]
    assert call.headers["mspid"] == ["Org2MSP"]
    assert call.request.address == "https://org2.example"
    assert len(state.calls_of("QueryVersion")) == 1


def test_wait_for_ready_fails_as_unavailable_when_nothing_listens(unused_port: int) -> None:
    config = ClientConfig(target=f"127.0.0.1:{unused_port}", mspid=MSPID, channel=CHANNEL, insecure=True)
    with OrchestratorClient(config) as client, pytest.raises(Unavailable):
        client.wait_for_ready(0.2)
