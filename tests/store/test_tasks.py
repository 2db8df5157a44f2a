"""Conformance: compute tasks and their parent links, on every backend."""

from collections.abc import Iterator

import pytest

from podium.domain.assets import ComputeTask
from podium.domain.commands import TaskFilter
from podium.domain.errors import AlreadyExists
from podium.domain.kinds import TaskStatus
from podium.store import SqlDatabase
from podium.store.repositories.tasks import COPY_FROM
from tests.store import builders as b

WAITING = TaskStatus.WAITING_FOR_PARENT_TASKS
TODO = TaskStatus.WAITING_FOR_EXECUTOR_SLOT


@pytest.fixture
def graph(database: SqlDatabase) -> SqlDatabase:
    """Plan p1 in c1: root -> (a, b) -> leaf; plan p2 in c1 with one task; t-other in channel c2."""
    with database.transaction("c1", read_only=False) as tx:
        tx.functions.add(b.function("f1"))
        tx.functions.add(b.function("f2"))
        tx.plans.add(b.plan("p1"))
        tx.plans.add(b.plan("p2"))
        tx.tasks.add_many(
            [
                b.task("root", "p1", "f1", created=0),
                b.task("b", "p1", "f1", parents=("root",), rank=1, created=1, status=WAITING, worker="org-b"),
                b.task("a", "p1", "f2", parents=("root",), rank=1, created=1, status=WAITING),
                b.task("leaf", "p1", "f1", parents=("a", "b"), rank=2, created=1, status=WAITING),
                b.task("solo", "p2", "f1", created=5),
            ]
        )
    with database.transaction("c2", read_only=False) as tx:
        tx.functions.add(b.function("f-other"))
        tx.plans.add(b.plan("p-other"))
        tx.tasks.add_many([b.task("t-other", "p-other", "f-other", parents=())])
    return database


