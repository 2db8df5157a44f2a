"""Conformance: the event log (positions, hashes, queries), units of work and wake-ups, on every backend."""

import threading
import uuid
from dataclasses import replace

import pytest

from podium.app.ports import Transaction
from podium.domain.events import EventFilter, NewEvent
from podium.domain.kinds import AssetKind, EventKind, SortOrder
from podium.domain.ledger import GENESIS_HASH, verify_chain
from podium.store import SqlDatabase
from podium.store.eventlog import COPY_FROM, random_uuids
from tests.store import builders as b


def new_event(key: str, kind: AssetKind = AssetKind.COMPUTE_TASK, **metadata: str) -> NewEvent:
    return NewEvent(kind, EventKind.CREATED, key, {"key": key, "value": 0.1, "n": 3}, metadata)


class TestEventLog:
    def test_positions_gap_free_per_channel_and_hashes_chained(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=True) as tx:
            assert tx.events.head() == (0, GENESIS_HASH)
        for channel, count in (("c1", 3), ("c2", 2), ("c1", 2)):
            with database.transaction(channel, read_only=False) as tx:
                stored = tx.events.append([new_event(f"{channel}-{i}") for i in range(count)])
                assert [e.timestamp for e in stored] == [tx.now] * count
                assert tx.events.head() == (stored[-1].position, stored[-1].hash)
        with database.transaction("c1", read_only=True) as tx:
            events = tx.events.read_after(0, 100)
            assert [e.position for e in events] == [1, 2, 3, 4, 5]
            assert tx.events.head() == (5, events[-1].hash)
        assert verify_chain(events, channel="c1").ok
        with database.transaction("c2", read_only=True) as tx:
            assert [e.position for e in tx.events.read_after(0, 100)] == [1, 2]

    def test_a_large_append_is_stored_whole_and_chained(self, database: SqlDatabase) -> None:
        # At COPY_FROM events and more, PostgreSQL streams the rows with COPY and saves the head at
        # commit; the log must read the same as after a small append.
        count = COPY_FROM + 5
        with database.transaction("c1", read_only=False) as tx:
            first = tx.events.append([new_event("before")])
        with database.transaction("c1", read_only=False) as tx:
            many = [new_event(f"e{i}", AssetKind.COMPUTE_PLAN, n=str(i)) for i in range(count)]
            stored = tx.events.append(many)
            after = tx.events.append([new_event("after")])
        with database.transaction("c1", read_only=True) as tx:
            assert tx.events.head() == (count + 2, after[0].hash)
            events = tx.events.read_after(0, count + 10)
        assert events == [*first, *stored, *after]
        assert [e.position for e in events] == list(range(1, count + 3))
        assert events[500].metadata == {"n": "499"}
        assert verify_chain(events, channel="c1").ok

    def test_transaction_without_events_keeps_head(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.events.append([new_event("a")])
            head = tx.events.head()
        with database.transaction("c1", read_only=False) as tx:
            assert tx.events.append([]) == []
            tx.plans.add(b.plan("p"))
        with database.transaction("c1", read_only=True) as tx:
            assert tx.events.head() == head

    def test_read_after_position_of_and_limits(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            stored = tx.events.append([new_event(str(i)) for i in range(5)])
        with database.transaction("c1", read_only=True) as tx:
            assert tx.events.read_after(2, 2) == stored[2:4]
            assert tx.events.read_after(5, 10) == []
            assert tx.events.position_of(stored[3].id) == 4
            assert tx.events.position_of("unknown") is None
        with database.transaction("c2", read_only=True) as tx:
            assert tx.events.position_of(stored[3].id) is None

    def test_query_filters_and_sort(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.events.append([new_event("k1", reason="a"), new_event("k2", AssetKind.MODEL)])
        with database.transaction("c1", read_only=False) as tx:
            tx.events.append([new_event("k1", reason="b", other="x"), new_event("k3", reason="a")])
            second_time = tx.now
        with database.transaction("c1", read_only=True) as tx:
            everything = tx.events.query(0, 10, EventFilter(), SortOrder.UNSPECIFIED)
            assert [e.position for e in everything] == [1, 2, 3, 4]
            descending = tx.events.query(1, 2, EventFilter(), SortOrder.DESCENDING)
            assert [e.position for e in descending] == [3, 2]

            def positions(event_filter: EventFilter) -> list[int]:
                return [e.position for e in tx.events.query(0, 10, event_filter, SortOrder.ASCENDING)]

            assert positions(EventFilter(asset_key="k1")) == [1, 3]
            assert positions(EventFilter(asset_kind=AssetKind.MODEL)) == [2]
            assert positions(EventFilter(event_kind=EventKind.UPDATED)) == []
            assert positions(EventFilter(metadata={"reason": "a"})) == [1, 4]
            assert positions(EventFilter(metadata={"reason": "b", "other": "x"})) == [3]
            assert positions(EventFilter(start=second_time)) == [3, 4]
            assert positions(EventFilter(end=second_time, asset_key="k2")) == [2]
            assert positions(replace(EventFilter(), start=second_time, end=second_time)) == [3, 4]

    def test_failed_unit_of_work_writes_and_emits_nothing(self, database: SqlDatabase) -> None:
        def failing_unit_of_work(tx: Transaction) -> None:
            tx.plans.add(b.plan("p"))
            tx.events.append([new_event("p")])
            raise RuntimeError("use case failed")

        with pytest.raises(RuntimeError), database.transaction("c1", read_only=False) as tx:
            failing_unit_of_work(tx)
        with database.transaction("c1", read_only=True) as tx:
            assert tx.plans.get("p") is None
            assert tx.events.read_after(0, 10) == []
            assert tx.events.head() == (0, GENESIS_HASH)
        assert not database.wait_for_events("c1", 0, 0.01)

    def test_reloaded_events_equal_appended(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            stored = tx.events.append([new_event("a", reason="r"), new_event("b")])
        with database.transaction("c1", read_only=True) as tx:
            assert tx.events.read_after(0, 10) == stored


class TestWaitForEvents:
    def test_returns_at_once_when_head_is_past(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.events.append([new_event("a")])
        assert database.wait_for_events("c1", 0, 30)
        assert not database.wait_for_events("c1", 1, 0.01)

    def test_wakes_on_commit(self, database: SqlDatabase) -> None:
        results: list[bool] = []
        waiting = threading.Event()

        def waiter() -> None:
            waiting.set()
            results.append(database.wait_for_events("c1", 0, 60))

        thread = threading.Thread(target=waiter)
        thread.start()
        assert waiting.wait(30)
        with database.transaction("c1", read_only=False) as tx:
            tx.events.append([new_event("a")])
        thread.join(90)
        assert results == [True]
        with database.transaction("c1", read_only=True) as tx:
            assert [e.asset_key for e in tx.events.read_after(0, 10)] == ["a"]


@pytest.mark.parametrize("count", [0, 1, 2, 1000])
def test_event_ids_are_distinct_version_4_uuids_in_canonical_text(count: int) -> None:
    ids = random_uuids(count)
    assert len(ids) == count
    assert len(set(ids)) == count
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
