"""End to end: a FedAvg plan across real organizations (``podium.demo.network.Network``: ``podium serve``
with mTLS, and per organization ``podium agent`` + ``podium worker`` processes) with functions that do
almost nothing, on Redis (one DB per organization) and on the embedded broker.

Figures, from the orchestrator's own events (their timestamps are commit times):

- orchestration overhead per task with parents: its EXECUTING event - the last parent's DONE event,
  p50 and p99 over every such task of the plan;
- tasks completed per second: tasks / (last DONE - first EXECUTING).

3 organizations x 20 rounds (train x3 → aggregate, evaluation every 10 rounds); ``--quick``: 2
organizations x 2 rounds, one run, on Redis only (on the embedded broker when Redis does not answer).
Every process is stopped by pid (``Network.stop``) even on failure; the Redis DBs are flushed.
"""

import re
import shutil
import statistics
import tempfile
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

from google.protobuf.timestamp_pb2 import Timestamp

from bench.report import Context, Row
from bench.stats import latency_ms, percentile, summary
from podium.api.generated import common_pb2, computetask_pb2, event_pb2, function_pb2
from podium.demo.network import Network
from podium.demo.run import organization_names
from podium.sdk import FEDAVG_ROLES, Client, OrgData, fedavg

NAME: Final = "endtoend"
REDIS_HOST: Final = "127.0.0.1"
REDIS_PORT: Final = 6379
# DB 13 belongs to tests/agent/e2e/test_redis.py; these three are the benchmark's, flushed after use.
REDIS_DBS: Final = (10, 11, 12)
PLAN_TIMEOUT_S: Final = 900.0
BUILD_TIMEOUT_S: Final = 120.0

FUNCTIONS: Final = """
import json


def train(inputs, outputs, context):
    outputs["shared"].write_text(json.dumps({"w": 1}))


def aggregate(inputs, outputs, context):
    outputs["shared"].write_text(json.dumps({"w": 1}))


def predict(inputs, outputs, context):
    outputs["predictions"].write_text(json.dumps([1]))


def metric(inputs, outputs, context):
    outputs.write_performance("performance", 1.0)
"""

OPENER: Final = """
def load(sample_dirs):
    return [path.name for path in sample_dirs]
"""


@dataclass(frozen=True)
class Measure:
    """One plan's figures: per-task overheads (s), tasks/s, the median round time (s), and the commit
    times (epoch s) the breakdown needs: each task's EXECUTING and DONE, its last parent's DONE."""

    overheads: list[float]
    tasks_per_second: float
    round_seconds: float
    tasks: int
    executing: dict[str, float] = field(default_factory=dict)
    done: dict[str, float] = field(default_factory=dict)
    ready: dict[str, float] = field(default_factory=dict)
    breakdown_ms: dict[str, float] = field(default_factory=dict)


def _project(directory: Path, module: str, source: str, entrypoint: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (directory / "podium.toml").write_text(f'entrypoint = "{module}:{entrypoint}"\n', encoding="utf-8")
    return directory


def redis_answers() -> bool:
    """Whether Redis answers on 127.0.0.1:6379 (the Redis runs are skipped otherwise)."""
    try:
        import redis

        return bool(redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=2).ping())
    except Exception:
        return False


def flush_redis(dbs: Iterable[int]) -> None:
    """Empty the benchmark's Redis DBs (queues left by a run must not feed the next one)."""
    import redis

    for db in dbs:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_timeout=5).flushdb()


def _seconds(stamp: Timestamp) -> float:
    return stamp.seconds + stamp.nanos / 1e9


def _wait_ready(client: Client, keys: Sequence[str], network: Network) -> None:
    """Functions are built at registration; wait for READY so builds stay out of the figures."""
    ready = function_pb2.FunctionStatus.Value("FUNCTION_STATUS_READY")
    deadline = time.monotonic() + BUILD_TIMEOUT_S
    while not all(client.orchestrator.get_function(key).status == ready for key in keys):
        network.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"functions not READY after {BUILD_TIMEOUT_S:.0f}s")
        time.sleep(0.2)


