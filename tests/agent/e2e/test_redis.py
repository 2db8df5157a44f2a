"""The worker-killed scenario on Redis (skipped when no Redis answers on 127.0.0.1:6379)."""

import socket
import uuid
from pathlib import Path

import pytest

from podium.api.generated import function_pb2
from tests.agent.e2e.conftest import DATA, MODEL, OPENER, TRAIN, A
from tests.agent.e2e.harness import Orchestrator, Org, Pki, status, task_transitions, wait_for

pytestmark = pytest.mark.slow

REDIS_DB = 13


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_a_worker_killed_mid_task_on_redis_still_ends_done_exactly_once(tmp_path: Path) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    orchestrator = Orchestrator(tmp_path / "orchestrator")
    org: Org | None = None
    try:
        org = Org(
            A, tmp_path, orchestrator, Pki(tmp_path / "pki"), broker_url=f"redis://127.0.0.1:6379/{REDIS_DB}"
        )
        org.client.wait_for_ready(timeout=60)
        org.start_agent()
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
        runlog = work / "runs"
        inputs = [
            {"identifier": "opener", "asset_key": manager},
            {"identifier": "datasamples", "asset_key": samples[0]},
        ]
        outputs = {"model": {"permissions": {"public": True, "authorized_ids": []}}}
        org.register_plan(
            [
                {
                    "key": task,
                    "function_key": train,
                    "inputs": inputs,
                    "outputs": outputs,
                    "metadata": {"sleep": "3", "runlog": str(runlog)},
                }
            ]
        )
        wait_for(lambda: status(org, task) == "STATUS_EXECUTING" and runlog.exists(), 60, "the task running")
        org.workers[-1].kill()
        org.workers[-1].wait(timeout=10)
        org.start_worker()
        wait_for(lambda: status(org, task) == "STATUS_DONE", 90, "the task DONE after the takeover")
        transitions = task_transitions(org, task)
        assert transitions.count("STATUS_EXECUTING") == 1
        assert transitions.count("STATUS_DONE") == 1
        assert len(org.client.get_task_output_models(task)) == 1
    finally:
        if org is not None:
            org.stop()
        orchestrator.stop()
