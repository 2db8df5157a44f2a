"""Group commit on PostgreSQL: writers of a channel that queue behind each other share a transaction,
and each one still commits or fails as if it had its own."""

import functools
import threading
import time
from collections.abc import Callable, Sequence

import psycopg
import pytest

from podium.app.ports import RetryableConflict, Unavailable
from podium.domain.events import NewEvent
from podium.domain.kinds import AssetKind, EventKind
from podium.domain.ledger import verify_chain
from podium.store import SqlDatabase

pytestmark = pytest.mark.postgres

WAIT_S = 30.0


class Refused(Exception):
    """A unit of work's own error (what a domain rule raises)."""


def _event(key: str) -> NewEvent:
    return NewEvent(AssetKind.COMPUTE_TASK, EventKind.UPDATED, key, {"key": key})


def _when(condition: Callable[[], bool]) -> None:
    """Wait until ``condition`` holds (bounded)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.002)


def _first_then_others(
    first: Callable[[], None], others: Sequence[Callable[[], None]], first_inside: threading.Event
) -> None:
    """Run ``first`` in a thread; once it is inside its transaction, run ``others``; wait for all."""
    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert first_inside.wait(WAIT_S)
    threads += [threading.Thread(target=other) for other in others]
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)


def _events(database: SqlDatabase, channel: str) -> list[str]:
    with database.transaction(channel, read_only=True) as tx:
        events = tx.events.read_after(0, 10_000)
    assert [event.position for event in events] == list(range(1, len(events) + 1))
    assert verify_chain(events, channel=channel).ok
    return [event.asset_key for event in events]


def test_writers_that_queue_share_a_transaction_and_each_keeps_its_own_outcome(
    postgres_database: SqlDatabase,
) -> None:
    channel = "group"
    results: dict[int, str] = {}
    seen_after_return: dict[int, bool] = {}
    first_visible: dict[int, bool] = {}
    first_inside = threading.Event()

    def write(number: int) -> None:
        try:
            with postgres_database.transaction(channel, read_only=False) as tx:
                tx.events.append([_event(f"w{number}")])
                if number == 0:  # hold the turn until every other writer has joined the batch
                    first_inside.set()
                    _when(lambda: postgres_database.writers_sharing(channel) == 8)
                else:  # w0's work is over, but it is not committed while the batch still runs
                    first_visible[number] = "w0" in _events(postgres_database, channel)
                if number % 3 == 1:
                    raise Refused(f"w{number}")
            with postgres_database.transaction(channel, read_only=True) as tx:
                seen_after_return[number] = f"w{number}" in {
                    e.asset_key for e in tx.events.read_after(0, 100)
                }
            results[number] = "committed"
        except Refused:
            results[number] = "refused"

    others = [functools.partial(write, number) for number in range(1, 8)]
    _first_then_others(functools.partial(write, 0), others, first_inside)

    refused = {number for number in range(8) if number % 3 == 1}
    assert results == {n: ("refused" if n in refused else "committed") for n in range(8)}
    committed = sorted(f"w{n}" for n in range(8) if n not in refused)
    assert seen_after_return == {int(key[1:]): True for key in committed}  # visible once it returned
    assert sorted(_events(postgres_database, channel)) == committed
    assert first_visible == dict.fromkeys(range(1, 8), False)  # one commit for all of them


def test_a_first_writer_that_fails_leaves_the_next_ones_a_fresh_transaction(
    postgres_database: SqlDatabase,
) -> None:
    channel = "first-fails"
    outcome: dict[str, str] = {}
    first_inside = threading.Event()

    def failing_first() -> None:
        try:
            with postgres_database.transaction(channel, read_only=False) as tx:
                tx.events.append([_event("first")])
                first_inside.set()
                _when(lambda: postgres_database.writers_sharing(channel) == 2)
                raise Refused("first")
        except Refused:
            outcome["first"] = "refused"

    def second() -> None:
        with postgres_database.transaction(channel, read_only=False) as tx:
            tx.events.append([_event("second")])
        outcome["second"] = "committed"

    _first_then_others(failing_first, [second], first_inside)
    assert outcome == {"first": "refused", "second": "committed"}
    assert _events(postgres_database, channel) == ["second"]


def test_a_failed_commit_fails_every_writer_that_shared_it(
    postgres_database: SqlDatabase, clean_postgres_url: str
) -> None:
    channel = "commit-fails"
    outcome: dict[str, str] = {}
    first_inside = threading.Event()

    def run(name: str, work: Callable[[object], None]) -> None:
        try:
            with postgres_database.transaction(channel, read_only=False) as tx:
                work(tx)
            outcome[name] = "committed"
        except (Unavailable, RetryableConflict) as error:
            outcome[name] = type(error).__name__

    def first(tx: object) -> None:
        tx.events.append([_event("first")])  # type: ignore[attr-defined]
        first_inside.set()
        _when(lambda: postgres_database.writers_sharing(channel) == 2)

    def last(tx: object) -> None:
        # Succeeds, but the shared connection is cut before the commit.
        tx.events.append([_event("last")])  # type: ignore[attr-defined]
        pid = _holder_of_head(clean_postgres_url, channel)
        with psycopg.connect(_plain(clean_postgres_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    _first_then_others(lambda: run("first", first), [lambda: run("last", last)], first_inside)
    assert outcome == {"first": "Unavailable", "last": "Unavailable"}
    assert _events(postgres_database, channel) == []
    with postgres_database.transaction(channel, read_only=False) as tx:  # the channel takes writes
        tx.events.append([_event("after")])
    assert _events(postgres_database, channel) == ["after"]


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _holder_of_head(url: str, channel: str) -> int:
    """The backend holding the lock on ``channel``'s head row (the shared transaction's)."""
    with psycopg.connect(_plain(url), autocommit=True) as admin:
        row = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_xid IS NOT NULL AND state LIKE 'idle in transaction%%'"
        ).fetchone()
    assert row is not None, channel
    return int(row[0])
