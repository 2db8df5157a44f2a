"""What a worker does for one queued job: build a function, run a task. Independent of Celery.

``run_compute_task`` is exactly-once in effect, whatever the queue delivers:

1. the task must be mine, not final, its plan not terminated (else it is canceled), and To do or
   EXECUTING;
2. the lease fence (``LeaseStore.acquire``): a live lease of another worker means it runs there, stop
   quietly; a dead one (the worker was killed) is taken over, its orphaned runner killed;
3. under the lease, the task is read again; To do → ``EXECUTING`` (only the first worker makes that
   transition; a takeover keeps the running state);
4. inputs fetched (checksums verified), the function run while a watcher stops it when the task
   becomes CANCELED or FAILED, outputs stored and registered (outputs an earlier attempt registered are
   skipped), then ``DONE``;
5. a function fault stores its log and registers an EXECUTION failure report; podium's own transient
   errors propagate (the queue retries them).
"""

import logging
import os
import shutil
import signal
import ssl
import threading
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from podium.agent.assets import client_context, fetch
from podium.agent.leases import Heartbeat, LeaseStore, pid_alive
from podium.agent.node import NodeConfig
from podium.agent.runtime import (
    BuildResult,
    DataSpec,
    OutputKind,
    OutputSpec,
    RunResult,
    TaskSpec,
    build_environment,
    read_performance,
    start_task,
    unpack_archive,
)
from podium.agent.storage import FileKind, LocalStorage
from podium.api.generated import (
    common_pb2,
    computetask_pb2,
    datamanager_pb2,
    failure_report_pb2,
    function_pb2,
    model_pb2,
    performance_pb2,
)
from podium.client import (
    AlreadyExists,
    InvalidTransition,
    OrchestratorClient,
    OrchestratorError,
    is_already_done,
)
from podium.domain.kinds import FunctionAction, TaskAction

logger = logging.getLogger("podium.worker")

BUILD_TIMEOUT: Final = 1800.0
TASK_TIMEOUT: Final = 6 * 3600.0
WATCH_SECONDS: Final = 1.0
PLAN_TERMINATED_REASON: Final = "compute plan is terminated"

_FINAL: Final = frozenset(
    {computetask_pb2.STATUS_DONE, computetask_pb2.STATUS_CANCELED, computetask_pb2.STATUS_FAILED}
)
_STOPPED: Final = frozenset({computetask_pb2.STATUS_CANCELED, computetask_pb2.STATUS_FAILED})


