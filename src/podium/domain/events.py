"""Events: one record per change of an asset, written in the change's transaction.

A ``NewEvent`` is what a use case emits; the event log gives it its channel, position, id, timestamp
and chain hash and returns an ``Event``. ``asset`` is the asset's snapshot (``Asset.snapshot()``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from podium.domain.kinds import AssetKind, EventKind

REASON: str = "reason"
"""The only metadata key emitted: why a status changed."""


@dataclass(frozen=True, slots=True)
class NewEvent:
    asset_kind: AssetKind
    event_kind: EventKind
    asset_key: str
    asset: Mapping[str, Any]
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    """A stored event. ``position`` is gap-free per channel from 1, in commit order; ``hash`` is the
    ledger hash of this event chained to the previous one (see ``podium.domain.ledger``)."""

    id: str
    channel: str
    position: int
    timestamp: datetime
    asset_kind: AssetKind
    event_kind: EventKind
    asset_key: str
    asset: Mapping[str, Any]
    metadata: Mapping[str, str]
    hash: str


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Filters of QueryEvents, combined with AND; empty values do not filter. ``metadata`` is a
    containment match; ``start`` and ``end`` bound the timestamp inclusively."""

    asset_key: str = ""
    asset_kind: AssetKind = AssetKind.UNKNOWN
    event_kind: EventKind = EventKind.UNKNOWN
    metadata: Mapping[str, str] = field(default_factory=dict)
    start: datetime | None = None
    end: datetime | None = None
