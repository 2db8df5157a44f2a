"""Compute tasks and their parent links (``compute_task_parents``).

Status, rank, worker, plan, function, owner and creation date are columns (the queries filter and order
on them); logs permission, metadata, inputs and outputs live in ``data``.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC
from typing import Any, Final

import orjson
from sqlalchemy import BindParameter, Row, bindparam, func, insert, select, update

from podium.domain.assets import (
    ComputeTask,
    ParentTaskOutputRef,
    Permission,
    Permissions,
    TaskInput,
    TaskOutput,
)
from podium.domain.commands import TaskFilter
from podium.domain.kinds import TaskStatus
from podium.store import driver, pipeline
from podium.store.bulk import unnest_insert, unnest_insert_arrays
from podium.store.repositories._base import (
    Repository,
    any_key,
    batches,
    check_all_inserted,
    check_distinct,
    first_taken,
    insert_checked,
)
from podium.store.schema import compute_task_parents as parents
from podium.store.schema import compute_tasks as tasks

_COLUMNS: Final = (
    tasks.c.key,
    tasks.c.owner,
    tasks.c.compute_plan_key,
    tasks.c.function_key,
    tasks.c.rank,
    tasks.c.status,
    tasks.c.worker,
    tasks.c.creation_date,
    tasks.c.data,
)
_IN_CHANNEL: Final = tasks.c.channel == bindparam("channel")
_KEYS: Final[BindParameter[str]] = bindparam("keys", expanding=True)
_STATUSES: Final[BindParameter[str]] = bindparam("statuses", expanding=True)
_BY_CREATION: Final = (tasks.c.creation_date, tasks.c.key)
_BY_RANK: Final = (tasks.c.rank, tasks.c.creation_date, tasks.c.key)

_GET_MANY: Final = select(*_COLUMNS).where(tasks.c.key.in_(_KEYS), _IN_CHANNEL)
_STATUSES_OF: Final = select(tasks.c.key, tasks.c.status).where(tasks.c.key.in_(_KEYS), _IN_CHANNEL)
# PostgreSQL: all keys in one array parameter, one short statement whatever their number.
_PG_GET_MANY: Final = select(*_COLUMNS).where(any_key(tasks.c.key), _IN_CHANNEL)
_GET_ONE: Final = select(*_COLUMNS).where(tasks.c.key == bindparam("key"), _IN_CHANNEL)
_PG_STATUSES_OF: Final = select(tasks.c.key, tasks.c.status).where(any_key(tasks.c.key), _IN_CHANNEL)
_SAME_CHANNEL: Final = tasks.c.channel == bindparam("c")
_PG_SET_STATUSES: Final = (
    update(tasks).where(any_key(tasks.c.key), _SAME_CHANNEL).values(status=bindparam("s"))
)
_SET_STATUSES: Final = (
    update(tasks).where(tasks.c.key.in_(_KEYS), _SAME_CHANNEL).values(status=bindparam("s"))
)
_SET_STATUS: Final = (
    update(tasks)
    .where(tasks.c.key == bindparam("k"), tasks.c.channel == bindparam("c"))
    .values(status=bindparam("status"))
)
_CHILDREN: Final = (
    select(*_COLUMNS)
    .join(parents, parents.c.child_key == tasks.c.key)
    .where(parents.c.parent_key == bindparam("parent_key"), _IN_CHANNEL)
    .order_by(*_BY_CREATION)
)
# The statements of a transition, sent on ``pipeline`` (several to a round trip).
_PG_GET: Final = pipeline.prepared("podium_get_task", _GET_ONE, ("key", "channel"))
_PG_CHILDREN: Final = pipeline.prepared("podium_task_children", _CHILDREN, ("parent_key", "channel"))
_PG_SET_STATUS: Final = pipeline.prepared("podium_set_task_status", _SET_STATUS, ("status", "k", "c"))
_OF_PLAN: Final = (
    select(*_COLUMNS)
    .where(tasks.c.compute_plan_key == bindparam("plan_key"), tasks.c.status.in_(_STATUSES), _IN_CHANNEL)
    .order_by(*_BY_RANK)
)
_OF_FUNCTION: Final = (
    select(*_COLUMNS)
    .where(tasks.c.function_key == bindparam("function_key"), tasks.c.status.in_(_STATUSES), _IN_CHANNEL)
    .order_by(*_BY_RANK)
)
_COUNT_BY_STATUS: Final = (
    select(tasks.c.status, func.count())
    .where(tasks.c.compute_plan_key == bindparam("plan_key"), _IN_CHANNEL)
    .group_by(tasks.c.status)
)
_INSERT_PARENTS: Final = insert(parents)


def _task_input(data: Mapping[str, Any]) -> TaskInput:
    parent = data.get("parent_task_output")
    if parent is not None:
        reference = ParentTaskOutputRef(parent["parent_task_key"], parent["output_identifier"])
        return TaskInput(identifier=data["identifier"], parent_task_output=reference)
    return TaskInput(identifier=data["identifier"], asset_key=data["asset_key"])


def task_row(task: ComputeTask, channel: str) -> dict[str, Any]:
    """The columns of a task."""
    return dict(zip(_TASK_NAMES, _task_values(task, channel, _task_data(task)), strict=True))


def _task_data(task: ComputeTask) -> dict[str, Any]:
    return {
        "logs_permission": task.logs_permission.snapshot(),
        "metadata": dict(task.metadata),
        "inputs": [task_input.snapshot() for task_input in task.inputs],
        "outputs": {name: output.snapshot() for name, output in task.outputs.items()},
    }


_TASK_NAMES: Final = (
    "key",
    "channel",
    "owner",
    "compute_plan_key",
    "function_key",
    "rank",
    "status",
    "worker",
    "creation_date",
    "data",
)


COPY_FROM: Final = 1000
"""PostgreSQL batches of at least this many tasks are streamed with ``COPY`` (a savepoint around it
falls back to the insert that names a taken key)."""
_PG_COPY: Final = f"COPY {tasks.name} ({', '.join(_TASK_NAMES)}) FROM STDIN"


def _task_values(task: ComputeTask, channel: str, data: Any) -> tuple[Any, ...]:
    """The task's columns in the order of ``_TASK_NAMES``, its ``data`` document as given."""
    return (
        task.key,
        channel,
        task.owner,
        task.compute_plan_key,
        task.function_key,
        task.rank,
        task.status.value,
        task.worker,
        task.creation_date,
        data,
    )


