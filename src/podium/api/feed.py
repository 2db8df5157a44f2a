"""Live fan-out of a channel's events: one shared tail per channel, read once and converted once.

Reading on its own, every open ``SubscribeToEvents`` stream would run its own read transaction and its
own protobuf conversion for each new event: N subscribers, N reads and N conversions per event. A
``ChannelFeed`` instead keeps the wire form of the channel's newest events (``capacity`` of them at
most) in memory. In the live phase one stream at a time reads the next batch for everyone (single
flight: the others wait for it instead of reading too), converts each event once and appends the
messages; every stream at that position takes the same messages from the cache.

What each stream of ``Feeds.subscribe`` gets is what reading on its own gives: the events of the
caller's channel after the start event, strictly in position order, without gap or duplicate, the
history first and then live, until its stop signal is set (noticed within ``wait_seconds``).

- Replay: a stream whose next position the cache does not hold reads its own batches (``batch_size``
  events per read-only transaction), converting as it yields; where the cache holds its next
  position it takes the cached messages instead.
- Live: once one of its own reads returns less than a full batch, the stream follows the feed. A
  stream that falls behind the cache window (the feed moved more than ``capacity`` events past it)
  goes back to its own reads.
- Errors: a failed read or conversion raises in the one stream that was reading, after it gave the
  read back; messages converted before the failure are kept; the next stream that needs more reads
  again. The feed is never left waiting for a reader that is gone.

The cache relies on the event log's contract: a channel's writers commit in position order, so a read
after position ``p`` returns ``p + 1, p + 2, …`` without gaps. A batch that breaks it raises
``InternalError`` rather than serve a gap.
"""

import threading
from collections.abc import Callable, Iterator
from typing import Final

from podium.api import convert
from podium.api.generated import event_pb2
from podium.app.service import Caller, Orchestrator, StopSignal
from podium.domain.errors import InternalError
from podium.domain.events import Event

CAPACITY: Final = 2048
"""Default number of converted events each channel's feed keeps (the newest)."""

Converter = Callable[[Event], event_pb2.Event]


class ChannelFeed:
    """The shared, converted tail of one channel's events. Thread-safe; held by ``Feeds``.

    The cache holds the messages of positions ``base + 1 … base + len(messages)``, contiguous. It is
    anchored (``base`` set) by the first live stream, at that stream's position, and re-anchored when a
    live stream is ahead of it by ``capacity`` events or more while no read is running.
    """

    def __init__(
        self,
        orchestrator: Orchestrator,
        channel: str,
        *,
        capacity: int,
        read_limit: int,
        wait_seconds: float,
        converter: Converter,
    ) -> None:
        if capacity <= 0 or read_limit <= 0:
            raise ValueError("capacity and read_limit must be positive")
        self._orchestrator = orchestrator
        self._channel = channel
        self._capacity = capacity
        self._read_limit = read_limit
        self._wait_seconds = wait_seconds
        self._convert = converter
        self._condition = threading.Condition()
        self._base: int | None = None
        self._messages: list[event_pb2.Event] = []
        self._reading = False
        self._reads = 0

    @property
    def channel(self) -> str:
        return self._channel

    @property
    def reads(self) -> int:
        """How many read transactions the feed ran for its streams (shared reads, not own reads)."""
        with self._condition:
            return self._reads

    def window(self) -> tuple[int, int] | None:
        """``(first, last)`` positions held, ``None`` when nothing is (for tests and diagnostics)."""
        with self._condition:
            if self._base is None or not self._messages:
                return None
            return self._base + 1, self._base + len(self._messages)

    def cached_after(self, position: int) -> list[event_pb2.Event]:
        """The cached messages after ``position``, in order from ``position + 1``; empty when the cache
        does not hold ``position + 1``. Never touches the database."""
        with self._condition:
            return self._slice(position) or []

    def next_after(self, caller: Caller, position: int, stop: StopSignal) -> list[event_pb2.Event] | None:
        """The messages after ``position`` for a live stream, in order from ``position + 1``.

        Returns them at once when cached. Otherwise, when no other stream is reading, reads the next
        batch for every stream (waiting up to ``wait_seconds`` for one to be committed); when another
        stream is reading, waits for it, up to ``wait_seconds``. Returns an empty list when nothing new
        came in that time or ``stop`` is set, and ``None`` when ``position`` is behind the cache
        window: the caller then reads on its own.

        Raises:
            what the read or the conversion raises (``StorageUnavailable``, ``InternalError``…), to
            this caller only; the feed is released first.
        """
        if caller.channel != self._channel:
            raise ValueError(f"caller of channel {caller.channel!r} on the feed of {self._channel!r}")
        with self._condition:
            found = self._slice(position)
            if found is None or found:
                return found
            if stop.is_set():
                return []
            if self._reading:
                self._condition.wait(self._wait_seconds)
                return self._slice(position)
            self._anchor(position)
            self._reading = True
            start = self._last()
        read: list[event_pb2.Event] = []
        try:
            self._read(caller, start, read)
        finally:
            with self._condition:
                self._reading = False
                self._publish(start, read)
                self._condition.notify_all()
                found = self._slice(position)
        return found

    # Everything below runs with the condition held, except ``_read``.

    def _last(self) -> int:
        assert self._base is not None
        return self._base + len(self._messages)

    def _slice(self, position: int) -> list[event_pb2.Event] | None:
        """Messages after ``position``; ``None`` when ``position`` is behind the window; empty when it
        is at or past the newest cached position, or nothing is anchored."""
        if self._base is None:
            return []
        if position < self._base:
            return None
        return self._messages[position - self._base :]

    def _anchor(self, position: int) -> None:
        # Called with no read running and ``position`` not behind the window, at or past its end.
        if self._base is None or position - self._last() >= self._capacity:
            self._base = position
            self._messages = []

    def _read(self, caller: Caller, start: int, out: list[event_pb2.Event]) -> None:
        """Wait for events after ``start``, read one batch, convert it into ``out`` (in order; what was
        converted before an error stays in ``out``). Runs without the condition, by one stream."""
        if not self._orchestrator.wait_for_events(self._channel, start, self._wait_seconds):
            return
        with self._condition:
            self._reads += 1
        batch = self._orchestrator.events_after(caller, start, self._read_limit)
        for index, event in enumerate(batch):
            if event.position != start + 1 + index:
                raise InternalError(
                    f"events of channel {self._channel} after position {start} are not contiguous: "
                    f"got {event.position} where {start + 1 + index} was expected"
                )
            out.append(self._convert(event))

    def _publish(self, start: int, read: list[event_pb2.Event]) -> None:
        if not read or self._base is None or self._last() != start:
            return
        self._messages.extend(read)
        excess = len(self._messages) - self._capacity
        if excess > 0:
            del self._messages[:excess]
            self._base += excess


