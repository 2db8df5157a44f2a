"""From the wire back to the ledger: the domain ``Event`` a wire event's chain hash covers.

An ``orchestrator.Event`` carries the ledger in its extension fields ``position`` and ``hash``
(docs/decisions/2026-11-28-ledger-on-the-wire.md). Its asset is rebuilt into the snapshot the server
hashed — the protobuf JSON mapping with proto field names, fields without presence always present,
unset optional fields omitted, enums by name, timestamps as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` and
floats as the binary64 widening of their binary32 value (docs/ledger.md) — by walking the message
descriptor rather than with ``MessageToDict``, which prints timestamps and binary32 floats differently.
Any field that cannot be rebuilt exactly shows up as a broken chain, never as a silent pass.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from google.protobuf.message import Message

from podium.api.generated import common_pb2, event_pb2
from podium.domain.events import Event
from podium.domain.kinds import AssetKind, EventKind

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_TIMESTAMP: Final = "google.protobuf.Timestamp"


def _datetime(value: Any) -> datetime:
    return _EPOCH + timedelta(seconds=value.seconds, microseconds=value.nanos // 1_000)


def _format(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _value(field: Any, value: Any) -> Any:
    if field.message_type is not None:
        if field.message_type.full_name == _TIMESTAMP:
            return _format(_datetime(value))
        return snapshot_of(value)
    if field.enum_type is not None:
        return field.enum_type.values_by_number[value].name
    return value


def snapshot_of(message: Message) -> dict[str, Any]:
    """The snapshot dict of an asset message, as the server hashed it (see the module docstring)."""
    data: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            data[field.name] = {key: _value(value_field, item) for key, item in value.items()}
        elif field.is_repeated:
            data[field.name] = [_value(field, item) for item in value]
        elif field.has_presence and not message.HasField(field.name):
            continue
        else:
            data[field.name] = _value(field, value)
    return data


def event_from_message(message: event_pb2.Event) -> Event:
    """The domain ``Event`` of a wire event, ready for ``ChainVerifier.feed``.

    Raises:
        ValueError: an enum number unknown to the domain.
    """
    branch = message.WhichOneof("asset")
    asset = snapshot_of(getattr(message, branch)) if branch else {}
    return Event(
        id=message.id,
        channel=message.channel,
        position=message.position,
        timestamp=_datetime(message.timestamp),
        asset_kind=AssetKind(common_pb2.AssetKind.Name(message.asset_kind)),
        event_kind=EventKind(event_pb2.EventKind.Name(message.event_kind)),
        asset_key=message.asset_key,
        asset=asset,
        metadata=dict(message.metadata),
        hash=message.hash,
    )
