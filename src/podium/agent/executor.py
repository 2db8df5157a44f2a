"""Carrying out ``decide``'s commands against the orchestrator (the truth), the queue and local files.

Every command is idempotent here, because events are delivered at least once and the recovery sweep
repeats enqueues: the worker's lease and status checks make a duplicate job a no-op.
"""

import logging
import shutil
import threading
import time

from celery import Celery

from podium.agent.decide import (
    BuildFunction,
    CheckPlanFinished,
    CheckTransientOutputs,
    Command,
    DropModel,
    EnqueueTask,
    PlanFinished,
    StopTask,
)
from podium.agent.leases import LeaseStore
from podium.agent.node import NodeConfig
from podium.agent.queue import TASK_BUILD, TASK_RUN, enqueue
from podium.agent.storage import FileKind, LocalStorage
from podium.api.generated import computetask_pb2
from podium.client import FailedPrecondition, InvalidArgument, NotFound, OrchestratorClient

logger = logging.getLogger("podium.agent")

_FINAL = frozenset(
    {computetask_pb2.STATUS_DONE, computetask_pb2.STATUS_CANCELED, computetask_pb2.STATUS_FAILED}
)


class Executor:
    """Executes commands for one organization. Thread-safe (the consumer and the sweeper share it)."""

    def __init__(
        self,
        config: NodeConfig,
        client: OrchestratorClient,
        app: Celery,
        storage: LocalStorage,
        leases: LeaseStore,
    ) -> None:
        self.config = config
        self.client = client
        self.app = app
        self.storage = storage
        self.leases = leases
        self._lock = threading.Lock()
        self._enqueued: dict[str, float] = {}
        self._sends = 0

    @property
    def me(self) -> str:
        return self.config.organization

    def execute(self, command: Command) -> None:
        if isinstance(command, BuildFunction):
            self._send(TASK_BUILD, command.function_key, f"build:{command.function_key}")
        elif isinstance(command, EnqueueTask):
            self.enqueue_task(command.task_key)
        elif isinstance(command, StopTask):
            logger.info("task %s stopped here: the worker's watcher ends its run", command.task_key)
        elif isinstance(command, CheckTransientOutputs):
            for parent in command.parent_task_keys:
                self._disable_transient_outputs(parent)
        elif isinstance(command, CheckPlanFinished):
            if not self.client.is_plan_running(command.compute_plan_key):
                self.clean_plan(command.compute_plan_key)
        elif isinstance(command, PlanFinished):
            self.clean_plan(command.compute_plan_key)
        elif isinstance(command, DropModel) and self.storage.delete(FileKind.MODEL, command.model_key):
            logger.info("model %s disabled: file deleted", command.model_key)

    def enqueue_task(self, task_key: str, *, reason: str = "") -> None:
        """Queue ``run_task(task_key)`` and remember when."""
        with self._lock:
            self._enqueued[task_key] = time.monotonic()
            self._sends += 1
            suffix = f":{reason}-{self._sends}" if reason else ""
        self._send(TASK_RUN, task_key, f"run:{task_key}{suffix}")

    def enqueued_within(self, task_key: str, seconds: float) -> bool:
        with self._lock:
            sent = self._enqueued.get(task_key)
        return sent is not None and time.monotonic() - sent < seconds

    def _send(self, task_name: str, key: str, task_id: str) -> None:
        enqueue(self.app, self.me, task_name, key, task_id)
        logger.info("enqueued %s(%s) as %s", task_name, key, task_id)

    def _disable_transient_outputs(self, parent_key: str) -> None:
        try:
            parent = self.client.get_task(parent_key)
        except NotFound:
            return
        if parent.worker != self.me:
            return
        for identifier, output in parent.outputs.items():
            if not output.transient:
                continue
            try:
                self.client.disable_output(parent_key, identifier)
                logger.info("disabled transient output %s of task %s", identifier, parent_key)
            except (FailedPrecondition, InvalidArgument) as error:
                # Refused while some child is not final, or already disabled: a later event retries.
                logger.debug("output %s of %s not disabled: %s", identifier, parent_key, error)

    def clean_stale_workdirs(self) -> int:
        """Remove the working directories of final tasks that no live worker holds (at start: what a
        crash left, plans whose end was not seen); answer how many were removed."""
        removed = 0
        directories = sorted(self.config.work_dir.iterdir()) if self.config.work_dir.is_dir() else []
        for workdir in directories:
            if not workdir.is_dir():
                continue
            try:
                task = self.client.get_task(workdir.name)
            except (NotFound, InvalidArgument):
                continue
            removed += self._remove_workdir_if_done(task)
        if removed:
            logger.info("removed %d working directories of final tasks", removed)
        return removed

    def clean_plan(self, plan_key: str) -> None:
        """Remove the working directories of the plan's tasks that are final and run by nobody."""
        tasks = self.client.query_tasks(compute_plan_key=plan_key, worker=self.me)
        removed = sum(self._remove_workdir_if_done(task) for task in tasks)
        if removed:
            logger.info("plan %s finished: removed %d working directories", plan_key, removed)

    def _remove_workdir_if_done(self, task: computetask_pb2.ComputeTask) -> bool:
        """Remove ``task``'s working directory when the task is final and no live worker holds it."""
        workdir = self.config.work_dir / task.key
        if task.status not in _FINAL or not workdir.exists():
            return False
        if self.leases.is_live(self.leases.get(task.key)):
            return False
        shutil.rmtree(workdir, ignore_errors=True)
        return True
