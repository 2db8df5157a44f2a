"""``Client``: what a data scientist does, as one organization — register, run, watch, read results.

The SDK talks to the orchestrator only through ``podium.client.OrchestratorClient`` and keeps its
files in the organization's ``home`` (``podium.agent.node.NodeConfig``): function archives and
openers in ``storage/`` (served by the organization's agent at ``<asset_url>/<kind>/<key>``), data
samples in ``datasamples/<key>/``.
"""

import shutil
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from podium.agent.node import NodeConfig
from podium.agent.runtime import InvalidManifest, load_manifest
from podium.agent.storage import FileKind, LocalStorage
from podium.api.generated import (
    common_pb2,
    computeplan_pb2,
    computetask_pb2,
    datamanager_pb2,
    datasample_pb2,
    function_pb2,
)
from podium.client import OrchestratorClient, OrchestratorError, is_already_done
from podium.domain.kinds import PlanAction
from podium.sdk.errors import InvalidProject, SdkError, WaitTimeout
from podium.sdk.files import archive_project, copy_directory, directory_checksum
from podium.sdk.progress import ProgressBar, ProgressCallback
from podium.sdk.results import ResultCalls
from podium.sdk.status import PlanStatus, derive_status
from podium.sdk.tasks import Input, Output, Permissions, Task

DEFAULT_BATCH_SIZE = 500


