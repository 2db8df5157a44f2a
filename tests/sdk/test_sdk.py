"""The SDK against a real orchestrator on 127.0.0.1: registration, a FedAvg plan, waiting, results."""

import hashlib
import threading
import uuid
from pathlib import Path

import pytest

from podium.agent.storage import FileKind
from podium.api.generated import common_pb2, failure_report_pb2
from podium.client import NotFound, PermissionDenied
from podium.domain.kinds import TaskAction, TaskStatus
from podium.sdk import (
    TRAIN,
    ChecksumMismatch,
    InvalidProject,
    PlanState,
    PlanStatus,
    archive_project,
    directory_checksum,
)
from podium.sdk.status import task_status
from tests.sdk.world import (
    ORG_A,
    ORG_B,
    World,
    build_functions,
    drive,
    in_thread,
    project,
    register_fedavg,
)


def test_register_function_stores_the_archive_under_its_registered_address(world: World) -> None:
    directory = project(world.tmp_path / "train")
    function = world.a.register_function(directory, "train", TRAIN.inputs, TRAIN.outputs, permissions=[ORG_B])
    stored = world.a.storage.path(FileKind.FUNCTION, function.key)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == function.archive.checksum
    assert function.archive.storage_address == f"https://orgamsp.example:8443/functions/{function.key}"
    assert stored.read_bytes() == archive_project(directory)  # deterministic
    fetched = world.b.orchestrator.get_function(function.key)
    assert set(fetched.inputs) == {"opener", "datasamples", "shared"}
    assert sorted(fetched.permissions.process.authorized_ids) == [ORG_A, ORG_B]


def test_a_project_without_manifest_is_refused_before_anything_is_stored(world: World) -> None:
    directory = world.tmp_path / "empty"
    directory.mkdir()
    with pytest.raises(InvalidProject, match=r"podium\.toml"):
        world.a.register_function(directory, "x", TRAIN.inputs, TRAIN.outputs)
    assert list(world.a.storage.root.joinpath("functions").iterdir()) == []


def test_data_samples_are_copied_home_with_their_checksum(world: World) -> None:
    manager = world.a.register_data_manager(project(world.tmp_path / "opener"), "data", [ORG_B])
    sample = world.tmp_path / "sample"
    (sample / "sub").mkdir(parents=True)
    (sample / "sub" / "x.csv").write_text("1,2\n")
    (sample / "y.csv").write_text("3,4\n")
    [key] = world.a.register_data_samples(manager.key, [sample])
    copy = world.a.node.data_sample_dir(key)
    assert (copy / "sub" / "x.csv").read_text() == "1,2\n"
    registered = world.a.orchestrator.get_data_sample(key)
    assert registered.checksum == directory_checksum(sample) == directory_checksum(copy)
    assert list(world.a.orchestrator.get_dataset(manager.key).data_sample_keys) == [key]
    assert world.a.storage.exists(FileKind.OPENER, manager.key)


def test_a_refused_sample_registration_leaves_no_copy(world: World) -> None:
    sample = world.tmp_path / "sample"
    sample.mkdir()
    (sample / "a").write_text("a")
    with pytest.raises(NotFound):
        world.a.register_data_samples(str(uuid.uuid4()), [sample])
    assert not any(world.a.node.data_samples_dir.iterdir())


def test_fedavg_plan_of_two_orgs_and_two_rounds(world: World) -> None:
    plan = register_fedavg(world, rounds=2)
    tasks = {task.key: task for task in world.a.tasks(plan.plan_key)}
    assert len(tasks) == 14  # per round: 2 train, 1 aggregate, 2 predict, 2 metric
    roles = dict(zip(plan.function_keys, ("train", "aggregate", "predict", "metric"), strict=True))
    shape = sorted(
        (task.metadata["round_idx"], roles[task.function_key], task.worker, task.rank)
        for task in tasks.values()
    )
    expected = []
    for round_number, base in (("1", 0), ("2", 2)):
        expected += [(round_number, "train", org, base) for org in (ORG_A, ORG_B)]
        expected += [(round_number, "aggregate", ORG_A, base + 1)]
        expected += [(round_number, "predict", org, base + 2) for org in (ORG_A, ORG_B)]
        expected += [(round_number, "metric", org, base + 3) for org in (ORG_A, ORG_B)]
    assert shape == sorted(expected)
    round2_train = next(t for t in plan.tasks if t.metadata["round_idx"] == "2" and t.worker == ORG_B)
    round1_aggregate = next(
        t
        for t in plan.tasks
        if t.metadata["round_idx"] == "1"
        and t.worker == ORG_A
        and "shared" in t.outputs
        and not t.inputs[0].asset_key
    )
    parent = [i for i in tasks[round2_train.key].inputs if i.identifier == "shared"]
    assert [i.parent_task_output.parent_task_key for i in parent] == [round1_aggregate.key]
    assert world.a.status(plan.plan_key).state is PlanState.WAITING  # functions not built yet


