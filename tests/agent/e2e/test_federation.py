"""Scenarios across three organizations with real agent and worker processes (issue 4, "Must show")."""

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from podium.agent.assets import ChecksumMismatch, DownloadRefused, client_context, fetch
from podium.agent.leases import pid_alive
from podium.agent.storage import FileKind
from tests.agent.e2e.conftest import A, B, C, Federation
from tests.agent.e2e.harness import status, task_transitions, wait_for

pytestmark = pytest.mark.slow

SHARED = {"public": False, "authorized_ids": [A, B, C]}


def key() -> str:
    return str(uuid.uuid4())


def parent(task_key: str, identifier: str) -> dict[str, object]:
    return {
        "identifier": identifier,
        "parent_task_output": {"parent_task_key": task_key, "output_identifier": "model"},
    }


def round_tasks(
    f: Federation,
    keys: dict[str, str],
    metadata: dict[str, str] | None = None,
    *,
    permissions: dict[str, Any] = SHARED,
) -> list[dict[str, Any]]:
    model_out = {"model": {"permissions": permissions}}
    meta = metadata or {}
    return [
        {
            "key": keys["train_a"],
            "function_key": f.train,
            "inputs": f.data_inputs(A),
            "outputs": model_out,
            "metadata": meta,
        },
        {
            "key": keys["train_b"],
            "function_key": f.train,
            "inputs": f.data_inputs(B),
            "outputs": model_out,
            "metadata": meta,
        },
        {
            "key": keys["aggregate"],
            "function_key": f.aggregate,
            "worker": C,
            "inputs": [parent(keys["train_a"], "models"), parent(keys["train_b"], "models")],
            "outputs": model_out,
        },
        {
            "key": keys["test"],
            "function_key": f.score,
            "inputs": [*f.data_inputs(A), parent(keys["aggregate"], "model")],
            "outputs": {"performance": {"permissions": {"public": True, "authorized_ids": []}}},
        },
    ]


def test_train_aggregate_test_across_three_organizations(federation: Federation) -> None:
    f = federation
    a = f.orgs[A]
    keys = {name: key() for name in ("train_a", "train_b", "aggregate", "test")}
    a.register_plan(round_tasks(f, keys))
    wait_for(lambda: status(a, keys["test"]) == "STATUS_DONE", 90, "the test task DONE")
    assert {status(a, k) for k in keys.values()} == {"STATUS_DONE"}
    performances = list(a.client.query_performances(compute_task_key=keys["test"]))
    assert [p.performance_value for p in performances] == [
        0.25
    ]  # A: mean(1, 3) = 2, B: mean(2, 4) = 3, aggregate 2.5, round -> 2, / 8
    aggregate_models = a.client.get_task_output_models(keys["aggregate"])
    assert len(aggregate_models) == 1
    assert aggregate_models[0].owner == C
    # The aggregate ran at C with models made at A and B: served by their asset servers.
    assert "sent models/" in f.orgs[A].agent_log()
    assert "sent models/" in f.orgs[B].agent_log()
    for task_key in keys.values():
        assert task_transitions(a, task_key).count("STATUS_EXECUTING") == 1


def train_only(f: Federation, org: str, task_key: str, metadata: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "key": task_key,
            "function_key": f.train,
            "inputs": f.data_inputs(org),
            "outputs": {"model": {"permissions": SHARED}},
            "metadata": metadata,
        }
    ]


def test_a_worker_killed_mid_task_still_ends_done_exactly_once(federation: Federation) -> None:
    b = federation.orgs[B]
    task = key()
    runlog = federation.work / f"runs-{task}"
    b.register_plan(train_only(federation, B, task, {"sleep": "3", "runlog": str(runlog)}))
    wait_for(lambda: status(b, task) == "STATUS_EXECUTING" and runlog.exists(), 60, "the task running")
    victim = b.workers[-1]
    victim.kill()  # SIGKILL: no cleanup, the embedded broker will not redeliver
    victim.wait(timeout=10)
    b.start_worker()
    wait_for(lambda: status(b, task) == "STATUS_DONE", 60, "the task DONE after the takeover")
    transitions = task_transitions(b, task)
    assert transitions.count("STATUS_EXECUTING") == 1
    assert transitions.count("STATUS_DONE") == 1
    assert len(b.client.get_task_output_models(task)) == 1
    assert runlog.read_text().split() == [task, task]  # started twice, completed once
    assert "no live worker holds it" in b.agent_log()


def test_an_agent_killed_and_restarted_resumes_from_its_cursor(federation: Federation) -> None:
    a = federation.orgs[A]
    assert a.agent is not None
    a.agent.kill()
    a.agent.wait(timeout=10)
    tasks = [key(), key()]
    runlog = federation.work / "runs-restart"
    plan_tasks = [t for k in tasks for t in train_only(federation, A, k, {"runlog": str(runlog)})]
    a.register_plan(plan_tasks)  # registered while A's agent is down
    a.start_agent()
    for task in tasks:
        wait_for(lambda task=task: status(a, task) == "STATUS_DONE", 60, "tasks DONE after the restart")
    assert sorted(runlog.read_text().split()) == sorted(tasks)  # none twice, none forgotten
    for task in tasks:
        assert task_transitions(a, task).count("STATUS_EXECUTING") == 1


