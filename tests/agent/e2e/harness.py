"""Real processes on 127.0.0.1: ``podium serve`` (SQLite), and per organization ``podium agent`` and
``podium worker``, with a test PKI. Every wait has a deadline; every process is stopped by pid."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from google.protobuf import json_format

from podium.agent.storage import FileKind, LocalStorage
from podium.api.generated import (
    common_pb2,
    computeplan_pb2,
    computetask_pb2,
    datamanager_pb2,
    datasample_pb2,
    event_pb2,
    function_pb2,
)
from podium.client import ClientConfig, OrchestratorClient, RetrySettings
from tests.agent.functions import tar_project, write_project
from tests.api.certs import Issued, issue, make_ca

CHANNEL = "mychannel"
PODIUM = [sys.executable, "-c", "from podium.cli.main import main; main()"]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.2) -> T:
    """Poll ``predicate`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    """SIGTERM, then SIGKILL after ``timeout``; return the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait(timeout=timeout)


def leaf(ca: Issued, organization: str) -> Issued:
    """A certificate for both ends of TLS: O=<org>, SAN 127.0.0.1, server and client auth."""
    return issue(ca, organization, organizations=(organization,), server=True, client=True)


@dataclass
class Pki:
    directory: Path
    ca: Issued = field(default_factory=lambda: make_ca("podium test CA"))

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ca_file = self.directory / "ca.pem"
        self.ca_file.write_bytes(self.ca.cert_pem)

    def files(self, organization: str) -> tuple[Path, Path]:
        return leaf(self.ca, organization).write(self.directory, organization)


class Orchestrator:
    """``podium serve`` on SQLite; ``tls`` gives (cert, key, client CA dir) for mTLS."""

    def __init__(
        self, directory: Path, *, pki: Pki | None = None, organizations: tuple[str, ...] = ()
    ) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.database = directory / "orchestrator.db"
        self.port = free_port()
        self.pki = pki
        env = {
            **os.environ,
            "PODIUM_DATABASE_URL": f"sqlite:///{self.database}",
            "PODIUM_LISTEN": f"127.0.0.1:{self.port}",
            "PODIUM_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
            "PODIUM_SHUTDOWN_GRACE_SECONDS": "1",
        }
        if pki is None:
            env["PODIUM_INSECURE"] = "true"
        else:
            cert, key = pki.files("orchestrator")
            ca_dir = directory / "client-cas"
            for organization in organizations:
                (ca_dir / organization).mkdir(parents=True, exist_ok=True)
                (ca_dir / organization / "ca.pem").write_bytes(pki.ca.cert_pem)
            env.update(
                PODIUM_TLS_CERT=str(cert),
                PODIUM_TLS_KEY=str(key),
                PODIUM_MTLS="true",
                PODIUM_TLS_SERVER_CA=str(pki.ca_file),
                PODIUM_TLS_CLIENT_CA_DIR=str(ca_dir),
                PODIUM_VERIFY_CLIENT_MSP_ID="true",
            )
        self.log = (directory / "serve.log").open("wb")
        subprocess.run([*PODIUM, "migrate"], env=env, check=False, capture_output=True, timeout=60)
        self.process = subprocess.Popen(
            [*PODIUM, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


class Org:
    """One organization: its home, its environment, its agent and worker processes, an SDK-like client."""

    def __init__(
        self, name: str, root: Path, orchestrator: Orchestrator, pki: Pki, broker_url: str = ""
    ) -> None:
        self.name = name
        self.home = root / name
        self.home.mkdir(parents=True, exist_ok=True)
        self.asset_port = free_port()
        cert, key = pki.files(name)
        self.env = {
            **os.environ,
            "PODIUM_ORGANIZATION": name,
            "PODIUM_HOME": str(self.home),
            "PODIUM_ORCHESTRATOR_TARGET": orchestrator.target,
            "PODIUM_TLS_CA": str(pki.ca_file),
            "PODIUM_TLS_CERT": str(cert),
            "PODIUM_TLS_KEY": str(key),
            "PODIUM_ASSET_LISTEN": f"127.0.0.1:{self.asset_port}",
            "PODIUM_BROKER_URL": broker_url,
            "PODIUM_CHANNEL": CHANNEL,
        }
        secure = orchestrator.pki is not None
        if not secure:
            self.env["PODIUM_ORCHESTRATOR_INSECURE"] = "true"
        self.storage = LocalStorage(self.home / "storage")
        retry = RetrySettings(max_attempts=3, total_timeout=20)
        config = (
            ClientConfig(
                orchestrator.target,
                name,
                CHANNEL,
                ca_cert=pki.ca_file,
                client_cert=cert,
                client_key=key,
                retry=retry,
            )
            if secure
            else ClientConfig(orchestrator.target, name, CHANNEL, insecure=True, retry=retry)
        )
        self.client = OrchestratorClient(config)
        self.agent: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self._logs: list[Any] = []

    @property
    def asset_url(self) -> str:
        return f"https://127.0.0.1:{self.asset_port}"

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen[bytes]:
        log = (self.home / log_name).open("ab")
        self._logs.append(log)
        return subprocess.Popen([*PODIUM, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_agent(self) -> subprocess.Popen[bytes]:
        self.agent = self._spawn(["agent"], "agent.log")
        return self.agent

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = self._spawn(["worker"], "worker.log")
        self.workers.append(worker)
        return worker

    def agent_log(self) -> str:
        return (self.home / "agent.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in [*self.workers, *([self.agent] if self.agent else [])]:
            stop_process(process)
        self.client.close()
        for log in self._logs:
            log.close()

    # --- what an SDK would do

    def register_function(
        self, source: str, entrypoint: str, inputs: dict[str, Any], outputs: dict[str, Any], *, work: Path
    ) -> str:
        key = str(uuid.uuid4())
        module = f"m{key[:8]}"
        project = write_project(work / f"fn-{key}", source, f"{module}:{entrypoint}", module=module)
        stored = self.storage.write_file(FileKind.FUNCTION, key, tar_project(project, work / f"{key}.tar.gz"))
        address = common_pb2.Addressable(
            checksum=stored.sha256, storage_address=f"{self.asset_url}/functions/{key}"
        )
        self.client.register_function(
            function_pb2.NewFunction(
                key=key,
                name=entrypoint,
                description=address,
                archive=address,
                new_permissions=common_pb2.NewPermissions(public=True),
                inputs=inputs,
                outputs=outputs,
            )
        )
        return key

    def register_dataset(
        self, opener_source: str, values: list[float], *, work: Path, authorized: list[str]
    ) -> tuple[str, list[str]]:
        manager = str(uuid.uuid4())
        project = write_project(
            work / f"op-{manager}", opener_source, "open_samples:open_samples", module="open_samples"
        )
        stored = self.storage.write_file(
            FileKind.OPENER, manager, tar_project(project, work / f"{manager}.tar.gz")
        )
        address = common_pb2.Addressable(
            checksum=stored.sha256, storage_address=f"{self.asset_url}/openers/{manager}"
        )
        permissions = common_pb2.NewPermissions(public=False, authorized_ids=authorized)
        self.client.register_data_manager(
            datamanager_pb2.NewDataManager(
                key=manager,
                name=f"data of {self.name}",
                opener=address,
                description=address,
                new_permissions=permissions,
                logs_permission=permissions,
                type="json",
            )
        )
        samples = []
        for value in values:
            sample = str(uuid.uuid4())
            directory = self.home / "datasamples" / sample
            directory.mkdir(parents=True)
            (directory / "value.json").write_text(json.dumps(value))
            samples.append(sample)
        self.client.register_data_samples(
            [
                datasample_pb2.NewDataSample(key=s, data_manager_keys=[manager], checksum="c" * 64)
                for s in samples
            ]
        )
        return manager, samples

    def register_plan(self, tasks: list[dict[str, Any]]) -> str:
        plan = str(uuid.uuid4())
        self.client.register_plan(computeplan_pb2.NewComputePlan(key=plan, name="e2e"))
        new = []
        for task in tasks:
            message = computetask_pb2.NewComputeTask()
            json_format.ParseDict({**task, "compute_plan_key": plan}, message)
            new.append(message)
        self.client.register_tasks(new)
        return plan


def status(org: Org, task_key: str) -> str:
    return computetask_pb2.ComputeTaskStatus.Name(org.client.get_task(task_key).status)


def task_transitions(org: Org, task_key: str) -> list[str]:
    """The statuses task ``task_key`` went through, from its events, in order."""
    found = org.client.query_events(
        query_filter=event_pb2.EventQueryFilter(asset_key=task_key, asset_kind=common_pb2.ASSET_COMPUTE_TASK)
    )
    return [computetask_pb2.ComputeTaskStatus.Name(event.compute_task.status) for event in found]
