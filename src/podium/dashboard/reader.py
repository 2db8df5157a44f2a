"""``DashboardReader``: every read the dashboard makes, as one organization, through the SDK client.

Each method answers a JSON-ready dict built by ``podium.dashboard.views``; orchestrator refusals
(``OrchestratorError``) and SDK refusals (``SdkError``) propagate to the web layer, which maps them.
"""

from typing import Any, Final

from podium.agent.cursor import CorruptCursor, CursorStore
from podium.api.generated import computeplan_pb2, computetask_pb2, event_pb2, failure_report_pb2
from podium.client import NotFound, OrchestratorError
from podium.dashboard import views
from podium.domain.kinds import SortOrder
from podium.domain.ledger import Verification
from podium.sdk import Client, PerformanceRow, channel_head, derive_status, verify_channel

PAGE_SIZE: Final = 1_000
"""Tasks asked per page (the server caps it)."""
END_PROBES: Final = 20
"""How many last-rank tasks are asked for their last event to date a finished plan's end."""


class DashboardReader:
    """What the pages show, read through ``client`` (which the reader does not close)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.orchestrator = client.orchestrator

    @property
    def organization(self) -> str:
        return self.client.organization

    @property
    def channel(self) -> str:
        return self.orchestrator.channel

    def tasks(self, plan_key: str) -> list[computetask_pb2.ComputeTask]:
        return list(self.orchestrator.query_tasks(compute_plan_key=plan_key, page_size=PAGE_SIZE))

    def plans(self) -> list[dict[str, Any]]:
        """Every plan of the channel, newest first, with derived status and counts."""
        found = []
        for plan in self.orchestrator.query_plans():
            tasks = self.tasks(plan.key)
            found.append(views.plan_summary(plan, tasks, self._end(plan, tasks)))
        return found[::-1]

    def plan(self, plan_key: str) -> dict[str, Any]:
        """The plan's summary and either its graph (``layout``) or, past the threshold, ``aggregate``.

        Raises:
            NotFound: no such plan.
        """
        plan = self.orchestrator.get_plan(plan_key)
        tasks = self.tasks(plan_key)
        view: dict[str, Any] = {"plan": views.plan_summary(plan, tasks, self._end(plan, tasks))}
        if len(tasks) > views.AGGREGATE_THRESHOLD:
            view["aggregate"] = views.aggregate(tasks)
        else:
            view["graph"] = views.layout(tasks)
        return view

    def _end(self, plan: computeplan_pb2.ComputePlan, tasks: list[computetask_pb2.ComputeTask]) -> str | None:
        """When a finished plan ended: the latest event time among (up to ``END_PROBES``) tasks of
        its last rank — approximate for plans with many tasks in their last rank. None while running."""
        if not tasks or not derive_status(plan, tasks).finished:
            return None
        last = max(task.rank for task in tasks)
        probes = [task for task in tasks if task.rank == last][:END_PROBES]
        times = [event["timestamp"] for task in probes for event in self.events(task.key, limit=1)]
        return max((time for time in times if time), default=None)

    def events(self, asset_key: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The asset's events, oldest first (the ``limit`` latest when given)."""
        query = event_pb2.EventQueryFilter(asset_key=asset_key)
        if limit is None:
            return [views.event_view(e) for e in self.orchestrator.query_events(query_filter=query)]
        latest = []
        for event in self.orchestrator.query_events(
            query_filter=query, sort=SortOrder.DESCENDING, page_size=limit
        ):
            latest.append(views.event_view(event))
            if len(latest) >= limit:
                break
        return latest[::-1]

    def task(self, task_key: str) -> dict[str, Any]:
        """A task's fields, its events with reasons, and its failure report when it has one.

        Raises:
            NotFound: no such task.
        """
        task = self.orchestrator.get_task(task_key)
        view = views.task_view(task)
        view["events"] = self.events(task_key)
        view["failure_report"] = self.failure_report(task_key)
        return view

    def failure_report(self, task_key: str) -> dict[str, Any] | None:
        try:
            report = self.client.failure_report(task_key)
        except NotFound:
            return None
        return {
            "asset_key": report.asset_key,
            "error_type": failure_report_pb2.ErrorType.Name(report.error_type),
            "owner": report.owner,
            "created": views.iso(report.creation_date),
            "has_logs": report.HasField("logs_address") and bool(report.logs_address.checksum),
            "logs_address": report.logs_address.storage_address,
        }

    def logs(self, task_key: str) -> str:
        """The failed task's log (``Client.logs``: checked against its registered checksum)."""
        return self.client.logs(task_key)

    def metrics(self, plan_key: str) -> tuple[list[PerformanceRow], list[views.Metric]]:
        """The plan's performances as rows and as one chart model per metric (function name and
        output identifier)."""
        rows = self.client.performances(plan_key)
        names: dict[str, str] = {}
        for function_key in {row.function_key for row in rows}:
            try:
                names[function_key] = self.orchestrator.get_function(function_key).name
            except OrchestratorError:
                names[function_key] = function_key[:8]
        return rows, views.metrics(rows, names)

    def performances(self, plan_key: str) -> dict[str, Any]:
        """The plan's performances, JSON-ready: ``rows`` and ``metrics``."""
        rows, metrics = self.metrics(plan_key)
        return {
            "plan_key": plan_key,
            "rows": [row.as_dict() for row in rows],
            "metrics": [views.metric_view(metric) for metric in metrics],
        }

    def ledger(self) -> dict[str, Any]:
        """The channel's head, and the head this organization's agent verified (from its cursor file,
        when the organization's home is on this machine)."""
        position, head_hash = channel_head(self.orchestrator)
        return {
            "channel": self.channel,
            "organization": self.organization,
            "head": {"position": position, "hash": head_hash},
            "verified": self._verified_head(),
        }

    def _verified_head(self) -> dict[str, Any] | None:
        directory = self.client.node.cursors_dir
        if not directory.is_dir():  # not a local home: CursorStore would create it
            return None
        try:
            cursor = CursorStore(directory).load(self.organization, self.channel)
        except CorruptCursor as error:
            return {"error": str(error)}
        if cursor.head is None:
            return None
        return {"position": cursor.head.position, "hash": cursor.head.hash}

    def verify(self, timeout: float = 120.0) -> dict[str, Any]:
        """Verify the channel's hash chain from genesis (``verify_channel``) and report the result."""
        result: Verification = verify_channel(self.orchestrator, timeout=timeout)
        return {
            "ok": result.ok,
            "head_position": result.head_position,
            "head_hash": result.head_hash,
            "first_bad_position": result.first_bad_position,
            "reason": result.reason,
        }
