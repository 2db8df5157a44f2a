"""The event log: events written in the business transaction, positioned and hash-chained per channel.

Positions are gap-free per channel, in commit order, without a table lock: writers of one channel are
serialized by the channel's ``channel_heads`` row (locked by the first statement of a PostgreSQL write
transaction, by ``BEGIN IMMEDIATE`` on SQLite). The head row is saved once, at commit, by
``save_head``; a transaction that appends nothing leaves it untouched.
"""

import os
from collections.abc import Iterator, Sequence
from datetime import UTC
from functools import cache
from typing import Any, Final

from sqlalchemy import Row, bindparam, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.dml import Insert

from podium.domain.events import Event, EventFilter, NewEvent
from podium.domain.kinds import AssetKind, EventKind, SortOrder
from podium.domain.ledger import GENESIS_HASH, new_sealed_event
from podium.store import driver, pipeline
from podium.store.bulk import json_text, unnest_insert_sql, values_insert_sql
from podium.store.schema import channel_heads, events
from podium.store.state import TxState

NOTIFY_CHANNEL: Final = "podium_events"
"""The PostgreSQL notification channel; the payload is the podium channel name."""

_COLUMNS: Final = (
    events.c.id,
    events.c.channel,
    events.c.position,
    events.c.timestamp,
    events.c.asset_kind,
    events.c.event_kind,
    events.c.asset_key,
    events.c.asset,
    events.c.metadata,
    events.c.hash,
)
_IN_CHANNEL: Final = events.c.channel == bindparam("channel")
_INSERT: Final = insert(events)
_READ_AFTER: Final = (
    select(*_COLUMNS)
    .where(_IN_CHANNEL, events.c.position > bindparam("position"))
    .order_by(events.c.position)
    .limit(bindparam("limit"))
)
# Replays and the feed's reads of new events, and the head of a read-only transaction, on ``pipeline``.
_PG_READ_AFTER: Final = pipeline.prepared(
    "podium_events_after", _READ_AFTER, ("channel", "position", "limit")
)
_POSITION_OF: Final = select(events.c.position).where(_IN_CHANNEL, events.c.id == bindparam("id"))
_HEAD: Final = select(channel_heads.c.position, channel_heads.c.hash).where(
    channel_heads.c.channel == bindparam("channel")
)
_PG_HEAD: Final = pipeline.prepared("podium_channel_head", _HEAD, ("channel",))
# Locks the channel's head row (creating it at genesis) and returns it, in one statement (queued with
# ``BEGIN``, see ``pipeline.py``).
_PG_LOCK_HEAD: Final = pipeline.Prepared(
    b"podium_lock_head",
    b"INSERT INTO channel_heads (channel, position, hash) VALUES ($1::text, 0, $2::text) "
    b"ON CONFLICT (channel) DO UPDATE SET channel = excluded.channel RETURNING position, hash",
)
# Saves the head and queues the notification (delivered by PostgreSQL at commit), in one round trip.
_SAVE_HEAD_AND_NOTIFY: Final = text(
    "WITH moved AS (UPDATE channel_heads SET position = :position, hash = :hash "
    "WHERE channel = :channel RETURNING channel) "
    f"SELECT pg_notify('{NOTIFY_CHANNEL}', channel) FROM moved"
)


_EVENT_NAMES: Final = (
    "channel",
    "position",
    "id",
    "timestamp",
    "asset_kind",
    "event_kind",
    "asset_key",
    "asset",
    "metadata",
    "hash",
)
# PostgreSQL append: inserts the events (one array per column, or one scalar per column for a single
# event, as most transitions append), saves the head and queues the notification in one round trip,
# while the head row is locked by this transaction.
_PG_MOVE_HEAD: Final = (
    "moved AS (UPDATE channel_heads SET position = {}, hash = {} WHERE channel = {} RETURNING channel) "
    f"SELECT pg_notify('{NOTIFY_CHANNEL}', channel) FROM moved"
)
_PG_APPEND: Final = (
    f"WITH inserted AS ({unnest_insert_sql(events, _EVENT_NAMES)}), {_PG_MOVE_HEAD.format('%s', '%s', '%s')}"
)
# Queued by ``pipeline.execute_later``, sent with the transaction's next read or its commit.
_PG_APPEND_ONE: Final = pipeline.Prepared(
    b"podium_append_one",
    (
        f"WITH inserted AS ({values_insert_sql(events, _EVENT_NAMES)}), "
        + _PG_MOVE_HEAD.format("$11::bigint", "$12::text", "$13::text")
    ).encode(),
)


COPY_FROM: Final = 1000
"""PostgreSQL appends of at least this many events stream them with ``COPY`` (measured: 10,000 event
rows in 171 to 199 ms against 254 to 305 ms for the array insert); smaller ones use ``_PG_APPEND``."""
_PG_COPY: Final = f"COPY events ({', '.join(_EVENT_NAMES)}) FROM STDIN"


