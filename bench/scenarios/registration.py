"""Registration: RegisterTasks of one plan of N tasks in one call — tasks/s and server peak RSS; ceiling:
COPY of the same number of task rows and event rows into tables of the same shape."""

import time
from collections.abc import Sequence

from bench.ceilings import copy_tasks_and_events, ensure_copy_tables
from bench.report import Context, Row
from bench.stats import summary
from bench.workload import connect, new_plan, prepare, register, task_batch

NAME = "registration"


def run(ctx: Context, sizes: Sequence[int] | None = None) -> list[Row]:
    """One fresh server per size (so its peak RSS belongs to that size), ``ctx.repeats`` calls each."""
    if sizes is None:
        sizes = (1_000, 10_000) if ctx.quick else (1_000, 10_000, 100_000)
    ensure_copy_tables(ctx.postgres.url)
    rows: list[Row] = []
    for size in sizes:
        rates: list[float] = []
        with ctx.server() as server:
            stubs = connect(server.address)
            setup = prepare(stubs)
            for _ in range(ctx.repeats):
                request = task_batch(setup, size)
                began = time.perf_counter()
                created = register(stubs, request)
                rates.append(len(created) / (time.perf_counter() - began))
                setup = type(setup)(setup.function_key, setup.chain_key, new_plan(stubs))
            peak = server.peak_rss_mib()
            stubs.channel.close()
        ceiling = [size / copy_tasks_and_events(ctx.postgres.url, size) for _ in range(ctx.repeats)]
        rows.append(
            Row(
                NAME,
                f"{size:,} tasks",
                "tasks/s",
                summary(rates),
                "COPY tasks+events",
                summary(ceiling),
                extra={"server_peak_rss_mib": round(peak, 1)},
            )
        )
    return rows
