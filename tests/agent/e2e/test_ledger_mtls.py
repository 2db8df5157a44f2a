"""mTLS everywhere (orchestrator, agent, worker, asset server) and a tampered ledger: the agent runs a
task, then, after an event is changed in the orchestrator's database, refuses to act and says why."""

import sqlite3
import uuid
from pathlib import Path

import pytest

from podium.api.generated import function_pb2
from tests.agent.e2e.conftest import DATA, MODEL, OPENER, TRAIN, A
from tests.agent.e2e.harness import Orchestrator, Org, Pki, status, stop_process, wait_for

pytestmark = pytest.mark.slow


def test_mtls_everywhere_then_a_tampered_event_stops_the_agent(tmp_path: Path) -> None:
    pki = Pki(tmp_path / "pki")
    orchestrator = Orchestrator(tmp_path / "orchestrator", pki=pki, organizations=(A,))
    org: Org | None = None
    try:
        org = Org(A, tmp_path, orchestrator, pki)
        org.client.wait_for_ready(timeout=60)
        agent = org.start_agent()
        org.start_worker()
        wait_for(org.client.get_all_organizations, 60, "the agent registered")
        work = tmp_path / "work"
        train = org.register_function(
            TRAIN, "train", {**DATA, "model": {**MODEL, "optional": True}}, {"model": MODEL}, work=work
        )
        manager, samples = org.register_dataset(OPENER, [1.0], work=work, authorized=[A])
        wait_for(
            lambda: org.client.get_function(train).status == function_pb2.FUNCTION_STATUS_READY, 60, "READY"
        )
        task = str(uuid.uuid4())
        inputs = [
            {"identifier": "opener", "asset_key": manager},
            {"identifier": "datasamples", "asset_key": samples[0]},
        ]
        org.register_plan(
            [
                {
                    "key": task,
                    "function_key": train,
                    "inputs": inputs,
                    "outputs": {"model": {"permissions": {"public": True, "authorized_ids": []}}},
                }
            ]
        )
        wait_for(lambda: status(org, task) == "STATUS_DONE", 60, "the task DONE over mTLS")

        assert stop_process(agent) == 0
        org.register_dataset(OPENER, [2.0], work=work, authorized=[A])  # events the agent has not seen
        with sqlite3.connect(orchestrator.database) as database:
            (position,) = database.execute("SELECT max(position) FROM events").fetchone()
            database.execute(
                "UPDATE events SET metadata = ? WHERE position = ?", ('{"reason": "forged"}', position)
            )
        restarted = org.start_agent()
        assert restarted.wait(timeout=60) == 3
        log = org.agent_log()
        assert f"LEDGER BROKEN in channel mychannel at position {position}" in log
        assert "but the chain gives" in log
    finally:
        if org is not None:
            org.stop()
        orchestrator.stop()
