"""Servicer of the event log: queries, and the subscription stream (replay then live)."""

import threading
from collections.abc import Iterator
from typing import Any

from podium.api import convert
from podium.api.feed import CAPACITY, Feeds
from podium.api.generated import event_pb2, event_pb2_grpc
from podium.api.servicers.base import Servicer
from podium.app import service
from podium.domain.errors import Overloaded

# Method names are the RPC names of the contract.
# ruff: noqa: N802


class EitherStop:
    """Set when the client goes away or the server shuts down, whichever comes first."""

    def __init__(self, client_gone: threading.Event, shutdown: threading.Event) -> None:
        self._client_gone = client_gone
        self._shutdown = shutdown

    def is_set(self) -> bool:
        return self._client_gone.is_set() or self._shutdown.is_set()


class EventServicer(Servicer, event_pb2_grpc.EventServiceServicer):
    """Event queries and subscription streams. The streams of one channel share its live reads and
    conversions (``podium.api.feed``): ``feed_capacity`` converted events are kept per channel."""

    def __init__(
        self,
        orchestrator: service.Orchestrator,
        shutdown_event: threading.Event,
        replay_batch_size: int = 500,
        poll_seconds: float = 1.0,
        *,
        max_subscribers: int = 256,
        feed_capacity: int = CAPACITY,
    ) -> None:
        super().__init__(orchestrator)
        self._slots = threading.BoundedSemaphore(max_subscribers)
        self._max_subscribers = max_subscribers
        self._shutdown = shutdown_event
        self._feeds = Feeds(
            orchestrator, batch_size=replay_batch_size, wait_seconds=poll_seconds, capacity=feed_capacity
        )

    def QueryEvents(self, request: event_pb2.QueryEventsParam, context: Any) -> event_pb2.QueryEventsResponse:
        query = convert.query_events(request)
        page = self.orchestrator.query_events(self.caller(), query.page, query.filter, query.sort)
        return event_pb2.QueryEventsResponse(
            events=[convert.event_message(e) for e in page.items], next_page_token=page.next_page_token
        )

    def SubscribeToEvents(
        self, request: event_pb2.SubscribeToEventsParam, context: Any
    ) -> Iterator[event_pb2.Event]:
        """Stream the channel's events after ``start_event_id`` (exclusive), then live. The stream ends
        when the client cancels or the server shuts down; clients resume from their last event id.
        Past ``max_subscribers`` open streams, ``Overloaded`` (OE0012)."""
        if not self._slots.acquire(blocking=False):
            raise Overloaded(
                f"this server already streams to {self._max_subscribers} subscribers; retry later"
            )
        try:
            client_gone = threading.Event()
            context.add_callback(client_gone.set)
            stop = EitherStop(client_gone, self._shutdown)
            yield from self._feeds.subscribe(self.caller(), request.start_event_id, stop)
        finally:
            self._slots.release()
