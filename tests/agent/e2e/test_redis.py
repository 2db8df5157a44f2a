"""The worker-killed scenario on the production brokers: Redis and RabbitMQ (each skipped when it does not
answer on its standard port of 127.0.0.1, except under CI, where .ci/run makes sure they do)."""

import socket
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from podium.api.generated import function_pb2
from tests.agent.e2e.conftest import DATA, MODEL, OPENER, TRAIN
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


def rabbitmq_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1) as sock:
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            return len(sock.recv(8)) > 0
    except OSError:
        return False


def redis_broker() -> str:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    return f"redis://127.0.0.1:6379/{REDIS_DB}"


def rabbitmq_broker() -> str:
    return "amqp://guest:guest@127.0.0.1:5672//"


BROKERS = [
    pytest.param(redis_broker, id="redis", marks=pytest.mark.skipif(not redis_answers(), reason="no Redis")),
    pytest.param(
        rabbitmq_broker, id="rabbitmq", marks=pytest.mark.skipif(not rabbitmq_answers(), reason="no RabbitMQ")
    ),
]


@pytest.mark.parametrize("broker", BROKERS)
def test_a_worker_killed_mid_task_still_ends_done_exactly_once(
    tmp_path: Path, broker: Callable[[], str]
) -> None:
    orchestrator = Orchestrator(tmp_path / "orchestrator")
    org: Org | None = None
    try:
        # A fresh organization name per run: queues on a long-lived broker never mix runs.
        org = Org(
            f"Org{uuid.uuid4().hex[:8]}MSP",
            tmp_path,
            orchestrator,
            Pki(tmp_path / "pki"),
            broker_url=broker(),
        )
        org.client.wait_for_ready(timeout=60)
        org.start_agent()
        org.start_worker()
        wait_for(org.client.get_all_organizations, 60, "the agent registered")
        work = tmp_path / "work"
        train = org.register_function(
            TRAIN, "train", {**DATA, "model": {**MODEL, "optional": True}}, {"model": MODEL}, work=work
        )
        manager, samples = org.register_dataset(OPENER, [1.0], work=work, authorized=[org.name])
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