def register(network: Network, rounds: int, work: Path) -> tuple[Client, str, float]:
    """Data at every organization, four trivial functions and the FedAvg plan (by the first).

    Returns the owner's client, the plan key and the wall time just before the plan's registration.
    """
    organizations = network.organizations
    opener = _project(work / "opener", "opener", OPENER, "load")
    clients = {org: Client(network.nodes[org]) for org in organizations}
    try:
        datasets: dict[str, OrgData] = {}
        for org, client in clients.items():
            manager = client.register_data_manager(opener, f"data of {org}", organizations)
            sample = work / "samples" / org
            sample.mkdir(parents=True, exist_ok=True)
            (sample / "value.json").write_text("1", encoding="utf-8")
            train_key, test_key = client.register_data_samples(manager.key, [sample, sample])
            datasets[org] = OrgData(manager.key, [train_key], [test_key])
        owner = clients.pop(organizations[0])
    finally:
        for client in clients.values():
            client.close()
    keys = {
        role: owner.register_function(
            _project(work / role, "trivial", FUNCTIONS, role),
            role,
            spec.inputs,
            spec.outputs,
            permissions=organizations,
        ).key
        for role, spec in FEDAVG_ROLES
    }
    _wait_ready(owner, list(keys.values()), network)
    tasks = fedavg(
        *(keys[role] for role, _ in FEDAVG_ROLES),
        datasets_by_org=datasets,
        rounds=rounds,
        aggregator_org=organizations[0],
        evaluate_every=10,
    )
    began = time.time()
    plan = owner.register_plan("endtoend benchmark", tasks)
    return owner, plan.key, began


def wait_done(client: Client, plan_key: str, network: Network) -> None:
    """Poll until every task of the plan is DONE; raise if one fails, a process dies, or time runs out."""
    done = computetask_pb2.ComputeTaskStatus.Value("STATUS_DONE")
    bad = {computetask_pb2.ComputeTaskStatus.Value(s) for s in ("STATUS_FAILED", "STATUS_CANCELED")}
    deadline = time.monotonic() + PLAN_TIMEOUT_S
    while True:
        network.check()
        statuses = [task.status for task in client.tasks(plan_key)]
        if any(status in bad for status in statuses):
            raise RuntimeError(f"plan {plan_key} has a failed or canceled task")
        if statuses and all(status == done for status in statuses):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"plan {plan_key} not DONE after {PLAN_TIMEOUT_S:.0f}s")
        time.sleep(0.5)


def parents(task: computetask_pb2.ComputeTask) -> set[str]:
    """The keys of the tasks whose outputs ``task`` takes as inputs."""
    return {
        ref.parent_task_output.parent_task_key
        for ref in task.inputs
        if ref.WhichOneof("ref") == "parent_task_output"
    }


def measure(client: Client, plan_key: str, since: float) -> Measure:
    """The figures of a finished plan, from the task events committed since ``since`` (epoch s)."""
    tasks = {task.key: task for task in client.tasks(plan_key)}
    start = Timestamp()
    start.FromNanoseconds(int((since - 1) * 1e9))
    query = event_pb2.EventQueryFilter(asset_kind=common_pb2.ASSET_COMPUTE_TASK, start=start)
    executing: dict[str, float] = {}
    done: dict[str, float] = {}
    name = computetask_pb2.ComputeTaskStatus.Name
    for event in client.orchestrator.query_events(query_filter=query, page_size=1000):
        if event.asset_key not in tasks or not event.HasField("compute_task"):
            continue
        status = name(event.compute_task.status)
        stamp = _seconds(event.timestamp)
        if status == "STATUS_EXECUTING":
            executing.setdefault(event.asset_key, stamp)
        elif status == "STATUS_DONE":
            done[event.asset_key] = stamp
    parents_of = {key: parents(task) for key, task in tasks.items()}
    ready = {key: max(done[p] for p in parents_of[key]) for key in tasks if parents_of[key]}
    overheads = [executing[key] - ready[key] for key in ready]
    span = max(done.values()) - min(executing.values())
    aggregates = sorted(done[key] for key in tasks if len(parents_of[key]) > 1)
    rounds = [later - earlier for earlier, later in pairwise(aggregates)]
    return Measure(overheads, len(tasks) / span, percentile(rounds, 0.5), len(tasks), executing, done, ready)


# The log lines the breakdown reads: the agent's enqueue, Celery's receipt in the worker.
_STAMP = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) "
ENQUEUED: Final = re.compile(_STAMP + r".*enqueued podium\.run_task\(([0-9a-f-]{36})\)", re.M)
RECEIVED: Final = re.compile(_STAMP + r".*Task podium\.run_task\[run:([0-9a-f-]{36})\] received", re.M)


