"""The orchestrator is the truth: re-derive the organization's pending work from it.

At start, and then every ``period`` seconds, the sweeper asks the orchestrator for

- my functions still WAITING or BUILDING (at start only): built again (building is idempotent);
- my To-do tasks: enqueued, unless enqueued less than ``todo_window`` seconds ago (at start: always);
- (at start only) the working directories of final tasks: removed;
- my EXECUTING tasks with no live lease (their worker died: SIGKILL, OOM, host loss on the embedded
  broker which never redelivers): enqueued again, unless enqueued less than ``orphan_window`` seconds
  ago; the worker that gets it takes the task over (``podium.agent.jobs``).
"""

import logging
import threading
from typing import Final

from podium.agent.decide import required_work_on_start
from podium.agent.executor import Executor
from podium.api.generated import computetask_pb2
from podium.client import OrchestratorError

logger = logging.getLogger("podium.agent")

SWEEP_SECONDS: Final = 3.0
TODO_WINDOW: Final = 120.0
ORPHAN_WINDOW: Final = 10.0


def sweep(executor: Executor, *, at_start: bool = False) -> int:
    """One sweep; returns how many jobs were enqueued."""
    client, me = executor.client, executor.me
    sent = 0
    if at_start:
        executor.clean_stale_workdirs()
        functions = list(client.query_functions())
        for command in required_work_on_start((), me, functions=functions):
            executor.execute(command)
            sent += 1
    for task in client.query_tasks(worker=me, status=computetask_pb2.STATUS_WAITING_FOR_EXECUTOR_SLOT):
        if at_start or not executor.enqueued_within(task.key, TODO_WINDOW):
            executor.enqueue_task(task.key, reason="todo")
            sent += 1
    for task in client.query_tasks(worker=me, status=computetask_pb2.STATUS_EXECUTING):
        if executor.leases.is_live(executor.leases.get(task.key)):
            continue
        if not at_start and executor.enqueued_within(task.key, ORPHAN_WINDOW):
            continue
        logger.warning("task %s is EXECUTING but no live worker holds it: enqueued again", task.key)
        executor.enqueue_task(task.key, reason="orphan")
        sent += 1
    return sent


class Sweeper:
    """Runs ``sweep`` every ``period`` seconds in a daemon thread until ``stop`` is set."""

    def __init__(self, executor: Executor, stop: threading.Event, *, period: float = SWEEP_SECONDS) -> None:
        self._executor = executor
        self._stop = stop
        self._period = period
        self._thread = threading.Thread(target=self._run, name="sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                sweep(self._executor)
            except OrchestratorError as error:
                logger.warning("recovery sweep failed, retried next period: %s", error)
            except Exception:
                logger.exception("recovery sweep failed, retried next period")

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