class Client(ResultCalls):
    """One organization's view of podium: registers assets and plans, waits, reads results.

    Args:
        node: the organization's settings (identity, channel, home, TLS).
        orchestrator: an open client to use instead of connecting (it is then not closed by
            ``close``); it must be bound to ``node``'s organization.
    """

    def __init__(self, node: NodeConfig, *, orchestrator: OrchestratorClient | None = None) -> None:
        self.node = node
        self._owns_orchestrator = orchestrator is None
        self.orchestrator = orchestrator or OrchestratorClient(node.client_config())
        self.storage = LocalStorage(node.storage_dir)
        self._asset_url = node.asset_url.rstrip("/")

    @classmethod
    def from_env(cls, **overrides: object) -> "Client":
        """A client configured by the ``PODIUM_*`` variables (``NodeConfig.from_env``)."""
        return cls(NodeConfig.from_env(None, **overrides))

    @property
    def organization(self) -> str:
        return self.node.organization

    def close(self) -> None:
        if self._owns_orchestrator:
            self.orchestrator.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- files

    def asset_url(self) -> str:
        """The base URL of this organization's asset server: ``NodeConfig.asset_url``, else the address
        the organization registered (its agent registers it).

        Raises:
            SdkError: neither is known.
        """
        if not self._asset_url:
            for organization in self.orchestrator.get_all_organizations():
                if organization.id == self.organization and organization.address:
                    self._asset_url = organization.address.rstrip("/")
        if not self._asset_url:
            raise SdkError(
                f"{self.organization} has no asset server address: set PODIUM_ASSET_URL, or start its "
                "agent (`podium agent`), which registers the organization with its address"
            )
        return self._asset_url

    def _store(self, kind: FileKind, key: str, data: bytes) -> common_pb2.Addressable:
        url = f"{self.asset_url()}/{kind.value}/{key}"
        stored = self.storage.write(kind, key, data)
        return common_pb2.Addressable(checksum=stored.sha256, storage_address=url)

    @staticmethod
    def _project(directory: Path) -> bytes:
        try:
            load_manifest(directory)
        except InvalidManifest as error:
            raise InvalidProject(f"{directory}: {error}") from error
        return archive_project(directory)

    # --- registration

    def register_function(
        self,
        directory: Path,
        name: str,
        inputs: Mapping[str, Input],
        outputs: Mapping[str, Output],
        *,
        permissions: Permissions | Iterable[str] = (),
        metadata: Mapping[str, str] | None = None,
    ) -> function_pb2.Function:
        """Archive the function project at ``directory``, store it, and register it.

        The archive (deterministic ``.tar.gz``) is written to ``storage/functions/<key>``; archive and
        description are registered at ``<asset_url>/functions/<key>`` with its SHA-256. The owner's
        agent then builds it (status WAITING → BUILDING → READY).

        Raises:
            InvalidProject: no valid ``podium.toml``, or a link or special file in the project.
            OrchestratorError: the orchestrator refused the function (e.g. bad inputs).
        """
        key = str(uuid.uuid4())
        address = self._store(FileKind.FUNCTION, key, self._project(Path(directory)))
        message = function_pb2.NewFunction(
            key=key,
            name=name,
            description=address,
            archive=address,
            new_permissions=Permissions.of(permissions).message(),
            metadata=dict(metadata or {}),
            inputs={identifier: spec.message() for identifier, spec in inputs.items()},
            outputs={identifier: spec.message() for identifier, spec in outputs.items()},
        )
        return self.orchestrator.register_function(message)

    def register_data_manager(
        self,
        opener_directory: Path,
        name: str,
        permissions: Permissions | Iterable[str] = (),
        logs_permission: Permissions | Iterable[str] | None = None,
        *,
        data_type: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> datamanager_pb2.DataManager:
        """Archive and store the opener project (``storage/openers/<key>``) and register a data manager.

        ``logs_permission`` (who may read the logs of tasks on this data) defaults to ``permissions``.

        Raises:
            InvalidProject, OrchestratorError: as ``register_function``.
        """
        key = str(uuid.uuid4())
        address = self._store(FileKind.OPENER, key, self._project(Path(opener_directory)))
        process = Permissions.of(permissions)
        logs = process if logs_permission is None else Permissions.of(logs_permission)
        message = datamanager_pb2.NewDataManager(
            key=key,
            name=name,
            new_permissions=process.message(),
            description=address,
            opener=address,
            type=data_type,
            logs_permission=logs.message(),
            metadata=dict(metadata or {}),
        )
        return self.orchestrator.register_data_manager(message)

    def register_data_samples(self, data_manager_key: str, directories: Sequence[Path]) -> list[str]:
        """Copy each directory to ``home/datasamples/<key>/`` and register them all (all or nothing).

        The checksum of a sample is ``podium.sdk.files.directory_checksum`` of its directory.

        Returns:
            The sample keys, in the order of ``directories``.

        Raises:
            InvalidProject: a path is not a directory, or holds a link or a special file.
            OrchestratorError: refused (e.g. an unknown data manager); no copy is left behind.
        """
        samples = [(str(uuid.uuid4()), Path(directory)) for directory in directories]
        checksums = [directory_checksum(directory) for _, directory in samples]
        copied: list[Path] = []
        try:
            for key, directory in samples:
                copy_directory(directory, self.node.data_sample_dir(key))
                copied.append(self.node.data_sample_dir(key))
            self.orchestrator.register_data_samples(
                [
                    datasample_pb2.NewDataSample(
                        key=key, data_manager_keys=[data_manager_key], checksum=checksum
                    )
                    for (key, _), checksum in zip(samples, checksums, strict=True)
                ]
            )
        except BaseException:
            for path in copied:
                shutil.rmtree(path, ignore_errors=True)
            raise
        return [key for key, _ in samples]

    def register_plan(
        self,
        name: str,
        tasks: Sequence[Task],
        *,
        metadata: Mapping[str, str] | None = None,
        tag: str = "",
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> computeplan_pb2.ComputePlan:
        """Register a compute plan and its ``tasks`` (parents before children) in batches.

        Raises:
            OrchestratorError: a refusal; batches already sent stay registered (the plan can be
                canceled with ``cancel``).
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        plan = self.orchestrator.register_plan(
            computeplan_pb2.NewComputePlan(
                key=str(uuid.uuid4()), name=name, tag=tag, metadata=dict(metadata or {})
            )
        )
        for start in range(0, len(tasks), batch_size):
            batch = tasks[start : start + batch_size]
            self.orchestrator.register_tasks([task.message(plan.key) for task in batch])
        return plan

    # --- following a plan

    def tasks(self, plan_key: str) -> list[computetask_pb2.ComputeTask]:
        """Every task of the plan, oldest first."""
        return list(self.orchestrator.query_tasks(compute_plan_key=plan_key))

    def status(self, plan_key: str) -> PlanStatus:
        """The plan's derived status (``podium.sdk.status``). ``NotFound`` for an unknown plan."""
        plan = self.orchestrator.get_plan(plan_key)
        return derive_status(plan, self.tasks(plan_key))

    def wait(
        self,
        plan_key: str,
        timeout: float = 3600.0,
        progress: bool | ProgressCallback | None = None,
        *,
        poll_interval: float = 1.0,
    ) -> PlanStatus:
        """Poll the plan until it is DONE, FAILED or CANCELED, and return that status.

        Args:
            timeout: seconds to wait in all.
            progress: ``True`` for a rich progress bar on the terminal, or a callback called with
                every status polled.
            poll_interval: seconds between polls.

        Raises:
            WaitTimeout: not finished within ``timeout`` (``.status`` is the last status seen).
        """
        if progress is True:
            with ProgressBar() as bar:
                return self._wait(plan_key, timeout, bar, poll_interval)
        return self._wait(plan_key, timeout, progress or None, poll_interval)

    def _wait(self, plan_key: str, timeout: float, callback: Any, poll_interval: float) -> PlanStatus:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(plan_key)
            if callback is not None:
                callback(status)
            if status.finished:
                return status
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(f"plan {plan_key} is still {status.state.value} after {timeout}s", status)
            time.sleep(min(poll_interval, remaining))

    def cancel(self, plan_key: str) -> bool:
        """Cancel the plan (owner only). Returns False when it had already ended (canceled or failed).

        Raises:
            OrchestratorError: e.g. ``NotFound``, or ``PermissionDenied`` for another owner's plan.
        """
        try:
            self.orchestrator.apply_plan_action(plan_key, PlanAction.CANCELED)
        except OrchestratorError as error:
            if is_already_done(error, PlanAction.CANCELED):
                return False
            raise
        return True
