"""The shared channel feed (``podium.api.feed``) over a real database (SQLite file and PostgreSQL), driven
directly with a small cache: streams behind the window read on their own and miss nothing, a failed
read ends only the stream that was reading and the others carry on, and the feed's streams give what
``Orchestrator.subscribe`` gives."""

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest

from podium.api.feed import Feeds
from podium.api.generated import event_pb2
from podium.app.ports import Transaction, Unavailable
from podium.app.service import Caller, Orchestrator
from podium.domain.errors import StorageUnavailable
from podium.store.database import SqlDatabase, open_database
from tests.app.world import World

WAIT_SECONDS = 30.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[SqlDatabase]:
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        opened = open_database(url, auto_migrate=True)
    else:
        opened = open_database(f"sqlite:///{tmp_path}/podium.db")
    yield opened
    opened.close()


class FailingReads:
    """The real database, except that the next ``failures`` read-only transactions raise
    ``Unavailable`` (as a lost connection would)."""

    def __init__(self, database: SqlDatabase) -> None:
        self._database = database
        self._lock = threading.Lock()
        self._failures = 0

    def fail_next_reads(self, count: int) -> None:
        with self._lock:
            self._failures = count

    def transaction(self, channel: str, *, read_only: bool) -> AbstractContextManager[Transaction]:
        if read_only:
            with self._lock:
                if self._failures > 0:
                    self._failures -= 1
                    raise Unavailable("injected: connection lost")
        return self._database.transaction(channel, read_only=read_only)

    def wait_for_events(self, channel: str, after_position: int, timeout: float) -> bool:
        return self._database.wait_for_events(channel, after_position, timeout)


class Stream:
    """One ``Feeds.subscribe`` stream consumed by a thread, recording positions (or its error)."""

    def __init__(self, feeds: Feeds, caller: Caller, start_event_id: str = "") -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._messages: list[event_pb2.Event] = []
        self.error: BaseException | None = None
        self._iterator = feeds.subscribe(caller, start_event_id, self.stop)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for message in self._iterator:
                with self._lock:
                    self._messages.append(message)
        except Exception as error:  # recorded for the test to assert on
            self.error = error

    @property
    def positions(self) -> list[int]:
        with self._lock:
            return [m.position for m in self._messages]

    @property
    def ids(self) -> list[str]:
        with self._lock:
            return [m.id for m in self._messages]

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=10)
        assert not self._thread.is_alive()


def wait_for(condition: object, what: str) -> None:
    """Poll ``condition()`` (bounded); fail with ``what`` when it stays false."""
    assert callable(condition)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.005)
    pytest.fail(f"timed out waiting for {what}")


def test_streams_behind_the_cache_window_read_on_their_own_and_miss_nothing(database: SqlDatabase) -> None:
    orchestrator = Orchestrator(database)
    world = World(orchestrator, f"channel-{uuid.uuid4().hex[:12]}")  # two events: the organizations
    feeds = Feeds(orchestrator, batch_size=3, wait_seconds=0.2, capacity=4)
    feed = feeds.feed(world.channel)
    live = Stream(feeds, world.caller(), world.events()[-1].id)
    streams = [live]
    try:
        for _ in range(12):
            world.plan()
        wait_for(lambda: live.positions[-1:] == [14], "the live stream to reach position 14")
        window = feed.window()
        assert window is not None
        assert window[0] > 3  # what the late streams need first is no longer cached
        late = [Stream(feeds, world.caller(), world.events()[0].id) for _ in range(3)]
        streams += late
        for _ in range(5):
            world.plan()
        wait_for(lambda: all(s.positions[-1:] == [19] for s in streams), "every stream to reach 19")
    finally:
        for stream in streams:
            stream.close()
    assert [s.error for s in streams] == [None] * 4
    assert live.positions == list(range(3, 20))
    ids = [e.id for e in world.events()]
    for stream in late:
        assert stream.positions == list(range(2, 20))
        assert stream.ids == ids[1:]


def test_a_failed_read_ends_only_the_reading_stream_and_the_feed_carries_on(database: SqlDatabase) -> None:
    failing = FailingReads(database)
    orchestrator = Orchestrator(failing)
    world = World(orchestrator, f"channel-{uuid.uuid4().hex[:12]}")
    feeds = Feeds(orchestrator, batch_size=50, wait_seconds=0.2)
    start = world.events()[-1].id
    streams = [Stream(feeds, world.caller(), start) for _ in range(4)]
    try:
        world.plan()  # every stream replayed (none left) and follows the feed once it has this one
        wait_for(lambda: all(s.positions == [3] for s in streams), "every stream to be live")
        failing.fail_next_reads(1)
        for _ in range(3):
            world.plan()
        wait_for(
            lambda: (
                all(s.error is not None or s.positions[-1:] == [6] for s in streams)
                and any(s.error is not None for s in streams)
            ),
            "one stream to fail and the others to reach 6",
        )
        failed = [s for s in streams if s.error is not None]
        carried_on = [s for s in streams if s.error is None]
        # And a stream opened afterwards is served by the same feed.
        newcomer = Stream(feeds, world.caller(), start)
        streams.append(newcomer)
        world.plan()
        wait_for(lambda: newcomer.positions[-1:] == [7], "the newcomer to reach 7")
    finally:
        for stream in streams:
            stream.close()
    assert len(failed) == 1
    assert isinstance(failed[0].error, StorageUnavailable)
    assert failed[0].positions == [3]
    assert len(carried_on) == 3
    for stream in carried_on:
        assert stream.positions == [3, 4, 5, 6, 7]
    assert newcomer.positions == [3, 4, 5, 6, 7]
    assert newcomer.error is None


def test_a_feed_stream_gives_what_the_orchestrator_reads_gives(database: SqlDatabase) -> None:
    orchestrator = Orchestrator(database)
    world = World(orchestrator, f"channel-{uuid.uuid4().hex[:12]}")
    for _ in range(7):
        world.plan()
    start = world.events()[1].id
    after = orchestrator.cursor_position(world.caller(), start)
    from_app = [event.position for event in orchestrator.events_after(world.caller(), after, 7)]
    feeds = Feeds(orchestrator, batch_size=3, wait_seconds=0.2, capacity=4)
    stream = Stream(feeds, world.caller(), start)
    try:
        wait_for(lambda: len(stream.positions) >= 7, "the feed stream to replay 7 events")
    finally:
        stream.close()
    assert from_app == list(range(3, 10))
    assert stream.positions == from_app
    assert stream.ids == [e.id for e in world.events()[2:]]
