"""``EventHub``: ONE subscription to the orchestrator's event stream per dashboard process, fanned out
to every connected browser.

The hub's thread subscribes from the channel's current head (the id of the last event, asked with
``QueryEvents`` descending, one event), then after the last event it handled whenever the stream drops
(``Unavailable`` and friends), waiting with exponential backoff between attempts. Each browser gets a
bounded queue; a browser whose queue is full is dropped (its server-sent-event stream ends and the
browser's ``EventSource`` reconnects), so one slow browser never holds the others back.
"""

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Final

from podium.client import OrchestratorClient, OrchestratorError
from podium.dashboard.views import event_view
from podium.domain.kinds import SortOrder

QUEUE_SIZE: Final = 256
"""Events a browser may lag behind before it is dropped."""

log = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(eq=False)
class Subscriber:
    """One browser's place in the fan-out: a bounded queue read on the web server's event loop.

    ``None`` in the queue means "the stream ends" (hub closed); ``dropped`` means it fell behind.
    """

    loop: asyncio.AbstractEventLoop
    queue: "asyncio.Queue[Message | None]" = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False

    def offer(self, message: Message | None) -> None:
        """Enqueue (on ``loop``); mark the subscriber dropped when its queue is full."""
        if self.dropped:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped = True


class EventHub:
    """Follows the channel of ``client`` in a thread and publishes every event to the subscribers.

    Args:
        client: bound to the organization and channel to follow (not closed by the hub).
        initial_backoff, max_backoff: seconds to wait before resubscribing after a drop, doubling.
    """

    def __init__(
        self, client: OrchestratorClient, *, initial_backoff: float = 0.5, max_backoff: float = 10.0
    ) -> None:
        self._client = client
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stream: Any = None
        self._thread: threading.Thread | None = None
        self.last_event_id = ""
        self.connected = False
        self.subscriptions = 0
        """How many times the hub subscribed (1 + reconnections)."""

    # --- browsers

    def subscribe(self, loop: asyncio.AbstractEventLoop) -> Subscriber:
        subscriber = Subscriber(loop)
        with self._lock:
            self._subscribers.add(subscriber)
        subscriber.offer({"type": "stream", "connected": self.connected})
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, message: Message | None) -> None:
        """Hand ``message`` to every subscriber (thread-safe; each on its own event loop)."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.offer, message)
            except RuntimeError:  # its loop is closed: the web server is gone
                self.unsubscribe(subscriber)

    # --- the orchestrator side

    def start(self) -> None:
        """Start following in a daemon thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="dashboard-events", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop following, end every browser's stream, and wait for the thread (at most ``timeout``)."""
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.cancel()
        if self._thread is not None:
            self._thread.join(timeout)
        self.publish(None)

    def _head_id(self) -> str:
        for event in self._client.query_events(sort=SortOrder.DESCENDING, page_size=1):
            return str(event.id)
        return ""

    def _run(self) -> None:
        backoff = self._initial_backoff
        while not self._stop.is_set():
            try:
                if not self.subscriptions:
                    self.last_event_id = self._head_id()
                self._follow()
                backoff = self._initial_backoff
            except OrchestratorError as error:
                log.warning("event stream lost (%s); resubscribing in %.1fs", error, backoff)
            self._set_connected(False)
            if self._stop.wait(backoff):
                return
            backoff = min(backoff * 2, self._max_backoff)

    def _follow(self) -> None:
        stream = self._client.subscribe(self.last_event_id)
        self._stream = stream
        self.subscriptions += 1
        if self._stop.is_set():  # closed while subscribing: ``close`` may have missed this stream
            stream.cancel()
        self._set_connected(True)
        for event in stream:
            self.last_event_id = event.id
            self.publish({"type": "event", **event_view(event)})

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.publish({"type": "stream", "connected": connected})
