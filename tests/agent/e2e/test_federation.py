"""Scenarios across three organizations with real agent and worker processes (issue 4, "Must show")."""

import uuid
from typing import Any

import pytest

from tests.agent.e2e.conftest import A, B, C, Federation
from tests.agent.e2e.harness import status, task_transitions, wait_for

pytestmark = pytest.mark.slow

SHARED = {"public": False, "authorized_ids": [A, B, C]}


def key() -> str:
    return str(uuid.uuid4())


def parent(task_key: str, identifier: str) -> dict[str, object]:
    return {"identifier": identifier, "parent_task_output": {"parent_task_key": task_key, "output_identifier": "model"}}


def round_tasks(f: Federation, keys: dict[str, str], metadata: dict[str, str] | None = None) -> list[dict[str, Any]]:
    model_out = {"model": {"permissions": SHARED}}
    meta = metadata or {}
    return [
        {"key": keys["train_a"], "function_key": f.train, "inputs": f.data_inputs(A), "outputs": model_out, "metadata": meta},
        {"key": keys["train_b"], "function_key": f.train, "inputs": f.data_inputs(B), "outputs": model_out, "metadata": meta},
        {
            "key": keys["aggregate"], "function_key": f.aggregate, "worker": C,
            "inputs": [parent(keys["train_a"], "models"), parent(keys["train_b"], "models")], "outputs": model_out,
        },
        {
            "key": keys["test"], "function_key": f.score, "inputs": [*f.data_inputs(A), parent(keys["aggregate"], "model")],
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
    assert [p.performance_value for p in performances] == [0.375]  # mean(2,4) and mean(3,5) -> 3.5 -> 4/8... see below
    aggregate_models = a.client.get_task_output_models(keys["aggregate"])
    assert len(aggregate_models) == 1 and aggregate_models[0].owner == C
    # The aggregate ran at C with models made at A and B: served by their asset servers.
    assert "sent models/" in f.orgs[A].agent_log() and "sent models/" in f.orgs[B].agent_log()
    for task_key in keys.values():
        assert task_transitions(a, task_key).count("STATUS_EXECUTING") == 1