class TestTasks:
    def test_roundtrip_is_exact(self, graph: SqlDatabase) -> None:
        with graph.transaction("c1", read_only=True) as tx:
            leaf = tx.tasks.get("leaf")
        expected = b.task("leaf", "p1", "f1", parents=("a", "b"), rank=2, created=1, status=WAITING)
        assert leaf == expected
        assert leaf is not None
        assert leaf.snapshot() == expected.snapshot()
        assert leaf.parent_keys == ("a", "b")

    def test_reads_are_per_channel_keys_global(self, graph: SqlDatabase) -> None:
        with graph.transaction("c2", read_only=True) as tx:
            assert tx.tasks.get("root") is None
            assert tx.tasks.get_many(["root", "t-other"]).keys() == {"t-other"}
            assert tx.tasks.statuses(["root", "t-other"]) == {"t-other": TODO}
            assert tx.tasks.first_key_taken(["new", "leaf", "root"]) == "leaf"
            assert tx.tasks.first_key_taken(["new"]) is None

    def test_duplicate_keys_are_already_exists(self, graph: SqlDatabase) -> None:
        with pytest.raises(AlreadyExists) as raised, graph.transaction("c2", read_only=False) as tx:
            tx.tasks.add_many([b.task("fresh", "p-other", "f-other"), b.task("root", "p-other", "f-other")])
        assert raised.value.key == "root"
        with pytest.raises(AlreadyExists) as raised, graph.transaction("c2", read_only=False) as tx:
            tx.tasks.add_many([b.task("dup", "p-other", "f-other"), b.task("dup", "p-other", "f-other")])
        assert raised.value.key == "dup"
        with graph.transaction("c2", read_only=True) as tx:
            assert tx.tasks.get("fresh") is None

    def test_a_large_batch_with_a_taken_key_is_already_exists(self, graph: SqlDatabase) -> None:
        # From COPY_FROM tasks PostgreSQL streams them with COPY; a taken key must still be named.
        batch = [b.task(f"big{i}", "p-other", "f-other") for i in range(COPY_FROM)]
        batch.insert(700, b.task("root", "p-other", "f-other"))
        with pytest.raises(AlreadyExists) as raised, graph.transaction("c2", read_only=False) as tx:
            tx.tasks.add_many(batch)
        assert raised.value.key == "root"
        with graph.transaction("c2", read_only=False) as tx:
            assert tx.tasks.first_key_taken(["big0", "big999"]) is None
            tx.tasks.add_many(batch[:700])  # nothing of the refused batch was kept
        with graph.transaction("c2", read_only=True) as tx:
            assert len(tx.tasks.statuses([task.key for task in batch])) == 700

    def test_add_built_stores_every_task_built_and_names_a_taken_key(self, graph: SqlDatabase) -> None:
        # add_built takes each task from the iterator as it stores it (COPY on PostgreSQL from COPY_FROM
        # tasks); a key taken in another channel stops the COPY, the rest is still built, and the key
        # is named like add_many names it.
        taken = 0

        def built(keys: list[str]) -> Iterator[ComputeTask]:
            nonlocal taken
            for key in keys:
                taken += 1
                yield b.task(key, "p-other", "f-other")

        keys = [f"lazy{i}" for i in range(COPY_FROM + 10)]
        keys.insert(800, "root")
        with pytest.raises(AlreadyExists) as raised, graph.transaction("c2", read_only=False) as tx:
            tx.tasks.add_built(len(keys), built(keys))
        assert raised.value.key == "root"
        assert taken == len(keys)
        keys.remove("root")
        with graph.transaction("c2", read_only=False) as tx:
            stored = tx.tasks.add_built(len(keys), built(keys))
        assert [task.key for task in stored] == keys
        with graph.transaction("c2", read_only=True) as tx:
            assert len(tx.tasks.statuses(keys)) == len(keys)

    def test_get_many_and_statuses(self, graph: SqlDatabase) -> None:
        with graph.transaction("c1", read_only=False) as tx:
            tx.tasks.set_status("root", TaskStatus.DONE)
        with graph.transaction("c1", read_only=True) as tx:
            assert set(tx.tasks.get_many(["root", "a", "missing"])) == {"root", "a"}
            assert tx.tasks.statuses(["root", "a", "missing"]) == {"root": TaskStatus.DONE, "a": WAITING}
            assert tx.tasks.get_many([]) == {}

    def test_children_ordered_by_creation_then_key(self, graph: SqlDatabase) -> None:
        with graph.transaction("c1", read_only=True) as tx:
            assert [t.key for t in tx.tasks.children("root")] == ["a", "b"]
            assert [t.key for t in tx.tasks.children("a")] == ["leaf"]
            assert tx.tasks.children("leaf") == []

    def test_a_write_transaction_reads_its_own_status_changes(self, graph: SqlDatabase) -> None:
        # On PostgreSQL status changes are deferred (podium.store.deferred): every kind of read that
        # follows them in the transaction must still see them.
        with graph.transaction("c1", read_only=False) as tx:
            tx.tasks.set_status("root", TaskStatus.DONE)
            assert tx.tasks.statuses(["root"]) == {"root": TaskStatus.DONE}
            tx.tasks.set_statuses(["a", "b"], TODO)
            assert [(t.key, t.status) for t in tx.tasks.children("root")] == [("a", TODO), ("b", TODO)]
            tx.tasks.set_status("leaf", TaskStatus.CANCELED)
            leaf = tx.tasks.get("leaf")
            assert leaf is not None
            assert leaf.status is TaskStatus.CANCELED
            tx.tasks.set_status("solo", TaskStatus.EXECUTING)
            assert tx.tasks.count_by_status("p2") == {TaskStatus.EXECUTING: 1}
            tx.tasks.set_statuses(["solo"], TaskStatus.FAILED)
            assert [t.key for t in tx.tasks.query(0, 10, TaskFilter(status=TaskStatus.FAILED))] == ["solo"]
        with graph.transaction("c1", read_only=True) as tx:
            assert tx.tasks.statuses(["root", "a", "b", "leaf", "solo"]) == {
                "root": TaskStatus.DONE,
                "a": TODO,
                "b": TODO,
                "leaf": TaskStatus.CANCELED,
                "solo": TaskStatus.FAILED,
            }

    def test_query_filters_order_paging(self, graph: SqlDatabase) -> None:
        with graph.transaction("c1", read_only=True) as tx:
            everything = [t.key for t in tx.tasks.query(0, 100, TaskFilter())]
            assert everything == ["root", "a", "b", "leaf", "solo"]
            assert [t.key for t in tx.tasks.query(1, 2, TaskFilter())] == ["a", "b"]
            assert [t.key for t in tx.tasks.query(0, 100, TaskFilter(worker="org-b"))] == ["b"]
            assert [t.key for t in tx.tasks.query(0, 100, TaskFilter(status=TODO))] == ["root", "solo"]
            assert [t.key for t in tx.tasks.query(0, 100, TaskFilter(compute_plan_key="p2"))] == ["solo"]
            by_function = TaskFilter(function_key="f1", status=WAITING)
            assert [t.key for t in tx.tasks.query(0, 100, by_function)] == ["b", "leaf"]

    def test_of_plan_and_of_function_by_rank(self, graph: SqlDatabase) -> None:
        with graph.transaction("c1", read_only=True) as tx:
            assert [t.key for t in tx.tasks.of_plan("p1", [WAITING, TODO])] == ["root", "a", "b", "leaf"]
            assert [t.key for t in tx.tasks.of_plan("p1", [WAITING])] == ["a", "b", "leaf"]
            assert tx.tasks.of_plan("p1", []) == []
            assert [t.key for t in tx.tasks.of_function("f1", [WAITING, TODO])] == [
                "root",
                "solo",
                "b",
                "leaf",
            ]
        with graph.transaction("c2", read_only=True) as tx:
            assert tx.tasks.of_function("f1", [WAITING, TODO]) == []

    def test_count_by_status(self, graph: SqlDatabase) -> None:
        with graph.transaction("c1", read_only=True) as tx:
            assert tx.tasks.count_by_status("p1") == {TODO: 1, WAITING: 3}
            assert tx.tasks.count_by_status("nope") == {}

    def test_large_batch_in_one_call(self, database: SqlDatabase) -> None:
        tasks = [b.task("t0", "p", "f")]
        tasks += [b.task(f"t{i}", "p", "f", parents=(f"t{i - 1}",), rank=i) for i in range(1, 6001)]
        with database.transaction("c1", read_only=False) as tx:
            tx.functions.add(b.function("f"))
            tx.plans.add(b.plan("p"))
            tx.tasks.add_many(tasks)
        keys = [t.key for t in tasks]
        with database.transaction("c1", read_only=True) as tx:
            assert len(tx.tasks.statuses(keys)) == 6001
            assert tx.tasks.get_many(keys)["t6000"] == tasks[-1]
            assert tx.tasks.first_key_taken(["zz", *keys[::-1]]) == "t6000"
