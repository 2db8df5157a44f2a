"""Cascade: one task with N children (10,000; 1,000 with --quick) completing — the time of the parent's
DONE call, which commits the parent and every child's move to To do in one transaction. No ceiling."""

import time

from bench.report import Context, Row
from bench.stats import summary
from bench.workload import act, connect, new_plan, prepare, register, task_dict, tasks_request
from podium.api.generated import computetask_pb2

NAME = "cascade"


def run(ctx: Context, children: int | None = None) -> list[Row]:
    count = children or (1_000 if ctx.quick else 10_000)
    seconds: list[float] = []
    with ctx.server() as server:
        stubs = connect(server.address)
        setup = prepare(stubs)
        for _ in range(ctx.repeats):
            setup = type(setup)(setup.function_key, setup.chain_key, new_plan(stubs))
            parent = task_dict(setup, chain=True)
            batch = [parent] + [task_dict(setup, parent=parent["key"], chain=True) for _ in range(count)]
            keys = register(stubs, tasks_request(batch))
            act(stubs, parent["key"], "EXECUTING")
            began = time.perf_counter()
            act(stubs, parent["key"], "DONE")
            seconds.append(time.perf_counter() - began)
            last = stubs.call(stubs.tasks.GetTask, computetask_pb2.GetTaskParam(key=keys[-1]))
            assert computetask_pb2.ComputeTaskStatus.Name(last.status) == "STATUS_WAITING_FOR_EXECUTOR_SLOT"
        stubs.channel.close()
    return [
        Row(
            NAME,
            f"1 parent, {count:,} children",
            "parent DONE → all children To do, s",
            summary(seconds),
            higher_is_better=False,
        )
    ]
