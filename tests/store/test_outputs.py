"""Conformance: models, performances, failure reports and output assets, on every backend."""

from dataclasses import replace

import pytest

from podium.domain.assets import Addressable, ComputeTaskOutputAsset, FailureReport, Performance
from podium.domain.errors import AlreadyExists
from podium.domain.kinds import AssetKind, ErrorType, FailedAssetKind
from podium.store import SqlDatabase
from tests.store import builders as b


@pytest.fixture
def tasks(database: SqlDatabase) -> SqlDatabase:
    """Tasks t1, t2 in channel c1."""
    with database.transaction("c1", read_only=False) as tx:
        tx.functions.add(b.function("f"))
        tx.plans.add(b.plan("p"))
        tx.tasks.add_many([b.task("t1", "p", "f"), b.task("t2", "p", "f")])
    return database


class TestModels:
    def test_add_get_update_of_task(self, tasks: SqlDatabase) -> None:
        with tasks.transaction("c1", read_only=False) as tx:
            tx.models.add(b.model("m2", "t1", created=1))
            tx.models.add(b.model("m1", "t1", created=1))
            tx.models.add(b.model("m0", "t2"))
            tx.models.update(replace(b.model("m1", "t1", created=1), address=None))
        with tasks.transaction("c1", read_only=True) as tx:
            assert tx.models.get("m2") == b.model("m2", "t1", created=1)
            disabled = tx.models.get("m1")
            assert disabled is not None
            assert disabled.is_disabled
            assert "address" not in disabled.snapshot()
            assert [m.key for m in tx.models.of_task("t1")] == ["m1", "m2"]
        with tasks.transaction("c2", read_only=True) as tx:
            assert tx.models.first_key_taken(["x", "m0"]) == "m0"
            assert tx.models.get("m0") is None

    def test_duplicate_is_already_exists(self, tasks: SqlDatabase) -> None:
        with tasks.transaction("c1", read_only=False) as tx:
            tx.models.add(b.model("m", "t1"))
        with pytest.raises(AlreadyExists), tasks.transaction("c1", read_only=False) as tx:
            tx.models.add(b.model("m", "t2"))


class TestPerformances:
    def test_add_exists_query_order(self, tasks: SqlDatabase) -> None:
        performances = [
            Performance("t1", "auc", 0.5, b.at(1)),
            Performance("t2", "auc", 0.25, b.at(1)),
            Performance("t2", "acc", 1e-300, b.at(1)),
            Performance("t1", "acc", 0.1, b.at(0)),
        ]
        with tasks.transaction("c1", read_only=False) as tx:
            for performance in performances:
                tx.performances.add(performance)
            with pytest.raises(AlreadyExists) as raised:
                tx.performances.add(Performance("t1", "auc", 0.9, b.at(2)))
            assert raised.value.key == "t1|auc"
        with tasks.transaction("c1", read_only=True) as tx:
            assert tx.performances.exists("t1", "auc")
            assert not tx.performances.exists("t1", "other")
            ordered = tx.performances.query(0, 10)
            assert [p.key for p in ordered] == ["t1|acc", "t2|acc", "t2|auc", "t1|auc"]
            assert ordered[1] == performances[2]
            assert [p.key for p in tx.performances.query(1, 2, identifier="auc")] == ["t1|auc"]
            assert [p.key for p in tx.performances.query(0, 10, task_key="t2")] == ["t2|acc", "t2|auc"]
        with tasks.transaction("c2", read_only=True) as tx:
            assert tx.performances.query(0, 10) == []
            assert not tx.performances.exists("t1", "auc")


class TestFailureReports:
    def test_add_replaces_earlier_report(self, tasks: SqlDatabase) -> None:
        first = FailureReport(
            "t1",
            ErrorType.EXECUTION,
            Addressable("c", "http://l"),
            b.at(0),
            "org-a",
            FailedAssetKind.COMPUTE_TASK,
        )
        second = replace(first, error_type=ErrorType.BUILD, logs_address=None, creation_date=b.at(3))
        with tasks.transaction("c1", read_only=False) as tx:
            tx.failure_reports.add(first)
        with tasks.transaction("c1", read_only=True) as tx:
            assert tx.failure_reports.get("t1") == first
        with tasks.transaction("c1", read_only=False) as tx:
            tx.failure_reports.add(second)
        with tasks.transaction("c1", read_only=True) as tx:
            assert tx.failure_reports.get("t1") == second
            assert tx.failure_reports.get("t2") is None
        with tasks.transaction("c2", read_only=True) as tx:
            assert tx.failure_reports.get("t1") is None


class TestOutputAssets:
    def test_numbered_in_registration_order(self, tasks: SqlDatabase) -> None:
        assets = [
            ComputeTaskOutputAsset("t1", "model", AssetKind.MODEL, "m-z"),
            ComputeTaskOutputAsset("t1", "model", AssetKind.MODEL, "m-a"),
            ComputeTaskOutputAsset("t1", "perf", AssetKind.PERFORMANCE, "t1|perf"),
        ]
        with tasks.transaction("c1", read_only=False) as tx:
            tx.output_assets.add(assets[0])
        with tasks.transaction("c1", read_only=False) as tx:
            tx.output_assets.add(assets[1])
            tx.output_assets.add(assets[2])
        with tasks.transaction("c1", read_only=True) as tx:
            assert tx.output_assets.of_output("t1", "model") == assets[:2]
            assert tx.output_assets.of_output("t1", "perf") == assets[2:]
            assert tx.output_assets.of_output("t2", "model") == []