class Feeds:
    """The channel feeds of one server process, and the subscription streams built on them.

    Args:
        orchestrator: the use cases (reads, cursor positions, waiting for events).
        batch_size: events per read, own (replay) and shared (live) alike.
        wait_seconds: longest wait for new events before a stream looks at its stop signal again.
        capacity: converted events kept per channel (the newest).
        converter: domain event -> wire message (``convert.event_message``).
    """

    def __init__(
        self,
        orchestrator: Orchestrator,
        *,
        batch_size: int = 500,
        wait_seconds: float = 1.0,
        capacity: int = CAPACITY,
        converter: Converter = convert.event_message,
    ) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        self._orchestrator = orchestrator
        self._batch_size = batch_size
        self._wait_seconds = wait_seconds
        self._capacity = capacity
        self._convert = converter
        self._lock = threading.Lock()
        self._feeds: dict[str, ChannelFeed] = {}

    def feed(self, channel: str) -> ChannelFeed:
        """The feed of ``channel``, made on first use."""
        with self._lock:
            feed = self._feeds.get(channel)
            if feed is None:
                feed = ChannelFeed(
                    self._orchestrator,
                    channel,
                    capacity=self._capacity,
                    read_limit=self._batch_size,
                    wait_seconds=self._wait_seconds,
                    converter=self._convert,
                )
                self._feeds[channel] = feed
            return feed

    def subscribe(self, caller: Caller, start_event_id: str, stop: StopSignal) -> Iterator[event_pb2.Event]:
        """The wire messages of the caller's channel after ``start_event_id`` (exclusive; empty = from
        the beginning), replayed then live, strictly in position order without gap or duplicate, until
        ``stop`` is set. An unknown start id is ``NotFound`` (raised at the first ``next``).

        A stream holds no database connection while its consumer is slow: own reads are short
        read-only transactions of ``batch_size`` events, and live messages come from the feed.
        """
        position = self._orchestrator.cursor_position(caller, start_event_id)
        feed = self.feed(caller.channel)
        live = False
        while not stop.is_set():
            messages = feed.next_after(caller, position, stop) if live else feed.cached_after(position)
            if messages is None:
                live = False
                continue
            if not messages and not live:
                batch = self._orchestrator.events_after(caller, position, self._batch_size)
                live = len(batch) < self._batch_size
                for event in batch:
                    yield self._convert(event)
                    position = event.position
                continue
            for message in messages:
                yield message
                position = message.position
