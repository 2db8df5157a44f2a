"""``podium worker``: a Celery worker consuming the organization's queue and running ``jobs``.

The Celery tasks are thin: they call ``podium.agent.jobs`` with a per-process ``WorkerContext``
(created lazily, so that a forked pool process opens its own gRPC connection) and turn podium's
transient errors (orchestrator or peer unreachable) into Celery retries with exponential backoff and
full jitter, bounded. Function faults never reach Celery: ``jobs`` reports them to the orchestrator.
"""

import logging
import os
import threading
from typing import Any, Final

from celery import Celery

from podium.agent import jobs
from podium.agent.assets import PeerUnreachable
from podium.agent.leases import LeaseStore
from podium.agent.node import NodeConfig
from podium.agent.queue import TASK_BUILD, TASK_RUN, make_app, queue_name
from podium.agent.storage import LocalStorage
from podium.client import OrchestratorClient, TransientError

logger = logging.getLogger("podium.worker")

RETRYABLE: Final = (TransientError, PeerUnreachable, ConnectionError)
MAX_RETRIES: Final = 7
RETRY_BACKOFF_MAX: Final = 300


class _Contexts:
    """One ``WorkerContext`` per process (pid), built on first use."""

    def __init__(self, config: NodeConfig, task_timeout: float) -> None:
        self._config = config
        self._task_timeout = task_timeout
        self._lock = threading.Lock()
        self._pid = -1
        self._context: jobs.WorkerContext | None = None

    def get(self) -> jobs.WorkerContext:
        with self._lock:
            if self._context is None or self._pid != os.getpid():
                config = self._config
                self._context = jobs.WorkerContext(
                    config=config,
                    client=OrchestratorClient(config.client_config()),
                    storage=LocalStorage(config.storage_dir),
                    leases=LeaseStore(config.leases_path),
                    task_timeout=self._task_timeout,
                )
                self._pid = os.getpid()
            return self._context


def register_tasks(app: Celery, config: NodeConfig, *, task_timeout: float = jobs.TASK_TIMEOUT) -> None:
    """Register ``podium.build_function`` and ``podium.run_task`` on ``app``."""
    contexts = _Contexts(config, task_timeout)
    options: dict[str, Any] = {
        "bind": True,
        "autoretry_for": RETRYABLE,
        "retry_backoff": 2,
        "retry_backoff_max": RETRY_BACKOFF_MAX,
        "retry_jitter": True,
        "max_retries": MAX_RETRIES,
        "acks_late": True,
        "reject_on_worker_lost": True,
    }

    @app.task(name=TASK_BUILD, **options)  # type: ignore[untyped-decorator]
    def build_function(self: Any, function_key: str) -> str:
        outcome = jobs.build_function(contexts.get(), function_key)
        logger.info("build %s: %s", function_key, outcome)
        return outcome

    @app.task(name=TASK_RUN, **options)  # type: ignore[untyped-decorator]
    def run_task(self: Any, task_key: str) -> str:
        outcome = jobs.run_compute_task(contexts.get(), task_key)
        logger.info("task %s: %s", task_key, outcome)
        return outcome


def run_worker(config: NodeConfig, *, concurrency: int = 1, task_timeout: float = jobs.TASK_TIMEOUT) -> int:
    """Consume the organization's queue until SIGTERM/SIGINT (Celery's warm shutdown); the exit code."""
    app = make_app(config)
    register_tasks(app, config, task_timeout=task_timeout)
    config.work_dir.mkdir(parents=True, exist_ok=True)
    LeaseStore(config.leases_path)  # create the schema before any task
    worker = app.Worker(
        queues=[queue_name(config.organization)],
        concurrency=concurrency,
        # solo: the task runs in the worker process, so a killed worker takes its task with it
        # (no orphaned pool child holding the lease); prefork for parallel tasks.
        pool="solo" if concurrency == 1 else "prefork",
        hostname=f"{config.organization}@{os.uname().nodename}-{os.getpid()}",
        without_mingle=True,
        without_gossip=True,
        without_heartbeat=True,
        loglevel="INFO",
        redirect_stdouts=False,
    )
    worker.start()
    return int(worker.exitcode or 0)
