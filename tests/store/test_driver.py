"""PostgreSQL's hot statements run on the driver connection (``podium.store.driver`` and
``podium.store.pipeline``): the begin queued with the head lock, statements queued until the next read
or the commit, and how failures surface."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import Connection, Engine, exc, make_url, text

from podium.app.ports import RetryableConflict, Unavailable
from podium.domain.events import NewEvent
from podium.domain.kinds import AssetKind, EventKind, TaskStatus
from podium.domain.ledger import GENESIS_HASH
from podium.store import SqlDatabase, driver, open_database, pipeline
from podium.store.engine import create_podium_engine
from podium.store.eventlog import COPY_FROM, NOTIFY_CHANNEL, begin_locking_head
from podium.store.state import TxState
from tests.conftest import PostgresServer
from tests.store import builders as b

pytestmark = pytest.mark.postgres

_HEAD_POSITION = text("SELECT position FROM channel_heads WHERE channel = :channel")
_MOVE_HEAD = "UPDATE channel_heads SET position = %s WHERE channel = %s"


@pytest.fixture
def own_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A migrated database of this test alone (its connections may be killed)."""
    name = f"podium_driver_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    open_database(url, auto_migrate=True).close()
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def engine(clean_postgres_url: str) -> Iterator[Engine]:
    """An engine on the emptied test database, disposed after the test."""
    created = create_podium_engine(clean_postgres_url)
    try:
        yield created
    finally:
        created.dispose()


def _store_one_task(database: SqlDatabase) -> None:
    """Task ``t`` (plan ``p``, function ``f``) in channel ``c1``, waiting."""
    with database.transaction("c1", read_only=False) as tx:
        tx.functions.add(b.function("f"))
        tx.plans.add(b.plan("p"))
        tx.tasks.add_many([b.task("t", "p", "f")])


def _begin_write(connection: Connection, channel: str = "c1") -> TxState:
    state = TxState(connection, channel, datetime.now(UTC), "postgresql", read_only=False)
    begin_locking_head(state)
    pipeline.flush(connection)  # BEGIN and the lock go out with the first statement; here, now
    return state


def test_the_begin_with_the_head_lock_opens_one_transaction_that_commit_ends(engine: Engine) -> None:
    with engine.connect() as connection:
        state = _begin_write(connection)
        assert state.head == (0, GENESIS_HASH)
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        assert raw.info.transaction_status.name == "INTRANS"
        driver.execute(connection, _MOVE_HEAD, (4, "c1"))
        assert driver.fetch_all(connection, "SELECT position FROM channel_heads", ()) == [(4,)]
        pipeline.commit(connection)
        assert raw.info.transaction_status.name == "IDLE"
    with engine.connect() as connection:
        assert connection.scalar(_HEAD_POSITION, {"channel": "c1"}) == 4
        # Back in the pool, the connection runs transactions again (no autocommit left behind).
        assert getattr(connection.connection.driver_connection, "autocommit", None) is False


def test_a_failed_statement_is_a_dbapi_error_and_keeps_nothing(engine: Engine) -> None:
    with engine.connect() as connection:
        _begin_write(connection)
        driver.execute(connection, _MOVE_HEAD, (3, "c1"))
        with pytest.raises(exc.DBAPIError) as raised:
            driver.execute(connection, _MOVE_HEAD.replace("%s", "1 / 0", 1), ("c1",))
        assert isinstance(raised.value.orig, psycopg.errors.DivisionByZero)
        connection.rollback()
    with engine.connect() as connection:
        # Even the head row created by the failed transaction's lock is gone.
        assert connection.scalar(_HEAD_POSITION, {"channel": "c1"}) is None
        connection.rollback()
        assert _begin_write(connection).head == (0, GENESIS_HASH)  # the pooled connection is usable
        connection.rollback()


