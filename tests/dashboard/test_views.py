"""The view-model functions: status groups, plan summary (derived status), layout by rank and lane,
aggregation by rank and status, performance series, and the SVG they render."""

from google.protobuf.timestamp_pb2 import Timestamp

from podium.api.generated import computeplan_pb2, computetask_pb2
from podium.dashboard import svg, views
from podium.domain.kinds import TaskStatus
from podium.sdk import PerformanceRow


def task(
    key: str, rank: int, status: TaskStatus, worker: str = "A", parents: tuple[str, ...] = ()
) -> computetask_pb2.ComputeTask:
    message = computetask_pb2.ComputeTask(
        key=key,
        rank=rank,
        worker=worker,
        compute_plan_key="p",
        status=computetask_pb2.ComputeTaskStatus.Value(status.value),
    )
    for parent in parents:
        entry = message.inputs.add(identifier="model")
        entry.parent_task_output.parent_task_key = parent
        entry.parent_task_output.output_identifier = "model"
    return message


def plan(**dates: Timestamp) -> computeplan_pb2.ComputePlan:
    return computeplan_pb2.ComputePlan(key="p", name="n", owner="A", **dates)


def test_every_status_has_a_group_with_word_and_symbol() -> None:
    for status in TaskStatus:
        group = views.group_of(status)
        if status.value != "STATUS_UNKNOWN":
            assert group.name != "unknown", status
            assert group.label
            assert group.symbol
    assert views.group_of("nonsense").name == "unknown"
    assert views.group_of(TaskStatus.EXECUTING).label == "doing"


def test_plan_summary_derives_status_and_counts_by_group() -> None:
    tasks = [
        task("a", 0, TaskStatus.DONE),
        task("b", 1, TaskStatus.EXECUTING),
        task("c", 2, TaskStatus.FAILED),
    ]
    summary = views.plan_summary(plan(), tasks)
    assert summary["state"] == "failed"
    assert summary["total"] == 3
    assert summary["groups"] == {"waiting": 0, "todo": 0, "doing": 1, "done": 1, "failed": 1, "canceled": 0}
    running = views.plan_summary(plan(), tasks[:2], end="2030-01-01T00:00:00Z")
    assert running["state"] == "doing"
    assert running["end"] is None  # a running plan has no end, whatever was passed


def test_plan_summary_end_prefers_the_cancelation_date() -> None:
    canceled = plan(cancelation_date=Timestamp(seconds=86_400))
    summary = views.plan_summary(canceled, [task("a", 0, TaskStatus.CANCELED)], end="2030-01-01T00:00:00Z")
    assert summary["state"] == "canceled"
    assert summary["end"] == "1970-01-02T00:00:00Z"


def test_layout_puts_ranks_in_columns_and_organizations_in_lanes() -> None:
    tasks = [
        task("a1", 0, TaskStatus.DONE, "A"),
        task("b1", 0, TaskStatus.DONE, "B"),
        task("b2", 0, TaskStatus.EXECUTING, "B"),
        task("agg", 1, TaskStatus.WAITING_FOR_PARENT_TASKS, "A", ("a1", "b1", "b2", "a1")),
    ]
    view = views.layout(tasks)
    nodes = {node["key"]: node for node in view["nodes"]}
    assert [lane["organization"] for lane in view["lanes"]] == ["A", "B"]
    assert nodes["a1"]["x"] == nodes["b1"]["x"] < nodes["agg"]["x"]  # rank decides the column
    assert nodes["b1"]["x"] == nodes["b2"]["x"]
    assert nodes["b1"]["y"] < nodes["b2"]["y"]
    lane_b = view["lanes"][1]
    assert lane_b["y"] <= nodes["b1"]["y"]
    assert nodes["b2"]["y"] + views.NODE_HEIGHT <= lane_b["y"] + lane_b["height"]
    assert nodes["a1"]["y"] + views.NODE_HEIGHT <= lane_b["y"]  # lane A above lane B, no overlap
    assert sorted(view["edges"]) == [["a1", "agg"], ["b1", "agg"], ["b2", "agg"]]  # repeats merged
    assert nodes["b2"]["group"] == "doing"
    assert view["width"] >= nodes["agg"]["x"] + views.NODE_WIDTH


def test_aggregate_counts_by_rank_and_status() -> None:
    tasks = [
        task(f"t{i}", i % 3, TaskStatus.DONE if i % 2 else TaskStatus.WAITING_FOR_PARENT_TASKS)
        for i in range(9)
    ]
    view = views.aggregate(tasks)
    assert [row["rank"] for row in view["ranks"]] == [0, 1, 2]
    assert sum(row["total"] for row in view["ranks"]) == 9
    rank0 = view["ranks"][0]  # t0 t3 t6: waiting, done, waiting
    assert rank0["counts"]["waiting"] == 2
    assert rank0["counts"]["done"] == 1
    assert view["organizations"] == [
        {
            "organization": "A",
            "total": 9,
            "counts": {**dict.fromkeys(view["groups"], 0), "waiting": 5, "done": 4},
        }
    ]


def row(worker: str, round_: str, value: float, identifier: str = "performance") -> PerformanceRow:
    return PerformanceRow("t", worker, int(round_), round_, "f" * 8, identifier, value)


def test_metrics_group_by_function_and_organization_sorted_by_round() -> None:
    rows = [row("B", "2", 0.8), row("A", "2", 0.7), row("A", "1", 0.5), row("B", "1", 0.6)]
    [metric] = views.metrics(rows, {"f" * 8: "accuracy"})
    assert metric.name == "accuracy / performance"
    assert [s.organization for s in metric.series] == ["A", "B"]
    assert metric.series[0].points == ((1.0, 0.5), (2.0, 0.7))
    drawn = svg.chart(metric)
    for value in ("0.500", "0.700", "0.600", "0.800"):
        assert f">{value}</text>" in drawn


def test_graph_nodes_are_focusable_and_say_their_status_in_words() -> None:
    drawn = svg.graph(views.layout([task("k<1>", 0, TaskStatus.FAILED)]))
    assert 'tabindex="0"' in drawn
    assert 'role="button"' in drawn
    assert "✗ failed" in drawn
    assert "k<1>" not in drawn
    assert "k&lt;1&gt;" in drawn