def _task_rows(new_tasks: Iterable[ComputeTask], channel: str) -> Iterator[tuple[Any, ...]]:
    """The rows of ``_TASK_NAMES`` (``data`` as JSON text, made per task so that the documents of a
    large batch never all exist at once)."""
    for task in new_tasks:
        # orjson: the document holds only str, bool, lists and dicts with str keys (no float, no
        # integer beyond 64 bits), where its compact text is json's.
        yield _task_values(task, channel, orjson.dumps(_task_data(task)).decode())


def _task_arrays(new_tasks: Sequence[ComputeTask], channel: str) -> list[list[Any]]:
    """The columns of ``_TASK_NAMES`` for ``unnest_insert_arrays``."""
    return [list(column) for column in zip(*_task_rows(new_tasks, channel), strict=True)]


def task_from_row(row: Row[Any] | tuple[Any, ...]) -> ComputeTask:
    """Rebuild a task from its columns (in the order of ``_COLUMNS``; a driver-level row's timestamp is
    in the session's time zone, hence the conversion)."""
    key, owner, compute_plan_key, function_key, rank, status, worker, creation_date, data = row
    return ComputeTask(
        key=key,
        owner=owner,
        compute_plan_key=compute_plan_key,
        function_key=function_key,
        rank=rank,
        status=TaskStatus(status),
        worker=worker,
        creation_date=creation_date.astimezone(UTC),
        logs_permission=Permission.from_snapshot(data["logs_permission"]),
        metadata=dict(data["metadata"]),
        inputs=tuple(_task_input(item) for item in data["inputs"]),
        outputs={
            name: TaskOutput(Permissions.from_snapshot(output["permissions"]), output["transient"])
            for name, output in data["outputs"].items()
        },
    )