def test_a_connection_lost_before_commit_is_unavailable_and_keeps_nothing(own_database: str) -> None:
    database = open_database(own_database)
    conninfo = make_url(own_database).set(drivername="postgresql").render_as_string(False)
    try:
        _store_one_task(database)

        def lose_the_connection_before_commit() -> None:
            with database.transaction("c1", read_only=False) as tx:
                tx.tasks.set_status("t", TaskStatus.EXECUTING)
                with psycopg.connect(conninfo, autocommit=True) as admin:
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )

        with pytest.raises(Unavailable):
            lose_the_connection_before_commit()
        # The broken connection left the pool; the next transaction gets a good one.
        with database.transaction("c1", read_only=True) as tx:
            assert tx.tasks.statuses(["t"]) == {"t": TaskStatus.WAITING_FOR_EXECUTOR_SLOT}
    finally:
        database.close()


def test_a_write_transaction_leaves_the_pooled_connection_transactional(
    postgres_database: SqlDatabase,
) -> None:
    with postgres_database.transaction("c1", read_only=False) as tx:
        tx.functions.add(b.function("f"))
    # One pooled connection so far: the one the write used, back with the engine's isolation level.
    with postgres_database.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        assert raw.autocommit is False
        assert connection.scalar(text("SHOW transaction_isolation")) == "read committed"
        assert raw.info.transaction_status is psycopg.pq.TransactionStatus.INTRANS


