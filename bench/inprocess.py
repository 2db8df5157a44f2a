"""``python -m bench.inprocess [--tasks N] [--rounds R]``: the store's and use cases' share of a task
transition, without gRPC: ``Orchestrator.apply_task_action`` called in this process on a fresh
PostgreSQL database (the same server as ``bench.run``), N tasks taken EXECUTING then DONE, R rounds.

Prints ms per EXECUTING and per DONE for each round. Set ``PGOPTIONS="-c synchronous_commit=off"`` to
take the disk's flush out and compare code changes by their CPU and round trips alone; alternate
old and new code between rounds of separate runs, as the machine's speed drifts.
"""

import argparse
import time
import uuid

from bench.infra import Postgres
from podium.app.service import Caller, Orchestrator
from podium.domain import commands
from podium.domain.assets import Addressable, NewPermissions
from podium.domain.kinds import FunctionAction, TaskAction
from podium.store import open_database

_ORG = "BenchOrgMSP"
_CALLER = Caller(_ORG, "bench")
_PUBLIC = NewPermissions(public=True, authorized_ids=())


def _ready_function(orchestrator: Orchestrator) -> str:
    key = str(uuid.uuid4())
    address = Addressable("b" * 64, f"http://bench.example/{key}/")
    function = commands.NewFunction(
        key=key, name="f", description=address, archive=address, new_permissions=_PUBLIC
    )
    orchestrator.register_function(_CALLER, function)
    for action in (FunctionAction.BUILDING, FunctionAction.READY):
        orchestrator.apply_function_action(_CALLER, commands.ApplyFunctionAction(key, action))
    return key


def _milliseconds_per_call(orchestrator: Orchestrator, keys: list[str], action: TaskAction) -> float:
    began = time.perf_counter()
    for key in keys:
        orchestrator.apply_task_action(_CALLER, commands.ApplyTaskAction(key, action))
    return (time.perf_counter() - began) / len(keys) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--tasks", type=int, default=1000, help="tasks per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds (default 2)")
    args = parser.parse_args(argv)
    postgres = Postgres().create()
    try:
        database = open_database(postgres.url)
        try:
            orchestrator = Orchestrator(database)
            orchestrator.register_organization(_CALLER, commands.RegisterOrganization())
            function_key = _ready_function(orchestrator)
            for round_ in range(1, args.rounds + 1):
                plan_key = str(uuid.uuid4())
                orchestrator.register_plan(_CALLER, commands.NewComputePlan(key=plan_key, name="plan"))
                new_tasks = tuple(
                    commands.NewComputeTask(str(uuid.uuid4()), function_key, plan_key, worker=_ORG)
                    for _ in range(args.tasks)
                )
                tasks = orchestrator.register_tasks(_CALLER, commands.RegisterTasks(new_tasks))
                keys = [task.key for task in tasks]
                executing = _milliseconds_per_call(orchestrator, keys, TaskAction.EXECUTING)
                done = _milliseconds_per_call(orchestrator, keys, TaskAction.DONE)
                print(f"round {round_}: EXECUTING {executing:.3f} ms/op, DONE {done:.3f} ms/op", flush=True)
        finally:
            database.close()
    finally:
        postgres.drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