def test_wait_reports_progress_until_the_plan_is_done_then_performances(world: World) -> None:
    plan = register_fedavg(world, rounds=2)
    build_functions(world, plan.function_keys)
    seen: list[PlanStatus] = []
    started = threading.Event()

    def record(status: PlanStatus) -> None:
        seen.append(status)
        started.set()

    def run_workers() -> None:
        started.wait(30)  # the first status is taken before any task runs
        drive(world, plan.plan_key)

    driver = in_thread(run_workers)
    final = world.a.wait(plan.plan_key, timeout=120, progress=record, poll_interval=0.05)
    driver.join(30)
    assert final.state is PlanState.DONE
    assert final.counts == {TaskStatus.DONE: 14}
    assert seen[0].state is not PlanState.DONE
    assert [s.done for s in seen] == sorted(s.done for s in seen)  # never goes back
    rows = world.b.performances(plan.plan_key)
    assert [(row.round, row.worker, row.identifier) for row in rows] == [
        ("1", ORG_A, "performance"),
        ("1", ORG_B, "performance"),
        ("2", ORG_A, "performance"),
        ("2", ORG_B, "performance"),
    ]
    assert [row.rank for row in rows] == [3, 3, 5, 5]
    assert rows[0].value == pytest.approx(0.8)


def test_download_model_from_local_storage_checks_the_checksum(world: World) -> None:
    plan = register_fedavg(world, rounds=1)
    build_functions(world, plan.function_keys)
    drive(world, plan.plan_key)
    aggregate = next(t for t in world.a.tasks(plan.plan_key) if t.worker == ORG_A and t.rank == 1)
    dest = world.a.download_model(aggregate.key, "shared", world.tmp_path / "out" / "model.bin")
    assert dest.read_bytes() == f"model of {aggregate.key}".encode()
    model = world.a.output_models(aggregate.key)["shared"]
    world.a.storage.write(FileKind.MODEL, model.key, b"tampered")
    with pytest.raises(ChecksumMismatch):
        world.a.download_model(aggregate.key, "shared", world.tmp_path / "out" / "again.bin")
    assert not (world.tmp_path / "out" / "again.bin").exists()


def test_failure_report_and_logs_of_a_failed_task(world: World) -> None:
    plan = register_fedavg(world, rounds=1)
    build_functions(world, plan.function_keys)
    train_b = next(t for t in world.a.tasks(plan.plan_key) if t.worker == ORG_B and t.rank == 0)
    world.b.orchestrator.apply_task_action(train_b.key, TaskAction.EXECUTING)
    log = b"Traceback (most recent call last):\nValueError: boom\n"
    stored = world.b.storage.write(FileKind.LOG, train_b.key, log)
    world.b.orchestrator.register_failure_report(
        failure_report_pb2.NewFailureReport(
            asset_key=train_b.key,
            error_type=failure_report_pb2.ERROR_TYPE_EXECUTION,
            asset_type=failure_report_pb2.FAILED_ASSET_COMPUTE_TASK,
            logs_address=common_pb2.Addressable(
                checksum=stored.sha256, storage_address=f"{world.b.asset_url()}/logs/{train_b.key}"
            ),
        )
    )
    assert world.b.logs(train_b.key) == log.decode()
    assert world.a.failure_report(train_b.key).owner == ORG_B
    assert world.a.status(plan.plan_key).state is PlanState.FAILED
    assert task_status(world.a.orchestrator.get_task(train_b.key)) is TaskStatus.FAILED


def test_cancel_is_owner_only_and_idempotent(world: World) -> None:
    plan = register_fedavg(world, rounds=1)
    with pytest.raises(PermissionDenied):
        world.b.cancel(plan.plan_key)
    assert world.a.cancel(plan.plan_key) is True
    assert world.a.status(plan.plan_key).state is PlanState.CANCELED
    assert world.a.cancel(plan.plan_key) is False
    assert world.a.wait(plan.plan_key, timeout=5).state is PlanState.CANCELED


def test_archive_is_deterministic_across_copies(tmp_path: Path) -> None:
    first = project(tmp_path / "one")
    second = project(tmp_path / "two")
    (first / "pkg").mkdir()
    (second / "pkg").mkdir()
    assert archive_project(first) == archive_project(second)
    (second / "pkg" / "extra.py").write_text("")
    assert archive_project(first) != archive_project(second)


def test_directory_checksum_depends_on_names_and_contents(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "ab").write_text("c")
    (two / "a").write_text("bc")
    assert directory_checksum(one) != directory_checksum(two)
    (two / "a").unlink()
    (two / "ab").write_text("c")
    assert directory_checksum(one) == directory_checksum(two)