def test_a_restarted_agent_removes_working_directories_of_final_tasks(federation: Federation) -> None:
    a = federation.orgs[A]
    done = key()
    a.register_plan(train_only(federation, A, done, {}))
    wait_for(lambda: status(a, done) == "STATUS_DONE", 60, "the task DONE")
    assert a.agent is not None
    a.agent.kill()
    a.agent.wait(timeout=10)
    stale = a.home / "work" / done  # left behind while the agent was down, as after a crash
    (stale / "leftover").mkdir(parents=True, exist_ok=True)
    foreign = a.home / "work" / "not-a-task"
    foreign.mkdir(parents=True, exist_ok=True)
    a.start_agent()
    wait_for(lambda: not stale.exists(), 60, "the final task's working directory removed at start")
    assert foreign.is_dir()  # not a task of the orchestrator: left alone


def test_a_function_that_raises_fails_the_task_with_its_logs_and_cancels_descendants(
    federation: Federation,
) -> None:
    a = federation.orgs[A]
    keys = {name: key() for name in ("train_a", "train_b", "aggregate", "test")}
    plan = a.register_plan(round_tasks(federation, keys, {"raise": "1"}))
    wait_for(lambda: status(a, keys["train_a"]) == "STATUS_FAILED", 60, "train_a FAILED")
    wait_for(lambda: status(a, keys["test"]) == "STATUS_CANCELED", 30, "the test task CANCELED")
    assert status(a, keys["aggregate"]) == "STATUS_CANCELED"
    report = a.client.get_failure_report(keys["train_a"])
    assert report.error_type == 2  # ERROR_TYPE_EXECUTION
    log = a.storage.read(FileKind.LOG, keys["train_a"])
    assert b"RuntimeError: the function is broken" in log
    assert report.logs_address.checksum == hashlib.sha256(log).hexdigest()
    assert report.logs_address.storage_address.endswith(f"/logs/{keys['train_a']}")
    assert a.client.get_plan(plan).HasField("failure_date")
    assert not a.client.is_plan_running(plan)


def test_canceling_a_plan_stops_its_running_task(federation: Federation) -> None:
    a, b = federation.orgs[A], federation.orgs[B]
    keys = {name: key() for name in ("train_a", "train_b", "aggregate", "test")}
    pidfile = federation.work / f"pid-{keys['train_b']}"
    plan = a.register_plan(round_tasks(federation, keys, {"sleep": "600", "pidfile": str(pidfile)}))
    wait_for(
        lambda: status(b, keys["train_b"]) == "STATUS_EXECUTING" and pidfile.exists(), 60, "train_b running"
    )
    pid = int(wait_for(lambda: pidfile.read_text().strip(), 10, "the pid"))
    a.client.apply_plan_action(plan)
    wait_for(lambda: not pid_alive(pid), 30, "the running function stopped")
    assert {status(a, k) for k in keys.values()} == {"STATUS_CANCELED"}
    wait_for(
        lambda: "task " + keys["train_b"] + ": stopped" in (b.home / "worker.log").read_text(),
        20,
        "the worker idle",
    )


def test_an_unauthorized_organization_cannot_download_a_model(federation: Federation) -> None:
    a, c = federation.orgs[A], federation.orgs[C]
    task = key()
    a.register_plan(
        [
            {
                "key": task,
                "function_key": federation.train,
                "inputs": federation.data_inputs(A),
                "outputs": {"model": {"permissions": {"public": False, "authorized_ids": [A, B]}}},
            }
        ]
    )
    wait_for(lambda: status(a, task) == "STATUS_DONE", 60, "the task DONE")
    (model,) = a.client.get_task_output_models(task)
    tls = client_context(
        [Path(c.env["PODIUM_TLS_CA"])], Path(c.env["PODIUM_TLS_CERT"]), Path(c.env["PODIUM_TLS_KEY"])
    )
    with pytest.raises(DownloadRefused) as refused:
        fetch(model.address.storage_address, federation.work / "stolen", model.address.checksum, tls=tls)
    assert refused.value.status == 403
    assert f"refused models/{model.key} to {C} (not authorized)" in a.agent_log()
    b = federation.orgs[B]
    tls_b = client_context(
        [Path(b.env["PODIUM_TLS_CA"])], Path(b.env["PODIUM_TLS_CERT"]), Path(b.env["PODIUM_TLS_KEY"])
    )
    with pytest.raises(ChecksumMismatch):
        fetch(model.address.storage_address, federation.work / "corrupt", "0" * 64, tls=tls_b)
    assert not (federation.work / "corrupt").exists()


def test_transient_outputs_are_disabled_once_their_children_are_done(federation: Federation) -> None:
    f = federation
    a = f.orgs[A]
    keys = {name: key() for name in ("train_a", "train_b", "aggregate", "test")}
    tasks = round_tasks(f, keys)
    for task in tasks[:2]:  # the two trainings: their models are only the aggregate's inputs
        task["outputs"] = {"model": {"permissions": SHARED, "transient": True}}
    a.register_plan(tasks)
    wait_for(lambda: status(a, keys["test"]) == "STATUS_DONE", 90, "the test task DONE")

    def disabled(task_key: str) -> bool:
        models = a.client.get_task_output_models(task_key)
        return len(models) == 1 and not models[0].HasField("address")

    # The agents of A and B disable them from their housekeeping thread, after the aggregate is DONE.
    wait_for(lambda: disabled(keys["train_a"]) and disabled(keys["train_b"]), 30, "transient models disabled")
    [aggregate_model] = a.client.get_task_output_models(keys["aggregate"])
    assert aggregate_model.HasField("address")  # not transient: kept
