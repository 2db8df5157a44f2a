"""The work queue between an organization's agent and its workers: a Celery app bound to one node.

Tasks are sent by name (the agent never imports the worker's code paths) on the organization's queue
``podium.<ORG>``. Brokers:

| ``PODIUM_BROKER_URL`` | transport | on worker death (SIGKILL) |
|---|---|---|
| ``redis://…`` | Redis, ``visibility_timeout`` 60 s | unacked message redelivered after the timeout |
| ``amqp://…`` | RabbitMQ, quorum queue on a topic exchange | redelivered at once (connection loss) |
| empty (default) | kombu ``filesystem`` under ``home/broker`` | **lost**: a message is removed when fetched |

The embedded broker's messages appear whole (``podium.agent.fsbroker``). Whatever the broker, the
agent's lease sweeper (``podium.agent.recovery``) re-enqueues the organization's EXECUTING tasks that
no live worker holds and its To-do tasks not enqueued recently, so the embedded broker's lost
messages cost a sweep period, not a task. The worker's lease fence
(``podium.agent.leases``) makes duplicates harmless.
"""

from pathlib import Path
from typing import Any, Final

from celery import Celery
from kombu import Exchange, Queue  # type: ignore[attr-defined]

from podium.agent.fsbroker import TRANSPORT
from podium.agent.node import NodeConfig

TASK_BUILD: Final = "podium.build_function"
TASK_RUN: Final = "podium.run_task"
EXCHANGE: Final = "podium"
SOFT_TIME_LIMIT: Final = 6 * 3600
HARD_TIME_LIMIT: Final = SOFT_TIME_LIMIT + 300
REDIS_VISIBILITY_TIMEOUT: Final = 60
EMBEDDED_POLL_SECONDS: Final = 0.1
"""How often an idle worker looks for new messages in the embedded broker's folder. kombu's default
(1 s) made the delivery alone cost about 0.9 s per task in the end-to-end benchmark; a listing of a
nearly empty folder ten times a second costs next to nothing."""


def queue_name(organization: str) -> str:
    """The organization's queue (also its routing key)."""
    return f"podium.{organization}"


def broker_url(config: NodeConfig) -> str:
    return config.broker_url or "filesystem://"


def _filesystem_options(broker_dir: Path) -> dict[str, Any]:
    queue_dir = broker_dir / "queue"
    control_dir = broker_dir / "control"
    for directory in (queue_dir, control_dir):
        directory.mkdir(parents=True, exist_ok=True)
    # One folder in and out: every process of the node sees the same messages.
    return {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "control_folder": str(control_dir),
        "store_processed": False,
        "polling_interval": EMBEDDED_POLL_SECONDS,
    }


def make_app(config: NodeConfig) -> Celery:
    """The Celery app of ``config``'s organization (acks late, reject on worker lost, prefetch 1,
    JSON only, time limits, one queue per organization)."""
    url = broker_url(config)
    app = Celery(f"podium-{config.organization}", broker=url, set_as_current=False)
    name = queue_name(config.organization)
    queue_arguments: dict[str, Any] | None = None
    transport_options: dict[str, Any] = {}
    if url.startswith("filesystem://"):
        transport_options = _filesystem_options(config.broker_dir)
        queue = Queue(name, Exchange(name, type="direct"), routing_key=name)  # type: ignore[no-untyped-call]
    else:
        if url.startswith(("amqp://", "amqps://", "pyamqp://")):
            queue_arguments = {"x-queue-type": "quorum"}
        elif url.startswith(("redis://", "rediss://")):
            transport_options = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
        queue = Queue(  # type: ignore[no-untyped-call]
            name,
            Exchange(EXCHANGE, type="topic"),  # type: ignore[no-untyped-call]
            routing_key=name,
            queue_arguments=queue_arguments,
        )
    app.conf.update(
        # The embedded broker's messages appear whole (``podium.agent.fsbroker``); None: by the URL.
        broker_transport=TRANSPORT if url.startswith("filesystem://") else None,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_soft_time_limit=SOFT_TIME_LIMIT,
        task_time_limit=HARD_TIME_LIMIT,
        task_queues=[queue],
        task_default_queue=name,
        task_default_exchange=queue.exchange.name,
        task_default_exchange_type=queue.exchange.type,
        task_default_routing_key=name,
        task_routes={TASK_BUILD: {"queue": name}, TASK_RUN: {"queue": name}},
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
    )
    return app


def enqueue(app: Celery, organization: str, task_name: str, argument: str, task_id: str) -> None:
    """Send ``task_name(argument)`` to the organization's queue with ``task_id``."""
    app.send_task(task_name, args=[argument], task_id=task_id, queue=queue_name(organization))