def _log_times(paths: Iterable[Path], pattern: re.Pattern[str]) -> dict[str, float]:
    """The first time (epoch s; the logs are in local time) each task key matches ``pattern``."""
    found: dict[str, float] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        for stamp, key in pattern.findall(text):
            found.setdefault(key, datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp())
    return found


def breakdown(m: Measure, homes: Sequence[Path]) -> dict[str, float]:
    """Median ms of each leg of the overhead, per task with parents, from the logs of ``homes``:
    agent reaction (last parent DONE → enqueued), delivery (enqueued → worker received), worker start
    (received → EXECUTING committed); and the run itself (EXECUTING → DONE) for tasks/s."""
    enqueued = _log_times((home / "agent.log" for home in homes), ENQUEUED)
    received = _log_times((home / "worker.log" for home in homes), RECEIVED)
    keys = [k for k in m.ready if k in enqueued and k in received]
    if not keys:
        return {}

    def median_ms(values: Iterable[float]) -> float:
        return round(1000 * statistics.median(values), 1)

    return {
        "agent_reaction": median_ms(enqueued[k] - m.ready[k] for k in keys),
        "delivery": median_ms(received[k] - enqueued[k] for k in keys),
        "worker_start": median_ms(m.executing[k] - received[k] for k in keys),
        "run_executing_to_done": median_ms(m.done[k] - m.executing[k] for k in m.executing),
    }


def one_plan(organizations: int, rounds: int, broker: str) -> Measure:
    """Start a network on ``broker`` ("redis" or "embedded"), run one plan, stop everything."""
    root = Path(tempfile.mkdtemp(prefix="podium-bench-e2e-"))
    names = organization_names(organizations)
    network = Network(root, names)
    if broker == "redis":
        dbs = REDIS_DBS[:organizations]
        flush_redis(dbs)
        network.broker_urls = {
            org: f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}" for org, db in zip(names, dbs, strict=True)
        }
    try:
        network.start()
        client, plan_key, began = register(network, rounds, root / "projects")
        try:
            wait_done(client, plan_key, network)
            result = measure(client, plan_key, began)
        finally:
            client.close()
        network.stop()  # flushes and closes the logs the breakdown reads
        result.breakdown_ms.update(breakdown(result, [root / org for org in names]))
        shutil.rmtree(root, ignore_errors=True)  # kept on failure: the logs say why
        return result
    finally:
        network.stop()
        if broker == "redis":
            flush_redis(REDIS_DBS[:organizations])


def rows(broker: str, organizations: int, rounds: int, measures: Sequence[Measure]) -> list[Row]:
    """p50 and p99 overhead (ms) and tasks/s: median and spread over the runs."""
    case = f"{broker}, {organizations} orgs x {rounds} rounds ({measures[0].tasks} tasks)"
    latencies = [latency_ms(m.overheads) for m in measures]
    extra: dict[str, Any] = {
        "round_seconds_median": round(summary([m.round_seconds for m in measures])["median"], 3),
        "tasks_with_parents": len(measures[0].overheads),
        "breakdown_median_ms": {
            leg: round(statistics.median(m.breakdown_ms[leg] for m in measures), 1)
            for leg in measures[0].breakdown_ms
            if all(leg in m.breakdown_ms for m in measures)
        },
    }
    return [
        Row(NAME, case, "overhead p50 (parent DONE → EXECUTING), ms",
            summary([lat["p50_ms"] for lat in latencies]), higher_is_better=False, extra=extra),
        Row(NAME, case, "overhead p99, ms", summary([lat["p99_ms"] for lat in latencies]),
            higher_is_better=False),
        Row(NAME, case, "tasks completed/s", summary([m.tasks_per_second for m in measures])),
    ]  # fmt: skip


def run(
    ctx: Context, *, organizations: int | None = None, rounds: int | None = None, brokers: Sequence[str] = ()
) -> list[Row]:
    """Each broker (default: Redis when it answers, then embedded) ``ctx.repeats`` times (1 in quick)."""
    count = rounds or (2 if ctx.quick else 20)
    organizations = organizations or (2 if ctx.quick else 3)
    runs = 1 if ctx.quick else ctx.repeats
    available = [*(["redis"] if redis_answers() else []), "embedded"]
    # --quick runs the first broker available only: a network start alone takes tens of seconds.
    chosen = list(brokers) or (available[:1] if ctx.quick else available)
    result: list[Row] = []
    for broker in chosen:
        measures = [one_plan(organizations, count, broker) for _ in range(runs)]
        result.extend(rows(broker, organizations, count, measures))
    return result