def test_a_large_append_notifies_other_processes_at_commit(
    postgres_database: SqlDatabase, clean_postgres_url: str
) -> None:
    conninfo = make_url(clean_postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo, autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        with postgres_database.transaction("c1", read_only=False) as tx:
            # COPY_FROM events and more are streamed with COPY; the head is saved at commit.
            created = NewEvent(AssetKind.COMPUTE_PLAN, EventKind.CREATED, "p", {})
            tx.events.append([created] * COPY_FROM)
        payloads = [notify.payload for notify in listener.notifies(timeout=10, stop_after=1)]
    assert payloads == ["c1"]
    with postgres_database.transaction("c1", read_only=True) as tx:
        assert tx.events.head()[0] == COPY_FROM


_MOVE_HEAD_LATER = pipeline.Prepared(
    b"test_move_head", b"UPDATE channel_heads SET position = $1::bigint WHERE channel = $2::text"
)
_DIVIDE_LATER = pipeline.Prepared(
    b"test_divide", b"UPDATE channel_heads SET position = 1 / $1::int WHERE channel = $2::text"
)


def test_a_deferred_write_is_sent_before_the_next_statement_and_with_the_commit(engine: Engine) -> None:
    with engine.connect() as connection:
        _begin_write(connection)
        pipeline.execute_later(connection, _MOVE_HEAD_LATER, ("5", "c1"))
        # The driver's next statement sees it, and so does one run through SQLAlchemy.
        assert driver.fetch_all(connection, "SELECT position FROM channel_heads", ()) == [(5,)]
        pipeline.execute_later(connection, _MOVE_HEAD_LATER, ("6", "c1"))
        assert connection.scalar(_HEAD_POSITION, {"channel": "c1"}) == 6
        pipeline.execute_later(connection, _MOVE_HEAD_LATER, ("7", "c1"))
        # A read on the pipeline goes out with the queue, in the same round trip, after it.
        read = pipeline.Prepared(
            b"test_read_head", b"SELECT position FROM channel_heads WHERE channel = $1::text"
        )
        assert pipeline.fetch(connection, read, ("c1",)) == [(7,)]
        pipeline.execute_later(connection, _MOVE_HEAD_LATER, ("8", "c1"))
        pipeline.commit(connection)
    with engine.connect() as connection:
        assert connection.scalar(_HEAD_POSITION, {"channel": "c1"}) == 8


def test_a_refused_deferred_write_fails_the_commit_and_keeps_nothing(engine: Engine) -> None:
    with engine.connect() as connection:
        _begin_write(connection)
        pipeline.execute_later(connection, _MOVE_HEAD_LATER, ("5", "c1"))
        pipeline.execute_later(connection, _DIVIDE_LATER, ("0", "c1"))
        pipeline.execute_later(connection, _MOVE_HEAD_LATER, ("9", "c1"))
        with pytest.raises(exc.DBAPIError) as raised:
            pipeline.commit(connection)
        assert isinstance(raised.value.orig, psycopg.errors.DivisionByZero)
        connection.rollback()
        # The connection left the pipeline: it runs statements (and deferred writes) again.
        assert _begin_write(connection).head == (0, GENESIS_HASH)
        pipeline.execute_later(connection, _MOVE_HEAD_LATER, ("3", "c1"))
        pipeline.commit(connection)
    with engine.connect() as connection:
        assert connection.scalar(_HEAD_POSITION, {"channel": "c1"}) == 3


def test_deferred_writes_of_a_unit_of_work_that_raises_are_never_sent(
    postgres_database: SqlDatabase,
) -> None:
    _store_one_task(postgres_database)

    def change_its_mind() -> None:
        with postgres_database.transaction("c1", read_only=False) as tx:
            tx.tasks.set_status("t", TaskStatus.EXECUTING)
            raise LookupError("the unit of work changed its mind")

    with pytest.raises(LookupError):
        change_its_mind()
    # The next write on the pooled connection does not carry them either.
    with postgres_database.transaction("c1", read_only=False) as tx:
        tx.plans.add(b.plan("p2"))
    with postgres_database.transaction("c1", read_only=True) as tx:
        assert tx.tasks.statuses(["t"]) == {"t": TaskStatus.WAITING_FOR_EXECUTOR_SLOT}
        assert tx.plans.get("p2") is not None


def test_a_statement_dropped_from_the_session_fails_one_attempt_as_retryable(
    postgres_database: SqlDatabase,
) -> None:
    _store_one_task(postgres_database)
    with postgres_database.transaction("c1", read_only=False) as tx:
        tx.tasks.set_status("t", TaskStatus.EXECUTING)  # prepares the statement on this connection
    with postgres_database.engine.connect() as connection:
        connection.exec_driver_sql("DEALLOCATE ALL")  # what a pooler or DISCARD ALL may do
        connection.commit()

    def finish() -> None:
        with postgres_database.transaction("c1", read_only=False) as tx:
            tx.tasks.set_status("t", TaskStatus.DONE)

    with pytest.raises(RetryableConflict):
        finish()
    with postgres_database.transaction("c1", read_only=False) as tx:  # prepared again
        tx.tasks.set_status("t", TaskStatus.DONE)
    with postgres_database.transaction("c1", read_only=True) as tx:
        assert tx.tasks.statuses(["t"]) == {"t": TaskStatus.DONE}


def test_a_queued_append_keeps_text_beyond_ascii(postgres_database: SqlDatabase) -> None:
    metadata = {"note": "réseau 日本 🚀", "quote": 'it\'s "quoted" \\ and\ttabbed'}
    with postgres_database.transaction("c1", read_only=False) as tx:
        created = NewEvent(AssetKind.COMPUTE_PLAN, EventKind.CREATED, "p", {"name": "plan ü"}, metadata)
        [appended] = tx.events.append([created])
    with postgres_database.transaction("c1", read_only=True) as tx:
        [stored] = tx.events.read_after(0, 10)
    assert (stored.asset, stored.metadata) == ({"name": "plan ü"}, metadata)
    assert stored.hash == appended.hash


def test_a_read_only_transaction_is_one_snapshot_from_its_first_read_on(
    postgres_database: SqlDatabase,
) -> None:
    _store_one_task(postgres_database)
    with postgres_database.transaction("c1", read_only=True) as reading:
        first = reading.tasks.get("t")  # on the pipeline, with the queued BEGIN
        with postgres_database.transaction("c1", read_only=False) as writing:
            writing.tasks.set_status("t", TaskStatus.EXECUTING)
        # A later read, through psycopg's cursor, sees the transaction's snapshot, not the new status.
        assert reading.tasks.statuses(["t"]) == {"t": TaskStatus.WAITING_FOR_EXECUTOR_SLOT}
        assert reading.tasks.get("t") == first
    with postgres_database.transaction("c1", read_only=True) as reading:
        assert reading.tasks.statuses(["t"]) == {"t": TaskStatus.EXECUTING}
