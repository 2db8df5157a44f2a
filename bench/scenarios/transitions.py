"""Transitions: ApplyTaskAction (EXECUTING then DONE on independent tasks) at 1 / 16 / 64 clients, server
with ``--processes 1`` and ``2`` — ops/s and p50/p99. Ceilings: pgbench running the same statement mix
at the same client counts, and the bare gRPC server called the same way, each measured right before
the podium run it is compared with."""

from typing import Any

from bench.ceilings import pgbench_transitions, prepare_pgbench
from bench.load import run_clients
from bench.report import Context, Row
from bench.stats import summary
from bench.workload import connect, prepare, register, task_batch

NAME = "transitions"
CLIENTS = (1, 16, 64)
PGBENCH_ROWS = 100_000


def _keys(address: str, count: int) -> list[str]:
    stubs = connect(address)
    try:
        return register(stubs, task_batch(prepare(stubs), count))
    finally:
        stubs.channel.close()


def _rows(
    case: str, runs: list[dict[str, Any]], pg: list[dict[str, Any]], bare: list[dict[str, Any]]
) -> list[Row]:
    """ops/s against pgbench, the bare server and both in series (a call's latency is the gRPC round
    trip plus the transaction: 1 / (1/bare + 1/pgbench)); p50/p99 against pgbench's."""

    def of(results: list[dict[str, Any]], name: str) -> dict[str, Any]:
        return summary([r[name] for r in results])

    serial = [1 / (1 / b["ops_per_s"] + 1 / p["ops_per_s"]) for b, p in zip(bare, pg, strict=True)]
    return [
        Row(NAME, case, "ops/s", of(runs, "ops_per_s"), "pgbench same mix", of(pg, "ops_per_s")),
        Row(NAME, case, "ops/s", of(runs, "ops_per_s"), "bare gRPC", of(bare, "ops_per_s")),
        Row(NAME, case, "ops/s", of(runs, "ops_per_s"), "bare gRPC + pgbench in series", summary(serial)),
        Row(
            NAME,
            case,
            "p50 ms",
            of(runs, "p50_ms"),
            "pgbench same mix",
            of(pg, "p50_ms"),
            higher_is_better=False,
        ),
        Row(
            NAME,
            case,
            "p99 ms",
            of(runs, "p99_ms"),
            "pgbench same mix",
            of(pg, "p99_ms"),
            higher_is_better=False,
        ),
    ]


def run(ctx: Context) -> list[Row]:
    seconds = 0.75 if ctx.quick else 5.0
    tasks_per_run = 600 if ctx.quick else 5_000
    counts = (1, 16) if ctx.quick else CLIENTS
    pgbench_rows = 10_000 if ctx.quick else PGBENCH_ROWS
    # --quick measures one server process only (each server start costs seconds).
    process_counts = (1,) if ctx.quick else (1, 2)
    prepare_pgbench(ctx.postgres.url, pgbench_rows)
    rows: list[Row] = []
    with ctx.bare() as bare_server:
        for processes in process_counts:
            # One server per process count; every run takes fresh tasks, so runs do not interfere.
            with ctx.server(processes=processes) as server:
                for clients in counts:
                    runs: list[dict[str, Any]] = []
                    pgbench: list[dict[str, Any]] = []
                    bare: list[dict[str, Any]] = []
                    per_client = max(1, round(seconds * 4000 / clients))
                    pgbench_seconds = max(1, round(seconds))
                    for _ in range(ctx.repeats):
                        # Each run next to its ceilings: a shared host's speed drifts over minutes, and
                        # ceilings measured minutes apart would carry that drift into the ratios.
                        pgbench.append(
                            pgbench_transitions(ctx.postgres.url, clients, pgbench_seconds, pgbench_rows)
                        )
                        bare.append(
                            run_clients(
                                bare_server.address,
                                "bare",
                                clients,
                                ops_per_client=per_client,
                                max_seconds=seconds,
                            )
                        )
                        keys = _keys(server.address, tasks_per_run)
                        runs.append(
                            run_clients(server.address, "podium", clients, keys=keys, max_seconds=seconds)
                        )
                    case = f"{clients} clients, --processes {processes}"
                    rows += _rows(case, runs, pgbench, bare)
    return rows
