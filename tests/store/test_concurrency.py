"""Concurrent writers on PostgreSQL: per-channel positions stay gap-free and the chains verify."""

import threading

import pytest

from podium.app.ports import RetryableConflict
from podium.domain.events import NewEvent
from podium.domain.kinds import AssetKind, EventKind
from podium.domain.ledger import verify_chain
from podium.store import SqlDatabase

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

THREADS = 16
APPENDS_PER_THREAD = 10


def _hammer(database: SqlDatabase, channels: list[str]) -> list[BaseException]:
    """THREADS threads each commit APPENDS_PER_THREAD transactions of two events (round-robin over
    ``channels``); returns the errors raised in the threads."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(number: int) -> None:
        try:
            start.wait(60)
            for attempt in range(APPENDS_PER_THREAD):
                channel = channels[(number + attempt) % len(channels)]
                for _ in range(20):  # bounded retries of a lost race
                    try:
                        with database.transaction(channel, read_only=False) as tx:
                            tx.events.append(
                                [
                                    NewEvent(
                                        AssetKind.COMPUTE_TASK,
                                        EventKind.UPDATED,
                                        f"t{number}",
                                        {"i": attempt},
                                    ),
                                    NewEvent(
                                        AssetKind.COMPUTE_TASK,
                                        EventKind.UPDATED,
                                        f"t{number}",
                                        {"j": attempt},
                                    ),
                                ]
                            )
                        break
                    except RetryableConflict:
                        continue
        except BaseException as error:  # reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)
    return errors


@pytest.mark.parametrize("channels", [["c1"], ["c1", "c2"]], ids=["one-channel", "two-channels"])
def test_concurrent_appends_are_gap_free_and_chained(
    postgres_database: SqlDatabase, channels: list[str]
) -> None:
    assert _hammer(postgres_database, channels) == []
    total = 0
    for channel in channels:
        with postgres_database.transaction(channel, read_only=True) as tx:
            events = tx.events.read_after(0, 10_000)
            head = tx.events.head()
        positions = [event.position for event in events]
        assert positions == list(range(1, len(events) + 1))
        assert len({event.id for event in events}) == len(events)
        assert verify_chain(events, channel=channel).ok
        assert head == (positions[-1], events[-1].hash)
        for first, second in zip(events[::2], events[1::2], strict=True):
            assert first.asset_key == second.asset_key  # the two events of one transaction are adjacent
        total += len(events)
    assert total == THREADS * APPENDS_PER_THREAD * 2
