"""From the wire back to the ledger: rebuild the domain ``Event`` that the orchestrator hashed.

The orchestrator hashes ``podium.domain.events.Event`` (its asset snapshot is the protobuf JSON
mapping with proto field names, fields without presence printed, timestamps with six fractional
digits). An agent receives ``event_pb2.Event``; ``ledger_event`` turns it back into the same domain
value so that ``ChainVerifier`` can check it. Any field the agent cannot rebuild exactly shows up as a
broken chain, never as a silent pass.
"""

from datetime import UTC
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from podium.api.generated import common_pb2, event_pb2
from podium.domain.assets import format_timestamp
from podium.domain.events import Event
from podium.domain.kinds import AssetKind, EventKind

_TIMESTAMP = "google.protobuf.Timestamp"


def ledger_event(message: event_pb2.Event) -> Event:
    """The domain event whose chain hash ``message.hash`` claims to be."""
    branch = message.WhichOneof("asset")
    asset: dict[str, Any] = {}
    if branch is not None:
        asset = _snapshot(getattr(message, branch))
    return Event(
        id=message.id,
        channel=message.channel,
        position=message.position,
        timestamp=message.timestamp.ToDatetime(tzinfo=UTC),
        asset_kind=AssetKind(common_pb2.AssetKind.Name(message.asset_kind)),
        event_kind=EventKind(event_pb2.EventKind.Name(message.event_kind)),
        asset_key=message.asset_key,
        asset=asset,
        metadata=dict(message.metadata),
        hash=message.hash,
    )


def _snapshot(message: Message) -> dict[str, Any]:
    document: dict[str, Any] = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    _fix_timestamps(message, document)
    return document


def _fix_timestamps(message: Message, document: dict[str, Any]) -> None:
    # The JSON mapping prints 0, 3, 6 or 9 fractional digits; snapshots always print six.
    for field in message.DESCRIPTOR.fields:
        if field.type != FieldDescriptor.TYPE_MESSAGE or field.name not in document:
            continue
        value = getattr(message, field.name)
        message_type = field.message_type
        assert message_type is not None
        if message_type.full_name == _TIMESTAMP and not _is_repeated(field):
            document[field.name] = format_timestamp(value.ToDatetime(tzinfo=UTC))
        elif message_type.GetOptions().map_entry:
            continue
        elif _is_repeated(field):
            for item, item_document in zip(value, document[field.name], strict=True):
                _fix_timestamps(item, item_document)
        else:
            _fix_timestamps(value, document[field.name])


def _is_repeated(field: Any) -> bool:
    return bool(field.label == FieldDescriptor.LABEL_REPEATED)
