"""Reading a plan's results: performances, failure reports and their logs, models."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from podium.agent.node import NodeConfig
from podium.agent.storage import FileKind, LocalStorage
from podium.api.generated import common_pb2, event_pb2, failure_report_pb2, model_pb2
from podium.client import OrchestratorClient
from podium.domain.kinds import AssetKind
from podium.sdk.errors import AssetUnavailable
from podium.sdk.tasks import ROUND
from podium.sdk.transfer import retrieve


@dataclass(frozen=True)
class PerformanceRow:
    """One performance of a plan: the task that computed it, where, at which rank and round."""

    task_key: str
    worker: str
    rank: int
    round: str
    function_key: str
    identifier: str
    value: float

    def as_dict(self) -> dict[str, object]:
        return {
            "task_key": self.task_key,
            "worker": self.worker,
            "rank": self.rank,
            "round": self.round,
            "function_key": self.function_key,
            "identifier": self.identifier,
            "value": self.value,
        }


class ResultCalls:
    """The result-reading methods of ``Client`` (mixed in)."""

    node: NodeConfig
    orchestrator: OrchestratorClient
    storage: LocalStorage

    def performances(self, plan_key: str) -> list[PerformanceRow]:
        """Every performance of the plan's tasks, ordered by round, worker and identifier."""
        tasks = {task.key: task for task in self.orchestrator.query_tasks(compute_plan_key=plan_key)}
        rows = [
            PerformanceRow(
                task_key=performance.compute_task_key,
                worker=task.worker,
                rank=task.rank,
                round=task.metadata.get(ROUND, ""),
                function_key=task.function_key,
                identifier=performance.compute_task_output_identifier,
                value=performance.performance_value,
            )
            for performance in self.orchestrator.query_performances()
            if (task := tasks.get(performance.compute_task_key)) is not None
        ]
        return sorted(rows, key=lambda row: (_round_order(row.round), row.rank, row.worker, row.identifier))

    def failure_report(self, task_key: str) -> failure_report_pb2.FailureReport:
        """The failure report of a failed task (or function build); ``NotFound`` when there is none."""
        return self.orchestrator.get_failure_report(task_key)

    def logs(self, task_key: str) -> str:
        """The log of a failed task (or function build), as text, checked against its registered
        SHA-256: read from this organization's storage when it ran here, else fetched from the owner
        of the failure report (who must allow this organization in the logs permission).

        Raises:
            NotFound: no failure report for ``task_key``.
            AssetUnavailable: the report has no log, or it cannot be fetched.
            ChecksumMismatch: the log is not the registered one.
        """
        report = self.failure_report(task_key)
        if not report.HasField("logs_address") or not report.logs_address.checksum:
            raise AssetUnavailable(f"the failure report of {task_key} has no log")
        with tempfile.TemporaryDirectory() as scratch:
            path = retrieve(
                self.node,
                self.storage,
                kind=FileKind.LOG,
                key=task_key,
                owner=report.owner,
                url=report.logs_address.storage_address,
                checksum=report.logs_address.checksum,
                dest=Path(scratch) / "log",
            )
            return path.read_bytes().decode("utf-8", errors="replace")

    def output_models(self, task_key: str) -> dict[str, model_pb2.Model]:
        """The models a task produced, by output identifier (from its output-asset events)."""
        models = {model.key: model for model in self.orchestrator.get_task_output_models(task_key)}
        query = event_pb2.EventQueryFilter(
            asset_key=task_key,
            asset_kind=common_pb2.AssetKind.Value(AssetKind.COMPUTE_TASK_OUTPUT_ASSET.value),
        )
        found: dict[str, model_pb2.Model] = {}
        for event in self.orchestrator.query_events(query_filter=query):
            output = event.compute_task_output_asset
            if output.asset_key in models:
                found[output.compute_task_output_identifier] = models[output.asset_key]
        return found

    def download_model(self, task_key: str, identifier: str, dest: Path) -> Path:
        """Write the model of output ``identifier`` of the task to ``dest``, checked against its
        registered SHA-256 (from local storage when this organization produced it).

        Raises:
            AssetUnavailable: no such model, disabled (a transient output already dropped), or not
                fetchable.
            ChecksumMismatch: the bytes are not the registered ones.
        """
        model = self.output_models(task_key).get(identifier)
        if model is None:
            raise AssetUnavailable(f"task {task_key} has no model for output {identifier!r}")
        if not model.HasField("address"):
            raise AssetUnavailable(f"model {model.key} was disabled (transient output) and is gone")
        return retrieve(
            self.node,
            self.storage,
            kind=FileKind.MODEL,
            key=model.key,
            owner=model.owner,
            url=model.address.storage_address,
            checksum=model.address.checksum,
            dest=Path(dest),
        )


def _round_order(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 30, value)
