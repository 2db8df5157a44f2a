"""View models: what the pages and JSON endpoints show, computed from protobuf messages without I/O.

A task's ``TaskStatus`` is shown in one of six groups (the columns of ``podium demo``), each with a
word and a symbol so that a status reads without colour: waiting (…), to do (○), doing (▶), done (✓),
failed (✗), canceled (⊘). A plan with more than ``AGGREGATE_THRESHOLD`` tasks is shown as counts by
rank by group instead of one node per task.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from google.protobuf.timestamp_pb2 import Timestamp

from podium.api.generated import computeplan_pb2, computetask_pb2, event_pb2
from podium.domain.kinds import TaskStatus
from podium.sdk.results import PerformanceRow
from podium.sdk.status import derive_status, task_status

AGGREGATE_THRESHOLD: Final = 2_000
"""Plans with more tasks than this are drawn as rank by status counts."""

NODE_WIDTH: Final = 132
NODE_HEIGHT: Final = 40
COLUMN_GAP: Final = 48
ROW_GAP: Final = 12
LANE_LABEL_WIDTH: Final = 150
LANE_PADDING: Final = 14


@dataclass(frozen=True)
class StatusGroup:
    """How a group of task statuses is shown: a CSS-safe name, a word and a symbol."""

    name: str
    label: str
    symbol: str
    statuses: tuple[TaskStatus, ...]


GROUPS: Final = (
    StatusGroup(
        "waiting",
        "waiting",
        "…",
        (TaskStatus.WAITING_FOR_BUILDER_SLOT, TaskStatus.BUILDING, TaskStatus.WAITING_FOR_PARENT_TASKS),
    ),
    StatusGroup("todo", "to do", "○", (TaskStatus.WAITING_FOR_EXECUTOR_SLOT,)),
    StatusGroup("doing", "doing", "▶", (TaskStatus.EXECUTING,)),
    StatusGroup("done", "done", "✓", (TaskStatus.DONE,)),
    StatusGroup("failed", "failed", "✗", (TaskStatus.FAILED,)),
    StatusGroup("canceled", "canceled", "⊘", (TaskStatus.CANCELED,)),
)
_GROUP_OF: Final = {status: group for group in GROUPS for status in group.statuses}
_UNKNOWN: Final = StatusGroup("unknown", "unknown", "?", ())


def group_of(status: TaskStatus | str) -> StatusGroup:
    """The display group of a status (a ``TaskStatus`` or its wire name); ``unknown`` otherwise."""
    try:
        return _GROUP_OF.get(TaskStatus(status), _UNKNOWN)
    except ValueError:
        return _UNKNOWN


def group_of_name(name: str) -> StatusGroup:
    """The display group called ``name``; ``unknown`` otherwise."""
    return next((group for group in GROUPS if group.name == name), _UNKNOWN)


def status_names() -> dict[str, dict[str, str]]:
    """Every wire status name with its group, word and symbol (sent to the page's script)."""
    return {
        status.value: {"group": group.name, "label": group.label, "symbol": group.symbol}
        for status, group in _GROUP_OF.items()
    }


def iso(timestamp: Timestamp) -> str | None:
    """An ISO-8601 UTC time, or None for an unset timestamp."""
    if not timestamp.seconds and not timestamp.nanos:
        return None
    return timestamp.ToDatetime().strftime("%Y-%m-%dT%H:%M:%SZ")


def group_counts(tasks: Iterable[computetask_pb2.ComputeTask]) -> dict[str, int]:
    """How many tasks are in each display group (every group present, zeros included)."""
    counts = Counter(group_of(task_status(task)).name for task in tasks)
    return {group.name: counts.get(group.name, 0) for group in GROUPS}


def plan_summary(
    plan: computeplan_pb2.ComputePlan, tasks: Sequence[computetask_pb2.ComputeTask], end: str | None = None
) -> dict[str, Any]:
    """A plan as the plans list shows it: derived status, counts by group (the progress bar), times.

    Args:
        end: when the plan ended, if known from elsewhere (events); the cancelation or failure date
            wins when set.
    """
    status = derive_status(plan, tasks)
    ended = iso(plan.cancelation_date) or iso(plan.failure_date) or (end if status.finished else None)
    return {
        "key": plan.key,
        "name": plan.name,
        "owner": plan.owner,
        "tag": plan.tag,
        "state": status.state.value,
        "total": status.total,
        "groups": group_counts(tasks),
        "start": iso(plan.creation_date),
        "end": ended,
    }


def task_view(task: computetask_pb2.ComputeTask) -> dict[str, Any]:
    """A task's fields as the page shows them (status by wire name and display group)."""
    status = task_status(task)
    group = group_of(status)
    inputs = []
    for task_input in task.inputs:
        if task_input.HasField("parent_task_output"):
            ref = task_input.parent_task_output
            inputs.append(
                {
                    "identifier": task_input.identifier,
                    "parent_task_key": ref.parent_task_key,
                    "output_identifier": ref.output_identifier,
                }
            )
        else:
            inputs.append({"identifier": task_input.identifier, "asset_key": task_input.asset_key})
    return {
        "key": task.key,
        "plan_key": task.compute_plan_key,
        "owner": task.owner,
        "worker": task.worker,
        "rank": task.rank,
        "status": status.value,
        "group": group.name,
        "label": group.label,
        "symbol": group.symbol,
        "function_key": task.function_key,
        "metadata": dict(task.metadata),
        "inputs": inputs,
        "outputs": {
            identifier: {"transient": output.transient} for identifier, output in sorted(task.outputs.items())
        },
        "created": iso(task.creation_date),
    }


def parents_of(task: computetask_pb2.ComputeTask) -> list[str]:
    """The keys of the tasks whose outputs ``task`` takes, in input order, without repeats."""
    keys = [
        task_input.parent_task_output.parent_task_key
        for task_input in task.inputs
        if task_input.HasField("parent_task_output")
    ]
    return list(dict.fromkeys(keys))


def layout(tasks: Sequence[computetask_pb2.ComputeTask]) -> dict[str, Any]:
    """Place every task: one column per rank, one horizontal lane per organization (worker, sorted),
    tasks of one rank stacked inside their lane in registration order.

    Returns:
        ``{"width", "height", "lanes": [{organization, y, height}], "nodes": [{key, x, y, status,
        group, label, symbol, worker, rank}], "edges": [[parent_key, child_key]]}``; coordinates are
        the top-left corners of ``NODE_WIDTH`` by ``NODE_HEIGHT`` boxes.
    """
    by_lane: dict[str, dict[int, list[computetask_pb2.ComputeTask]]] = defaultdict(lambda: defaultdict(list))
    for task in tasks:
        by_lane[task.worker][task.rank].append(task)
    ranks = sorted({task.rank for task in tasks})
    column = {rank: index for index, rank in enumerate(ranks)}
    lanes, nodes = [], []
    y = 0
    for organization in sorted(by_lane):
        stacks = by_lane[organization]
        rows = max(len(stack) for stack in stacks.values())
        height = 2 * LANE_PADDING + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP
        lanes.append({"organization": organization, "y": y, "height": height})
        for rank, stack in stacks.items():
            for row, task in enumerate(stack):
                group = group_of(task_status(task))
                nodes.append(
                    {
                        "key": task.key,
                        "x": LANE_LABEL_WIDTH + column[rank] * (NODE_WIDTH + COLUMN_GAP),
                        "y": y + LANE_PADDING + row * (NODE_HEIGHT + ROW_GAP),
                        "status": task_status(task).value,
                        "group": group.name,
                        "label": group.label,
                        "symbol": group.symbol,
                        "worker": task.worker,
                        "rank": task.rank,
                    }
                )
        y += height
    known = {task.key for task in tasks}
    edges = [[parent, task.key] for task in tasks for parent in parents_of(task) if parent in known]
    width = LANE_LABEL_WIDTH + max(len(ranks), 1) * (NODE_WIDTH + COLUMN_GAP)
    return {"width": width, "height": max(y, NODE_HEIGHT), "lanes": lanes, "nodes": nodes, "edges": edges}


def aggregate(tasks: Iterable[computetask_pb2.ComputeTask]) -> dict[str, Any]:
    """Counts of tasks by rank by display group, and by organization by group (for large plans).

    Returns:
        ``{"groups": [names], "ranks": [{"rank", "total", "counts": {group: n}}],
        "organizations": [{"organization", "total", "counts"}]}``, ranks and organizations sorted.
    """
    by_rank: dict[int, Counter[str]] = defaultdict(Counter)
    by_org: dict[str, Counter[str]] = defaultdict(Counter)
    for task in tasks:
        name = group_of(task_status(task)).name
        by_rank[task.rank][name] += 1
        by_org[task.worker][name] += 1

    def row(counter: Counter[str]) -> dict[str, Any]:
        return {
            "total": sum(counter.values()),
            "counts": {group.name: counter.get(group.name, 0) for group in GROUPS},
        }

    return {
        "groups": [group.name for group in GROUPS],
        "ranks": [{"rank": rank, **row(by_rank[rank])} for rank in sorted(by_rank)],
        "organizations": [{"organization": org, **row(by_org[org])} for org in sorted(by_org)],
    }


def event_view(event: event_pb2.Event) -> dict[str, Any]:
    """An event as the page and the live stream carry it: position, kind, asset and, for a task, its
    new status and the reason given for the change."""
    view: dict[str, Any] = {
        "id": event.id,
        "position": int(event.position),
        "hash": event.hash,
        "timestamp": iso(event.timestamp),
        "asset_kind": _enum_name(event_pb2.Event.DESCRIPTOR.fields_by_name["asset_kind"], event.asset_kind),
        "event_kind": _enum_name(event_pb2.Event.DESCRIPTOR.fields_by_name["event_kind"], event.event_kind),
        "asset_key": event.asset_key,
        "reason": event.metadata.get("reason", ""),
    }
    asset = event.WhichOneof("asset")
    if asset == "compute_task":
        task = event.compute_task
        group = group_of(task_status(task))
        view.update(
            plan_key=task.compute_plan_key,
            status=task_status(task).value,
            group=group.name,
            label=group.label,
            symbol=group.symbol,
            worker=task.worker,
            rank=task.rank,
        )
    elif asset == "compute_plan":
        view["plan_key"] = event.compute_plan.key
    elif asset == "performance":
        view["task_key"] = event.performance.compute_task_key
        view["value"] = event.performance.performance_value
    return view


def _enum_name(field: Any, number: int) -> str:
    value = field.enum_type.values_by_number.get(number)
    return str(value.name) if value is not None else str(number)


@dataclass(frozen=True)
class Series:
    """One line of a chart: an organization's values of one metric, by round."""

    organization: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Metric:
    """One chart: a metric (function and output identifier) and its series."""

    name: str
    function_key: str
    identifier: str
    series: tuple[Series, ...]


def round_of(row: PerformanceRow) -> float:
    """The x of a performance: its round when numeric, else its task's rank."""
    return float(row.round) if row.round.isdigit() else float(row.rank)


def metrics(rows: Iterable[PerformanceRow], names: dict[str, str] | None = None) -> list[Metric]:
    """Group performance rows into one ``Metric`` per (function, identifier), one ``Series`` per
    organization, points sorted by round. ``names`` maps function keys to display names."""
    grouped: dict[tuple[str, str], dict[str, list[tuple[float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        grouped[(row.function_key, row.identifier)][row.worker].append((round_of(row), row.value))
    found = []
    for (function_key, identifier), by_org in sorted(grouped.items()):
        name = (names or {}).get(function_key, function_key[:8])
        series = tuple(Series(org, tuple(sorted(points))) for org, points in sorted(by_org.items()))
        found.append(Metric(f"{name} / {identifier}", function_key, identifier, series))
    return found


def metric_view(metric: Metric) -> dict[str, Any]:
    return {
        "name": metric.name,
        "function_key": metric.function_key,
        "identifier": metric.identifier,
        "series": [
            {"organization": s.organization, "points": [{"round": x, "value": y} for x, y in s.points]}
            for s in metric.series
        ],
    }
