"""Live fan-out through the shared channel feed (``podium.api.feed``), over real gRPC sockets on SQLite
and PostgreSQL: many subscribers get the same gap-free sequence, live events are read once per channel
whatever the number of subscribers, and a subscriber from an old event replays the whole history (past
the feed's cache window) before following live."""

import threading
import time

import grpc
import pytest

from podium.api.channels import ChannelConfig, ChannelRegistry
from podium.api.feed import CAPACITY
from podium.api.generated import datasample_pb2, event_pb2, organization_pb2
from podium.api.server import RunningServer, build_server
from podium.api.settings import Settings
from podium.app.service import Orchestrator
from podium.store.database import open_database
from tests.api.scenarios.harness import (
    CHANNEL,
    ORG_A,
    ORG_B,
    ORG_C,
    OTHER_CHANNEL,
    Backend,
    key,
    register_data_manager,
    sqlite_url,
)

WAIT_SECONDS = 60.0


class Follower:
    """One ``SubscribeToEvents`` stream consumed by a thread, recording every event it receives."""

    def __init__(self, backend: Backend, start_event_id: str = "") -> None:
        self._stream = backend.subscribe(start_event_id)
        self._lock = threading.Lock()
        self._received: list[event_pb2.Event] = []
        self.error: grpc.RpcError | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for event in self._stream:
                with self._lock:
                    self._received.append(event)
        except grpc.RpcError as error:
            if error.code() is not grpc.StatusCode.CANCELLED:
                self.error = error

    @property
    def received(self) -> list[event_pb2.Event]:
        with self._lock:
            return list(self._received)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def close(self) -> None:
        self._stream.cancel()  # type: ignore[attr-defined]
        self._thread.join(timeout=10)


def wait_until_all_have(followers: list[Follower], count: int) -> None:
    """Block (bounded) until every follower has received ``count`` events; fail otherwise."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if all(f.count() >= count for f in followers):
            return
        errors = [f.error for f in followers if f.error is not None]
        assert errors == []
        time.sleep(0.005)
    counts = sorted(f.count() for f in followers)
    pytest.fail(f"followers did not all receive {count} events in time: {counts}")


def register_organizations(*backends: Backend) -> None:
    for backend in backends:
        backend.call(backend.organizations.RegisterOrganization, organization_pb2.RegisterOrganizationParam())


def test_twenty_subscribers_joining_while_a_writer_appends_get_the_same_gap_free_sequence(
    org_a: Backend, org_b: Backend
) -> None:
    register_organizations(org_a, org_b)
    writes = 40
    written = threading.Semaphore(0)
    writer_errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(writes):
                register_data_manager(org_a)
                written.release()
        except BaseException as error:  # reported below
            writer_errors.append(error)
            for _ in range(writes):
                written.release()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    followers: list[Follower] = []
    try:
        # Subscribers join one every two writes: the first ones follow live from the start, the later
        # ones replay what was written before them, then join the live tail.
        for index in range(20):
            if index % 2 == 0:
                assert written.acquire(timeout=WAIT_SECONDS)
                assert written.acquire(timeout=WAIT_SECONDS)
            followers.append(Follower(org_a if index % 2 else org_b))
        writer.join(timeout=WAIT_SECONDS)
        assert not writer.is_alive()
        assert writer_errors == []
        expected = 2 + writes
        wait_until_all_have(followers, expected)
        history = org_a.all_events()
    finally:
        for follower in followers:
            follower.close()
    assert [e.position for e in history] == list(range(1, expected + 1))
    for follower in followers:
        assert follower.error is None
        received = follower.received
        assert [e.id for e in received] == [e.id for e in history]
        assert [e.position for e in received] == list(range(1, expected + 1))
        assert received == history  # every field, asset included


class CountingTelemetry:
    """The orchestrator's telemetry port, counting read-only transactions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reads = 0

    @property
    def reads(self) -> int:
        with self._lock:
            return self._reads

    def transaction_retried(self) -> None:
        return None

    def transaction_finished(self, read_only: bool, committed: bool) -> None:
        if read_only:
            with self._lock:
                self._reads += 1


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgres":
        url: str = request.getfixturevalue("clean_postgres_url")
        return url
    return sqlite_url(tmp_path_factory.mktemp("orchestrator"))


def counted_server(database_url: str, telemetry: CountingTelemetry) -> RunningServer:
    settings = Settings(insecure=True, listen="127.0.0.1:0", http_listen="").check()
    channels = ChannelRegistry(
        ChannelConfig.parse({"channels": {CHANNEL: [ORG_A, ORG_B, ORG_C], OTHER_CHANNEL: [ORG_A, ORG_B]}})
    )
    database = open_database(database_url)
    return build_server(settings, database, Orchestrator(database, telemetry=telemetry), channels=channels)


@pytest.mark.parametrize("subscribers", [1, 20])
def test_live_events_are_read_once_per_channel_whatever_the_number_of_subscribers(
    database_url: str, subscribers: int
) -> None:
    telemetry = CountingTelemetry()
    server = counted_server(database_url, telemetry)
    followers: list[Follower] = []
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as opened:
            org_a = Backend(opened, ORG_A)
            register_organizations(org_a)
            followers = [Follower(org_a) for _ in range(subscribers)]
            wait_until_all_have(followers, 1)  # every stream replayed, so every stream is live
            before = telemetry.reads
            events = 12
            for written in range(1, events + 1):
                register_data_manager(org_a)
                wait_until_all_have(followers, 1 + written)
            live_reads = telemetry.reads - before
            history = org_a.all_events()
    finally:
        for follower in followers:
            follower.close()
        server.stop(grace=1.0)
    assert all([e.id for e in f.received] == [e.id for e in history] for f in followers)
    # One read per event, two at most (on PostgreSQL a commit wakes the reader twice: in process and
    # by NOTIFY), plus a spurious wake-up or two: never one per subscriber (that would be 240 here).
    assert live_reads <= 2 * events + 2, live_reads


def test_a_subscriber_from_an_old_event_replays_past_the_cache_window_then_follows_live(
    org_a: Backend, org_b: Backend
) -> None:
    register_organizations(org_a, org_b)
    manager = register_data_manager(org_a)
    first, *_, last = org_a.all_events()
    samples = CAPACITY + 300
    per_call = 500
    stored = 3 + samples
    live = Follower(org_a, last.id)  # follows the feed, which caches what it reads for everyone
    late: Follower | None = None
    try:
        for start in range(0, samples, per_call):
            org_a.call(
                org_a.data_samples.RegisterDataSamples,
                datasample_pb2.RegisterDataSamplesParam(
                    samples=[
                        datasample_pb2.NewDataSample(
                            key=key(), data_manager_keys=[manager], checksum="c" * 64
                        )
                        for _ in range(min(per_call, samples - start))
                    ]
                ),
            )
        wait_until_all_have([live], samples)
        # The feed now holds only the newest CAPACITY events: position 2 is far behind its window.
        late = Follower(org_b, first.id)
        wait_until_all_have([late], stored - 1)
        for _ in range(3):
            register_data_manager(org_b)
        wait_until_all_have([live], samples + 3)
        wait_until_all_have([late], stored + 2)
        history = org_a.all_events()
    finally:
        live.close()
        if late is not None:
            late.close()
    assert len(history) == stored + 3
    assert [e.position for e in late.received] == list(range(2, stored + 4))
    assert [e.id for e in late.received] == [e.id for e in history[1:]]
    assert [e.id for e in live.received] == [e.id for e in history[3:]]
    assert [e.asset_kind for e in late.received[-4:]] == [3, 4, 4, 4]  # last sample, then the live ones