@dataclass
class WorkerContext:
    """What a worker process needs, built once at its start."""

    config: NodeConfig
    client: OrchestratorClient
    storage: LocalStorage
    leases: LeaseStore
    worker_id: str = field(
        default_factory=lambda: f"{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    )
    task_timeout: float = TASK_TIMEOUT
    _tls: ssl.SSLContext | None = None

    @property
    def me(self) -> str:
        return self.config.organization

    @property
    def asset_url(self) -> str:
        """The base URL of this organization's asset server (registered addresses point there)."""
        return (self.config.asset_url or f"https://{self.config.asset_listen}").rstrip("/")

    def url_for(self, kind: FileKind, key: str) -> str:
        return f"{self.asset_url}/{kind.value}/{key}"

    def tls(self) -> ssl.SSLContext:
        """The client context presenting this organization's certificate to peers' asset servers."""
        if self._tls is None:
            config = self.config
            if not (config.tls_ca and config.tls_cert and config.tls_key):
                raise RuntimeError("fetching from peers needs PODIUM_TLS_CA, PODIUM_TLS_CERT, PODIUM_TLS_KEY")
            self._tls = client_context([config.tls_ca], config.tls_cert, config.tls_key)
        return self._tls


# --- functions


def build_function(ctx: WorkerContext, function_key: str) -> str:
    """Build my function ``function_key`` (WAITING/BUILDING → READY, or FAILED with a BUILD report).
    Returns what happened, for the log."""
    function = ctx.client.get_function(function_key)
    if function.owner != ctx.me:
        return "not mine"
    if function.status not in (function_pb2.FUNCTION_STATUS_WAITING, function_pb2.FUNCTION_STATUS_BUILDING):
        return f"nothing to do ({function_pb2.FunctionStatus.Name(function.status)})"
    if function.status == function_pb2.FUNCTION_STATUS_WAITING:
        # InvalidTransition: a redelivered build; building is idempotent, go on.
        with suppress(InvalidTransition):
            ctx.client.apply_function_action(function_key, FunctionAction.BUILDING)
    result = _build_local(ctx, function)
    if not result.ok:
        stored = ctx.storage.write(FileKind.LOG, function_key, result.log.encode())
        report = failure_report_pb2.NewFailureReport(
            asset_key=function_key,
            asset_type=failure_report_pb2.FAILED_ASSET_FUNCTION,
            error_type=failure_report_pb2.ERROR_TYPE_BUILD,
            logs_address=common_pb2.Addressable(
                checksum=stored.sha256, storage_address=ctx.url_for(FileKind.LOG, function_key)
            ),
        )
        _register_report(ctx, report)
        return "build failed"
    try:
        ctx.client.apply_function_action(function_key, FunctionAction.READY)
    except OrchestratorError as error:
        if not is_already_done(error, FunctionAction.READY):
            raise
    return "ready"


def _build_local(ctx: WorkerContext, function: function_pb2.Function) -> BuildResult:
    """The function's environment on this host, built if needed from its archive (mine from
    storage, a peer's fetched and checked)."""
    env_dir = ctx.config.envs_dir / function.key
    if function.owner == ctx.me:
        archive = ctx.storage.path(FileKind.FUNCTION, function.key)
        if (
            archive.is_file()
            and ctx.storage.sha256(FileKind.FUNCTION, function.key) != function.archive.checksum
        ):
            return BuildResult(False, env_dir, env_dir / "function", None, "archive checksum mismatch")
    else:
        archive = ctx.config.envs_dir / f"{function.key}.archive"
        if not archive.is_file():
            fetch(function.archive.storage_address, archive, function.archive.checksum, tls=ctx.tls())
    return build_environment(archive, env_dir, timeout=BUILD_TIMEOUT)


# --- tasks


def run_compute_task(ctx: WorkerContext, task_key: str) -> str:
    """Run my task ``task_key`` once in effect (see the module docstring); returns what happened."""
    client = ctx.client
    task = client.get_task(task_key)
    if task.worker != ctx.me:
        return "not mine"
    if task.status in _FINAL:
        return "already final"
    if _plan_terminated(ctx, task):
        _cancel(ctx, task_key)
        return "canceled: plan terminated"
    if task.status not in (
        computetask_pb2.STATUS_WAITING_FOR_EXECUTOR_SLOT,
        computetask_pb2.STATUS_EXECUTING,
    ):
        return "not runnable yet"
    taken, previous = ctx.leases.acquire(task_key, ctx.worker_id, os.getpid())
    if not taken:
        return "held by another worker"
    try:
        if previous is not None and previous.worker_id != ctx.worker_id:
            _stop_orphan(previous.runner_pid)
        task = client.get_task(task_key)  # the truth under the lease
        if task.status in _FINAL:
            return "already final"
        if task.status == computetask_pb2.STATUS_WAITING_FOR_EXECUTOR_SLOT:
            try:
                client.apply_task_action(task_key, TaskAction.EXECUTING)
            except InvalidTransition:
                task = client.get_task(task_key)
                if task.status != computetask_pb2.STATUS_EXECUTING:
                    return "not runnable"
        elif task.status != computetask_pb2.STATUS_EXECUTING:
            return "not runnable"
        else:
            logger.warning("task %s: taking over from a worker that is gone", task_key)
        heartbeat = Heartbeat(ctx.leases, task_key, ctx.worker_id).start()
        try:
            return _execute(ctx, task)
        finally:
            heartbeat.stop()
    finally:
        ctx.leases.release(task_key, ctx.worker_id)


def _plan_terminated(ctx: WorkerContext, task: computetask_pb2.ComputeTask) -> bool:
    plan = ctx.client.get_plan(task.compute_plan_key)
    return plan.HasField("cancelation_date") or plan.HasField("failure_date")


def _cancel(ctx: WorkerContext, task_key: str) -> None:
    try:
        ctx.client.apply_task_action(task_key, TaskAction.CANCELED, log=PLAN_TERMINATED_REASON)
    except OrchestratorError as error:
        if not isinstance(error, InvalidTransition):
            raise


def _stop_orphan(runner_pid: int) -> None:
    # The dead worker's runner leads its own process group and may still run: stop it first.
    if runner_pid > 0 and pid_alive(runner_pid):
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(runner_pid, signal.SIGKILL)


def _execute(ctx: WorkerContext, task: computetask_pb2.ComputeTask) -> str:
    client = ctx.client
    workdir = ctx.config.work_dir / task.key
    shutil.rmtree(workdir, ignore_errors=True)  # a previous attempt's leftovers
    workdir.mkdir(parents=True)
    function = client.get_function(task.function_key)
    built = _build_local(ctx, function)
    if not built.ok:
        raise RuntimeError(f"function {function.key} does not build here: {built.log[-500:]}")
    spec = _task_spec(ctx, task, function, workdir)
    running = start_task(built.env_dir, built.function_dir, spec, workdir, timeout=ctx.task_timeout)
    ctx.leases.beat(task.key, ctx.worker_id, runner_pid=running.pid)
    stop_watching = threading.Event()
    watcher = threading.Thread(
        target=_watch, args=(ctx, task.key, running.cancel, stop_watching), daemon=True
    )
    watcher.start()
    try:
        result = running.wait()
    finally:
        stop_watching.set()
        watcher.join(timeout=WATCH_SECONDS * 5)
    if result.canceled:
        logger.info("task %s: stopped (canceled or failed elsewhere)", task.key)
        shutil.rmtree(workdir, ignore_errors=True)
        return "stopped"
    if not result.ok:
        _report_failure(ctx, task, result)
        shutil.rmtree(workdir, ignore_errors=True)
        return "failed"
    _register_outputs(ctx, task, function, spec)
    try:
        client.apply_task_action(task.key, TaskAction.DONE, log="task completed")
    except OrchestratorError as error:
        if not is_already_done(error, TaskAction.DONE):
            raise
    shutil.rmtree(workdir, ignore_errors=True)
    return "done"


def _watch(ctx: WorkerContext, task_key: str, cancel: Callable[[], None], stop: threading.Event) -> None:
    """Cancel the run when the task became CANCELED or FAILED; errors only delay the next look."""
    while not stop.wait(WATCH_SECONDS):
        try:
            status = ctx.client.get_task(task_key).status
        except OrchestratorError:
            continue
        if status in _STOPPED:
            logger.info(
                "task %s became %s: stopping it", task_key, computetask_pb2.ComputeTaskStatus.Name(status)
            )
            cancel()
            return


def _task_spec(
    ctx: WorkerContext, task: computetask_pb2.ComputeTask, function: function_pb2.Function, workdir: Path
) -> TaskSpec:
    inputs_dir = workdir / "inputs"
    inputs_dir.mkdir()
    models: dict[str, list[Path]] = {}
    data_identifier = ""
    opener_dir: Path | None = None
    samples: list[Path] = []
    for asset in ctx.client.get_task_input_assets(task.key):
        which = asset.WhichOneof("asset")
        if which == "model":
            models.setdefault(asset.identifier, []).append(_model_file(ctx, asset.model, inputs_dir))
        elif which == "data_manager":
            opener_dir = _opener_dir(ctx, asset.data_manager, inputs_dir)
        elif which == "data_sample":
            data_identifier = asset.identifier
            samples.append(ctx.config.data_sample_dir(asset.data_sample.key))
    data = None
    if opener_dir is not None:
        data = DataSpec(data_identifier or "datasamples", opener_dir, tuple(samples))
    outputs = {
        identifier: OutputSpec(
            workdir / "outputs" / identifier,
            OutputKind.PERFORMANCE
            if function.outputs[identifier].kind == common_pb2.ASSET_PERFORMANCE
            else OutputKind.MODEL,
        )
        for identifier in task.outputs
        if identifier in function.outputs
    }
    return TaskSpec(
        task_key=task.key,
        compute_plan_key=task.compute_plan_key,
        rank=task.rank,
        organization=ctx.me,
        metadata=dict(task.metadata),
        inputs={identifier: tuple(paths) for identifier, paths in models.items()},
        data=data,
        outputs=outputs,
    )


def _model_file(ctx: WorkerContext, model: model_pb2.Model, inputs_dir: Path) -> Path:
    destination = inputs_dir / f"model-{model.key}"
    if model.owner == ctx.me and ctx.storage.exists(FileKind.MODEL, model.key):
        ctx.storage.copy_to(FileKind.MODEL, model.key, destination)
        return destination
    fetch(model.address.storage_address, destination, model.address.checksum, tls=ctx.tls())
    return destination


def _opener_dir(ctx: WorkerContext, manager: datamanager_pb2.DataManager, inputs_dir: Path) -> Path:
    archive = inputs_dir / f"opener-{manager.key}.archive"
    if manager.owner == ctx.me and ctx.storage.exists(FileKind.OPENER, manager.key):
        ctx.storage.copy_to(FileKind.OPENER, manager.key, archive)
    else:
        fetch(manager.opener.storage_address, archive, manager.opener.checksum, tls=ctx.tls())
    destination = inputs_dir / f"opener-{manager.key}"
    unpack_archive(archive, destination)
    return destination


def _register_outputs(
    ctx: WorkerContext, task: computetask_pb2.ComputeTask, function: function_pb2.Function, spec: TaskSpec
) -> None:
    client = ctx.client
    # RegisterModels is all or nothing: any model of the task means an earlier attempt registered them.
    already_registered = bool(client.get_task_output_models(task.key))
    new_models: list[model_pb2.NewModel] = []
    for identifier, output in spec.outputs.items():
        if output.kind is OutputKind.PERFORMANCE:
            value = read_performance(output.path)
            with suppress(AlreadyExists):  # an earlier attempt registered it
                client.register_performance(
                    performance_pb2.NewPerformance(
                        compute_task_key=task.key,
                        compute_task_output_identifier=identifier,
                        performance_value=value,
                    )
                )
        elif not already_registered:
            model_key = str(uuid.uuid4())
            stored = ctx.storage.write_file(FileKind.MODEL, model_key, output.path)
            new_models.append(
                model_pb2.NewModel(
                    key=model_key,
                    compute_task_key=task.key,
                    compute_task_output_identifier=identifier,
                    address=common_pb2.Addressable(
                        checksum=stored.sha256, storage_address=ctx.url_for(FileKind.MODEL, model_key)
                    ),
                )
            )
    if new_models:
        try:
            client.register_models(new_models)
        except OrchestratorError:
            for model in new_models:
                ctx.storage.delete(FileKind.MODEL, model.key)
            raise


def _report_failure(ctx: WorkerContext, task: computetask_pb2.ComputeTask, result: RunResult) -> None:
    if result.error is not None and not result.error.is_function_fault:
        error_type = failure_report_pb2.ERROR_TYPE_INTERNAL
        logs_address = None
    else:
        error_type = failure_report_pb2.ERROR_TYPE_EXECUTION
        log = result.log_path.read_bytes() if result.log_path.is_file() else b""
        if result.timed_out:
            log += f"\n[podium: the task exceeded its time limit of {ctx.task_timeout:.0f} s]\n".encode()
        stored = ctx.storage.write(FileKind.LOG, task.key, log)
        logs_address = common_pb2.Addressable(
            checksum=stored.sha256, storage_address=ctx.url_for(FileKind.LOG, task.key)
        )
    logger.warning("task %s failed (%s): registering a failure report", task.key, result)
    _register_report(
        ctx,
        failure_report_pb2.NewFailureReport(
            asset_key=task.key,
            asset_type=failure_report_pb2.FAILED_ASSET_COMPUTE_TASK,
            error_type=error_type,
            logs_address=logs_address,
        ),
    )


def _register_report(ctx: WorkerContext, report: failure_report_pb2.NewFailureReport) -> None:
    with suppress(AlreadyExists):
        ctx.client.register_failure_report(report)