class SqlTaskRepository(Repository):
    """``ports.TaskRepository``."""

    __slots__ = ()

    def first_key_taken(self, keys: Sequence[str]) -> str | None:
        return first_taken(self._state, tasks, keys)

    def add_many(self, new_tasks: Sequence[ComputeTask]) -> None:
        """Store tasks and their parent links in two batched statements.

        Raises ``AlreadyExists`` naming the first key taken (in the batch, or in any channel).
        """
        if not new_tasks:
            return
        if self._state.dialect == "postgresql":
            # Rows or column arrays straight from the tasks: no row dict per task (a 100,000-task
            # batch would hold all of them, and their nested ``data`` dicts, at once).
            keys = [task.key for task in new_tasks]
            check_distinct(keys, "compute task")
            rows = _task_rows(new_tasks, self._channel)
            large = len(keys) >= COPY_FROM
            if not (large and driver.copy_rows_unless_taken(self._connection, _PG_COPY, rows)):
                # Few tasks, or a key taken: the insert that names the first key taken.
                arrays = _task_arrays(new_tasks, self._channel)
                inserted = unnest_insert_arrays(
                    self._connection, tasks, _TASK_NAMES, arrays, returning_key=True
                )
                check_all_inserted(keys, inserted, "compute task")
        else:
            row_dicts = [task_row(task, self._channel) for task in new_tasks]
            insert_checked(self._state, tasks, row_dicts, "compute task", "key")
        self._add_links(new_tasks)

    def add_built(self, count: int, built: Iterator[ComputeTask]) -> list[ComputeTask]:
        """``add_many`` of the ``count`` tasks of ``built``, each taken from it as it is stored: on
        PostgreSQL a batch of ``COPY_FROM`` tasks or more is streamed, so that the database stores the
        first tasks while the last are still being built. Answers the tasks, in order.

        Raises ``AlreadyExists`` as ``add_many``, or what ``built`` raises (the transaction must then be
        rolled back, as after any error).
        """
        if self._state.dialect != "postgresql" or count < COPY_FROM:
            new_tasks = list(built)
            self.add_many(new_tasks)
            return new_tasks
        sent: list[ComputeTask] = []

        def sending() -> Iterator[ComputeTask]:
            for task in built:
                sent.append(task)
                yield task

        rows = _task_rows(sending(), self._channel)
        if not driver.copy_rows_unless_taken(self._connection, _PG_COPY, rows):
            # A key is taken (in the batch or in any channel): the rest built, then ``add_many`` names it.
            sent.extend(built)
            self.add_many(sent)
            return sent
        self._add_links(sent)
        return sent

    def _add_links(self, new_tasks: Sequence[ComputeTask]) -> None:
        links = [
            {"child_key": task.key, "parent_key": parent_key, "position": position}
            for task in new_tasks
            for position, parent_key in enumerate(task.parent_keys)
        ]
        if not links:
            return
        if self._state.dialect == "postgresql":
            unnest_insert(self._connection, parents, links)
        else:
            self._connection.execute(_INSERT_PARENTS, links)

    def get(self, key: str) -> ComputeTask | None:
        if self._state.dialect == "postgresql":
            rows = pipeline.fetch(self._connection, _PG_GET, (key, self._channel))
            return task_from_row(rows[0]) if rows else None
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, ComputeTask]:
        if self._state.dialect == "postgresql":
            parameters = {"keys": list(keys), "channel": self._channel}
            rows = driver.fetch_all(self._connection, driver.driver_sql(_PG_GET_MANY), parameters)
            return {row[0]: task_from_row(row) for row in rows}
        found: dict[str, ComputeTask] = {}
        for batch in batches(keys):
            for row in self._connection.execute(_GET_MANY, {"keys": list(batch), "channel": self._channel}):
                found[row.key] = task_from_row(row)
        return found

    def statuses(self, keys: Sequence[str]) -> dict[str, TaskStatus]:
        """Current status of each existing task among ``keys`` (cheaper than ``get_many``)."""
        if self._state.dialect == "postgresql":
            parameters = {"keys": list(keys), "channel": self._channel}
            rows = driver.fetch_all(self._connection, driver.driver_sql(_PG_STATUSES_OF), parameters)
            return {key: TaskStatus(status) for key, status in rows}
        found: dict[str, TaskStatus] = {}
        for batch in batches(keys):
            parameters = {"keys": list(batch), "channel": self._channel}
            for key, status in self._connection.execute(_STATUSES_OF, parameters):
                found[key] = TaskStatus(status)
        return found

    def set_status(self, key: str, status: TaskStatus) -> None:
        if self._state.head_locked:
            # A blind write: sent with the transaction's next read or its commit.
            pipeline.execute_later(self._connection, _PG_SET_STATUS, (status.value, key, self._channel))
            return
        self._connection.execute(_SET_STATUS, {"k": key, "c": self._channel, "status": status.value})

    def set_statuses(self, keys: Sequence[str], status: TaskStatus) -> None:
        """Set the same status on every task of ``keys`` in this channel (one statement on PostgreSQL,
        one per ``KEY_BATCH`` keys on SQLite); keys of no task are ignored."""
        if not keys:
            return
        if self._state.dialect == "postgresql":
            parameters = {"keys": list(keys), "c": self._channel, "s": status.value}
            driver.execute(self._connection, driver.driver_sql(_PG_SET_STATUSES), parameters)
            return
        for batch in batches(keys):
            parameters = {"keys": list(batch), "c": self._channel, "s": status.value}
            self._connection.execute(_SET_STATUSES, parameters)

    def query(self, offset: int, limit: int, task_filter: TaskFilter) -> list[ComputeTask]:
        """Ordered by creation date then key."""
        statement = select(*_COLUMNS).where(tasks.c.channel == self._channel)
        if task_filter.worker:
            statement = statement.where(tasks.c.worker == task_filter.worker)
        if task_filter.status is not TaskStatus.UNKNOWN:
            statement = statement.where(tasks.c.status == task_filter.status.value)
        if task_filter.compute_plan_key:
            statement = statement.where(tasks.c.compute_plan_key == task_filter.compute_plan_key)
        if task_filter.function_key:
            statement = statement.where(tasks.c.function_key == task_filter.function_key)
        statement = statement.order_by(*_BY_CREATION).offset(offset).limit(limit)
        return [task_from_row(row) for row in self._connection.execute(statement)]

    def children(self, parent_key: str) -> list[ComputeTask]:
        """Tasks having ``parent_key`` among their parents, ordered by creation date then key."""
        if self._state.dialect == "postgresql":
            rows = pipeline.fetch(self._connection, _PG_CHILDREN, (parent_key, self._channel))
            return [task_from_row(row) for row in rows]
        parameters = {"parent_key": parent_key, "channel": self._channel}
        return [task_from_row(row) for row in self._connection.execute(_CHILDREN, parameters)]

    def of_plan(self, plan_key: str, statuses: Sequence[TaskStatus]) -> list[ComputeTask]:
        """Tasks of a plan with a status among ``statuses``, by rank then creation date then key."""
        if not statuses:
            return []
        parameters = {"plan_key": plan_key, "statuses": [s.value for s in statuses], "channel": self._channel}
        return [task_from_row(row) for row in self._connection.execute(_OF_PLAN, parameters)]

    def of_function(self, function_key: str, statuses: Sequence[TaskStatus]) -> list[ComputeTask]:
        """Tasks using a function with a status among ``statuses``, by rank then creation date then key."""
        if not statuses:
            return []
        parameters = {
            "function_key": function_key,
            "statuses": [s.value for s in statuses],
            "channel": self._channel,
        }
        return [task_from_row(row) for row in self._connection.execute(_OF_FUNCTION, parameters)]

    def count_by_status(self, plan_key: str) -> dict[TaskStatus, int]:
        """Number of tasks of a plan per status; statuses without tasks are absent."""
        rows = self._connection.execute(_COUNT_BY_STATUS, {"plan_key": plan_key, "channel": self._channel})
        return {TaskStatus(status): count for status, count in rows}
