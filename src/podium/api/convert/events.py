"""Conversion of EventService messages: filters into ``EventFilter``, stored events into ``Event``.

An event's ``asset`` is the snapshot dict of ``Asset.snapshot()`` (the protobuf JSON mapping with proto
field names), so it is parsed (``snapshots.fill``) into the oneof branch that its ``asset_kind`` names.
podium's extension fields ``position`` (1000) and ``hash`` (1001) carry the ledger on the wire.
"""

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from podium.api.convert.common import (
    ASSET_KIND,
    SORT_ORDER,
    EnumCodec,
    from_timestamp,
    page_request,
    timestamp,
)
from podium.api.convert.snapshots import SnapshotError, fill
from podium.api.generated import event_pb2 as pb
from podium.domain import commands, events
from podium.domain.errors import InternalError
from podium.domain.kinds import AssetKind, EventKind, SortOrder

EVENT_KIND: Final = EnumCodec(pb.EventKind, EventKind)
_RESOURCE: Final = "event"

ASSET_FIELD: Final[Mapping[AssetKind, str]] = {
    AssetKind.ORGANIZATION: "organization",
    AssetKind.FUNCTION: "function",
    AssetKind.COMPUTE_PLAN: "compute_plan",
    AssetKind.COMPUTE_TASK: "compute_task",
    AssetKind.DATA_MANAGER: "data_manager",
    AssetKind.DATA_SAMPLE: "data_sample",
    AssetKind.FAILURE_REPORT: "failure_report",
    AssetKind.MODEL: "model",
    AssetKind.PERFORMANCE: "performance",
    AssetKind.COMPUTE_TASK_OUTPUT_ASSET: "compute_task_output_asset",
    AssetKind.PROFILING_STEP: "profiling_step",
}
"""The ``Event.asset`` oneof branch of each asset kind (every kind but UNKNOWN)."""


class EventQuery(NamedTuple):
    """``QueryEvents`` request."""

    page: commands.PageRequest
    filter: events.EventFilter
    sort: SortOrder


def event_filter(message: pb.EventQueryFilter) -> events.EventFilter:
    """Filters of ``QueryEvents``; zero enums and empty strings do not filter, unset bounds -> None."""
    return events.EventFilter(
        asset_key=message.asset_key,
        asset_kind=ASSET_KIND.decode(message.asset_kind, _RESOURCE, "filter.asset_kind"),
        event_kind=EVENT_KIND.decode(message.event_kind, _RESOURCE, "filter.event_kind"),
        metadata=dict(message.metadata),
        start=from_timestamp(message.start) if message.HasField("start") else None,
        end=from_timestamp(message.end) if message.HasField("end") else None,
    )


def query_events(message: pb.QueryEventsParam) -> EventQuery:
    return EventQuery(
        page=page_request(message),
        filter=event_filter(message.filter),
        sort=SORT_ORDER.decode(message.sort, _RESOURCE, "sort"),
    )


def _set_asset(message: pb.Event, kind: AssetKind, asset: Mapping[str, Any]) -> None:
    field = ASSET_FIELD.get(kind)
    if field is None:
        raise InternalError(f"event of asset kind {kind} has no asset field")
    branch = getattr(message, field)
    try:
        fill(branch, asset)
    except SnapshotError as error:
        # A stored snapshot that does not fit its message is a bug, not a client error.
        raise InternalError(f"snapshot of {kind} does not match its message: {error}") from error
    branch.SetInParent()


def event_message(event: events.Event) -> pb.Event:
    """The wire form of a stored event, with the ledger extension fields ``position`` and ``hash``.

    Raises:
        InternalError: the snapshot does not fit the message of its asset kind.
    """
    message = pb.Event(
        id=event.id,
        asset_key=event.asset_key,
        asset_kind=ASSET_KIND.encode(event.asset_kind),
        event_kind=EVENT_KIND.encode(event.event_kind),
        channel=event.channel,
        timestamp=timestamp(event.timestamp),
        position=event.position,
        hash=event.hash,
    )
    if event.metadata:  # an empty map given to the constructor still costs a Python-level update
        message.metadata.update(event.metadata)
    _set_asset(message, event.asset_kind, event.asset)
    return message
