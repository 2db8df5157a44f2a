"""Growth: per-operation cost of GetTask, QueryTasks (page of 100) and ApplyTaskAction with 10^3, 10^5
and 10^6 tasks and events stored (--quick: 10^3 and 3·10^4 only). Rows are seeded with COPY straight into
``compute_tasks`` and ``events`` (copies of rows the server wrote, with fresh keys and positions), so
the code reads them like its own. The "ceiling" of each level is the same operation on a second
database that keeps 10^3 tasks, measured in alternation with the level's runs (a shared machine's
speed drifts over the minutes the seeding takes): flat cost means a ratio near 1."""

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench.infra import CHANNEL, Postgres, Server
from bench.report import Context, Row
from bench.scenarios.events import seed_events
from bench.stats import summary
from bench.workload import Setup, Stubs, act, connect, prepare, register, task_batch
from podium.api.generated import computetask_pb2

NAME = "growth"


def seed_key(index: int) -> str:
    """The key of the ``index``-th seeded task (a valid UUID, as the contract requires)."""
    return f"00000000-0000-4000-8000-{index:012d}"


def seed_tasks(url: str, setup: Setup, start: int, stop: int) -> None:
    """COPY tasks ``seed_key(start)`` … ``seed_key(stop - 1)`` shaped like the plan's registered task."""
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        row = cur.execute(
            "SELECT owner, worker, rank, data FROM compute_tasks WHERE compute_plan_key = %s LIMIT 1",
            (setup.plan_key,),
        ).fetchone()
        assert row is not None
        owner, worker, rank, data = row
        data_text = json.dumps(data)
        now = datetime.now(UTC)
        with cur.copy(
            "COPY compute_tasks (key, channel, owner, compute_plan_key, function_key, rank, status, worker,"
            " creation_date, data) FROM STDIN"
        ) as copy:
            for index in range(start, stop):
                copy.write_row(
                    (
                        seed_key(index),
                        CHANNEL,
                        owner,
                        setup.plan_key,
                        setup.function_key,
                        rank,
                        "STATUS_WAITING_FOR_EXECUTOR_SLOT",
                        worker,
                        now,
                        data_text,
                    )
                )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE compute_tasks")
        conn.execute("ANALYZE events")


def _per_op_ms(operation: Callable[[], Any], count: int, budget_s: float) -> float:
    """Median milliseconds of ``operation`` over ``count`` sequential calls (fewer when over budget)."""
    samples: list[float] = []
    deadline = time.monotonic() + budget_s
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        began = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - began)
    samples.sort()
    return 1000 * samples[len(samples) // 2]


def _measure(stubs: Stubs, level: int, calls: int, unused: list[str]) -> dict[str, float]:
    def get() -> None:
        key = seed_key(random.randrange(level))
        stubs.call(stubs.tasks.GetTask, computetask_pb2.GetTaskParam(key=key))

    def query() -> None:
        stubs.call(stubs.tasks.QueryTasks, computetask_pb2.QueryTasksParam(page_size=100))

    def apply() -> None:
        act(stubs, unused.pop(), "EXECUTING")

    return {
        "GetTask": _per_op_ms(get, calls, 10),
        "QueryTasks page 100": _per_op_ms(query, max(1, calls // 4), 10),
        "ApplyTaskAction": _per_op_ms(apply, min(calls, len(unused)), 10),
    }


REFERENCE_TASKS = 1_000
"""Tasks of the reference database, whatever the level."""


def reset_statuses(url: str, keys: list[str]) -> None:
    """Put the tasks of ``keys`` back in To do (the reference's ApplyTaskAction runs take them
    EXECUTING, and it must keep its size)."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE compute_tasks SET status = 'STATUS_WAITING_FOR_EXECUTOR_SLOT' WHERE key = ANY(%s)",
            (keys,),
        )


def run(ctx: Context) -> list[Row]:
    levels = (1_000, 30_000) if ctx.quick else (1_000, 100_000, 1_000_000)
    calls = 60 if ctx.quick else 400
    figures: dict[int, list[dict[str, float]]] = {}
    references: dict[int, list[dict[str, float]]] = {}
    reference_db = Postgres(admin_url=ctx.postgres.admin_url).create()
    try:
        reference = Server(reference_db.url).wait_ready()
        try:
            with ctx.server() as server:
                grown = _Target(ctx.postgres.url, server)
                small = _Target(reference_db.url, reference)
                small.seed(REFERENCE_TASKS)
                for level in levels:
                    grown.seed(level)
                    figures[level], references[level] = [], []
                    for run_index in range(ctx.repeats):
                        # Tasks in To do that no earlier run touched: the seeded tail of this level.
                        first = level - (run_index + 1) * calls
                        unused = [seed_key(i) for i in range(max(grown.stored_before, first), first + calls)]
                        figures[level].append(_measure(grown.stubs, level, calls, unused))
                        unused = [seed_key(i) for i in range(REFERENCE_TASKS - calls, REFERENCE_TASKS)]
                        reset_statuses(reference_db.url, unused)
                        references[level].append(_measure(small.stubs, REFERENCE_TASKS, calls, unused))
                grown.close()
                small.close()
        finally:
            reference.stop()
    finally:
        reference_db.drop()
    rows: list[Row] = []
    for operation in ("GetTask", "QueryTasks page 100", "ApplyTaskAction"):
        for level in levels:
            rows.append(
                Row(
                    NAME,
                    f"{operation}, {level:,} tasks+events",
                    "ms/op",
                    summary([r[operation] for r in figures[level]]),
                    f"same op at {REFERENCE_TASKS:,}, alongside",
                    summary([r[operation] for r in references[level]]),
                    higher_is_better=False,
                )
            )
    return rows


class _Target:
    """A server and its database, seeded up to a level of tasks and events."""

    def __init__(self, url: str, server: Server) -> None:
        self.url = url
        self.stubs = connect(server.address)
        self.setup = prepare(self.stubs)
        register(self.stubs, task_batch(self.setup, 1))
        self.stored = 0
        self.stored_before = 0

    def seed(self, level: int) -> None:
        """Seed tasks and events up to ``level`` of each."""
        seed_tasks(self.url, self.setup, self.stored, level)
        seed_events(self.url, level - self.stored)
        self.stored_before, self.stored = self.stored, level

    def close(self) -> None:
        self.stubs.channel.close()
