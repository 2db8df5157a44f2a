"""Registration: RegisterTasks of one plan of N tasks in one call — tasks/s and server peak RSS; ceiling:
COPY of the same number of task rows and event rows into tables of the same shape."""

import time
from collections.abc import Sequence
from contextlib import nullcontext

from bench.ceilings import copy_tasks_and_events, ensure_copy_tables
from bench.infra import Server
from bench.report import Context, Row
from bench.stats import summary
from bench.workload import connect, new_plan, prepare, register, task_batch

NAME = "registration"


def run(ctx: Context, sizes: Sequence[int] | None = None) -> list[Row]:
    """``ctx.repeats`` calls per size, next to COPY of the same rows."""
    if sizes is None:
        sizes = (1_000, 10_000) if ctx.quick else (1_000, 10_000, 100_000)
    ensure_copy_tables(ctx.postgres.url)
    rows: list[Row] = []
    # The full run starts a fresh server per size, so that its peak RSS belongs to that size; --quick
    # shares one server (its peak RSS is then the peak up to that size).
    shared = ctx.server() if ctx.quick else nullcontext(None)
    with shared as shared_server:
        for size in sizes:
            own = ctx.server() if shared_server is None else nullcontext(shared_server)
            with own as server:
                rates, peak = _register(ctx, server, size)
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


def _register(ctx: Context, server: Server, size: int) -> tuple[list[float], float]:
    """``ctx.repeats`` RegisterTasks calls of ``size`` tasks (a new plan each): tasks/s of each call,
    and the server's peak RSS (MiB) after them."""
    stubs = connect(server.address)
    try:
        setup = prepare(stubs)
        rates: list[float] = []
        for _ in range(ctx.repeats):
            request = task_batch(setup, size)
            began = time.perf_counter()
            created = register(stubs, request)
            rates.append(len(created) / (time.perf_counter() - began))
            setup = type(setup)(setup.function_key, setup.chain_key, new_plan(stubs))
        return rates, server.peak_rss_mib()
    finally:
        stubs.channel.close()