@cache
def _sqlite_save_head() -> Insert:
    statement = sqlite.insert(channel_heads)
    return statement.on_conflict_do_update(
        index_elements=[channel_heads.c.channel],
        set_={"position": statement.excluded.position, "hash": statement.excluded.hash},
    )


def begin_locking_head(state: TxState) -> None:
    """Begin a PostgreSQL write transaction by locking the channel head row; the head is remembered
    when the lock is sent, with the transaction's first statement (see ``podium.store.pipeline``)."""

    def remember(row: tuple[Any, ...]) -> None:
        state.head = (row[0], row[1])

    pipeline.begin(state.connection, _PG_LOCK_HEAD, (state.channel, GENESIS_HASH), remember)
    state.head_locked = True


def save_head(state: TxState) -> None:
    """Save the head after appends (and, on PostgreSQL, queue the wake-up notification)."""
    if not state.appended or state.head is None:
        return
    position, hash_ = state.head
    if state.saved_position == position:
        return
    parameters = {"channel": state.channel, "position": position, "hash": hash_}
    if state.dialect == "postgresql":
        state.connection.execute(_SAVE_HEAD_AND_NOTIFY, parameters)
    else:
        state.connection.execute(_sqlite_save_head(), parameters)


def random_uuids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as text, like ``str(uuid.uuid4())``, from one read of the
    OS's random source instead of one each (a fourth of the cost, for appends of thousands)."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes((byte & 0x0F) | 0x40 for byte in raw[6::16])  # version 4
    raw[8::16] = bytes((byte & 0x3F) | 0x80 for byte in raw[8::16])  # RFC 4122 variant
    digits = raw.hex()
    return [
        f"{digits[i : i + 8]}-{digits[i + 8 : i + 12]}-{digits[i + 12 : i + 16]}-"
        f"{digits[i + 16 : i + 20]}-{digits[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


# Wire name → member by a dict lookup (calling the enum class is several times slower).
_ASSET_KINDS: Final = {kind.value: kind for kind in AssetKind}
_EVENT_KINDS: Final = {kind.value: kind for kind in EventKind}


def _event(row: Row[Any] | tuple[Any, ...]) -> Event:
    # Unpacked by position (the order of ``_COLUMNS``): cheaper than attribute access by name, and
    # replays convert every row.
    id_, channel, position, timestamp, asset_kind, event_kind, asset_key, asset, metadata, hash_ = row
    return Event(
        id=id_,
        channel=channel,
        position=position,
        # In UTC whatever the session's time zone (rows read by ``pipeline`` come in the session's).
        timestamp=timestamp if timestamp.tzinfo is UTC else timestamp.astimezone(UTC),
        asset_kind=_ASSET_KINDS[asset_kind],
        event_kind=_EVENT_KINDS[event_kind],
        asset_key=asset_key,
        asset=asset,
        metadata=metadata,
        hash=hash_,
    )


def _event_values(event: Event, asset: Any, metadata: Any) -> tuple[Any, ...]:
    """The event's columns in the order of ``_EVENT_NAMES``, its JSON documents as given."""
    return (
        event.channel,
        event.position,
        event.id,
        event.timestamp,
        event.asset_kind.value,
        event.event_kind.value,
        event.asset_key,
        asset,
        metadata,
        event.hash,
    )


def _event_texts(event: Event, asset_json: str) -> list[str]:
    """``_event_values`` as PostgreSQL text parameters (the position and timestamp as text)."""
    texts = list(_event_values(event, asset_json, json_text(event.metadata)))
    texts[1], texts[3] = str(event.position), event.timestamp.isoformat()
    return texts


def _event_row(event: Event) -> dict[str, Any]:
    return dict(zip(_EVENT_NAMES, _event_values(event, event.asset, event.metadata), strict=True))


class SqlEventLog:
    """``ports.EventLog`` of one transaction."""

    __slots__ = ("_state",)

    def __init__(self, state: TxState) -> None:
        self._state = state

    def append(self, new_events: Sequence[NewEvent]) -> list[Event]:
        """Give each event the next position of the channel, a fresh id, the transaction's timestamp
        and its chain hash; store them in one batched statement. Visible to readers at commit."""
        if not new_events:
            return []
        if self._state.read_only:
            raise RuntimeError("cannot append events in a read-only transaction")
        stored: list[Event] = []

        def rows() -> Iterator[tuple[Any, ...]]:
            for event, asset_json in self._sealed(new_events):
                stored.append(event)
                yield _event_values(event, asset_json, json_text(event.metadata))

        if self._state.dialect != "postgresql" or not self._state.head_locked:
            stored.extend(event for event, _ in self._sealed(new_events))
            self._state.connection.execute(_INSERT, [_event_row(event) for event in stored])
        elif len(new_events) >= COPY_FROM:
            # Rows are sealed as COPY takes them: PostgreSQL stores the first ones while the last are
            # sealed. The head is saved (and subscribers notified) by ``save_head`` at commit.
            driver.copy_rows(self._state.connection, _PG_COPY, rows())
        elif len(new_events) == 1:
            # Most transitions append one event: it waits for the commit (or the next statement).
            (event, asset_json), *_ = self._sealed(new_events)
            stored.append(event)
            texts = [*_event_texts(event, asset_json), str(event.position), event.hash, event.channel]
            pipeline.execute_later(self._state.connection, _PG_APPEND_ONE, texts)
            self._state.saved_position = event.position
        else:
            arrays = [list(column) for column in zip(*rows(), strict=True)]
            parameters = (*arrays, stored[-1].position, stored[-1].hash, self._state.channel)
            driver.execute(self._state.connection, _PG_APPEND, parameters)
            self._state.saved_position = stored[-1].position
        self._state.head = (stored[-1].position, stored[-1].hash)
        self._state.appended = True
        return stored

    def _sealed(self, new_events: Sequence[NewEvent]) -> Iterator[tuple[Event, str]]:
        """Seal ``new_events`` after the channel's head, one at a time, lazily; yield each event and its
        asset's JSON text.

        Raises:
            TypeError, ValueError: an event's asset or metadata cannot be encoded (``new_sealed_event``).
        """
        position, previous_hash = self.head()
        channel, now = self._state.channel, self._state.now
        for new, event_id in zip(new_events, random_uuids(len(new_events)), strict=True):
            position += 1
            event, asset_text = new_sealed_event(
                previous_hash,
                id=event_id,
                channel=channel,
                position=position,
                timestamp=now,
                asset_kind=new.asset_kind,
                event_kind=new.event_kind,
                asset_key=new.asset_key,
                asset=dict(new.asset),
                metadata=dict(new.metadata),
            )
            previous_hash = event.hash
            yield event, (asset_text if asset_text is not None else json_text(event.asset))

    def query(self, offset: int, limit: int, event_filter: EventFilter, sort: SortOrder) -> list[Event]:
        """Ordered by position (ascending, or descending when ``sort`` is DESCENDING)."""
        statement = select(*_COLUMNS).where(events.c.channel == self._state.channel)
        if event_filter.asset_key:
            statement = statement.where(events.c.asset_key == event_filter.asset_key)
        if event_filter.asset_kind is not AssetKind.UNKNOWN:
            statement = statement.where(events.c.asset_kind == event_filter.asset_kind.value)
        if event_filter.event_kind is not EventKind.UNKNOWN:
            statement = statement.where(events.c.event_kind == event_filter.event_kind.value)
        for name, value in sorted(event_filter.metadata.items()):
            statement = statement.where(events.c.metadata[name].as_string() == value)
        if event_filter.start is not None:
            statement = statement.where(events.c.timestamp >= event_filter.start)
        if event_filter.end is not None:
            statement = statement.where(events.c.timestamp <= event_filter.end)
        order = events.c.position.desc() if sort is SortOrder.DESCENDING else events.c.position
        statement = statement.order_by(order).offset(offset).limit(limit)
        return [_event(row) for row in self._state.connection.execute(statement)]

    def position_of(self, event_id: str) -> int | None:
        """Position of an event of this channel, ``None`` when absent."""
        parameters = {"channel": self._state.channel, "id": event_id}
        position: int | None = self._state.connection.scalar(_POSITION_OF, parameters)
        return position

    def read_after(self, position: int, limit: int) -> list[Event]:
        """Events with ``position`` greater than the given one, ordered by position."""
        if self._state.dialect == "postgresql":
            texts = (self._state.channel, str(position), str(limit))
            return [_event(row) for row in pipeline.fetch(self._state.connection, _PG_READ_AFTER, texts)]
        parameters = {"channel": self._state.channel, "position": position, "limit": limit}
        # ``all()`` fetches the batch in one call instead of one driver fetch per row.
        return [_event(row) for row in self._state.connection.execute(_READ_AFTER, parameters).all()]

    def head(self) -> tuple[int, str]:
        """Position and hash of the channel's last event; ``(0, GENESIS_HASH)`` when empty."""
        if self._state.head is None and self._state.head_locked:
            pipeline.flush(self._state.connection)  # sends the lock, which hands over the head
        if self._state.head is None and self._state.dialect == "postgresql":
            rows = pipeline.fetch(self._state.connection, _PG_HEAD, (self._state.channel,))
            self._state.head = (rows[0][0], rows[0][1]) if rows else (0, GENESIS_HASH)
        elif self._state.head is None:
            row = self._state.connection.execute(_HEAD, {"channel": self._state.channel}).first()
            self._state.head = (0, GENESIS_HASH) if row is None else (row.position, row.hash)
        return self._state.head
