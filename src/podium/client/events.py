"""Calls on events (query and live stream) and on the service's version."""

from collections.abc import Iterator

from podium.api.generated import common_pb2, event_pb2, info_pb2
from podium.client.base import DEFAULT_PAGE_SIZE, CallsBase, enum_value
from podium.client.errors import InvalidArgument
from podium.client.transport import Stream
from podium.domain.kinds import SortOrder


class EventCalls(CallsBase):
    def query_events(
        self,
        *,
        query_filter: event_pb2.EventQueryFilter | None = None,
        sort: SortOrder | int = SortOrder.ASCENDING,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[event_pb2.Event]:
        """Every event of the channel matching ``query_filter``, in ``sort`` order of position."""
        sort_value = enum_value(common_pb2.SortOrder, sort)
        return self._paginate(
            self._stubs.events.QueryEvents,
            lambda token: event_pb2.QueryEventsParam(
                page_token=token, page_size=page_size, filter=query_filter, sort=sort_value
            ),
            lambda response: response.events,
            "EventService/QueryEvents",
        )

    def event_at(self, position: int) -> event_pb2.Event | None:
        """The channel's event at ledger ``position`` (1-based), in one call; None when absent.

        podium's page tokens are decimal offsets and positions have no gaps, so the event at
        ``position`` is the first of the ascending page at offset ``position - 1``. An answer at another
        position (a server whose tokens are not offsets) is None too: callers then page from the start.
        """
        if position < 1:
            return None
        request = event_pb2.QueryEventsParam(
            page_token=str(position - 1), page_size=1, sort=common_pb2.SortOrder.ASCENDING
        )
        try:
            response = self._transport.unary(
                self._stubs.events.QueryEvents, request, method="EventService/QueryEvents", write=False
            )
        except InvalidArgument:  # a server whose page tokens are opaque refuses ours
            return None
        for event in response.events:
            return event if event.position == position else None
        return None

    def subscribe(self, start_event_id: str = "", *, channel: str | None = None) -> Stream:
        """Follow the channel's events live, starting after ``start_event_id`` ("" = from the first).

        The returned ``Stream`` is an iterator of ``Event`` that never ends by itself. Stop it with
        ``stream.cancel()`` (safe from another thread: a blocked iteration then ends with
        ``StopIteration``) or by using it as a context manager. When the connection drops or the server
        shuts down, iteration raises ``Unavailable``: resubscribe from the last event handled. The
        stream is never retried by the client, since only the caller knows its cursor.

        Args:
            start_event_id: the id of the last event already handled.
            channel: the channel to follow, when not the client's.
        """
        request = event_pb2.SubscribeToEventsParam(start_event_id=start_event_id)
        stub = self._stubs.events
        return self._transport.stream(
            stub.SubscribeToEvents, request, method="EventService/SubscribeToEvents", channel_name=channel
        )

    def query_version(self) -> str:
        """The orchestrator's build version."""
        response = self._read(
            self._stubs.info.QueryVersion,
            info_pb2.QueryVersionParam(),
            "InfoService/QueryVersion",
            info_pb2.QueryVersionResponse,
        )
        return str(response.orchestrator)
