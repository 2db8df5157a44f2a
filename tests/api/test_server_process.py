"""``podium serve`` as a real process: starts, answers, reloads channels on SIGHUP, and exits with 0 on
SIGTERM even while a stream is open."""

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import podium
from podium.api.generated import info_pb2, info_pb2_grpc
from tests.api.conftest import HEADERS, ORG2

START_SECONDS = 30


class ServeProcess:
    """A ``podium serve`` child whose JSON log lines are collected by a reader thread."""

    def __init__(self, tmp_path: Path, channels_file: Path, extra_env: dict[str, str] | None = None) -> None:
        env = {
            **os.environ,
            "PODIUM_LISTEN": "127.0.0.1:0",
            "PODIUM_HTTP_LISTEN": "127.0.0.1:0",
            "PODIUM_INSECURE": "true",
            "PODIUM_CHANNEL_CONFIG": str(channels_file),
            "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path}/var/podium.db",
            "PODIUM_SHUTDOWN_GRACE_SECONDS": "1",
            **(extra_env or {}),
        }
        command = [sys.executable, "-c", "from podium.cli.main import main; main()", "serve"]
        self.process = subprocess.Popen(
            command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        self.lines: queue.Queue[dict[str, object]] = queue.Queue()
        self.seen: list[dict[str, object]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = int(str(self.wait_for("serving on")["message"]).rsplit(":", 1)[1].split()[0])

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def close(self) -> None:
        """Kill the child and its workers (its own session) if still running; release the pipe."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        assert self.process.stderr is not None
        self.process.stderr.close()

    def wait_for(self, text: str) -> dict[str, object]:
        """The first log line containing ``text``; fails after ``START_SECONDS``."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if text in str(line.get("message")):
                return line
        raise AssertionError(f"no log line with {text!r}; exit code {self.process.poll()}; seen {self.seen}")


@pytest.fixture
def serve(tmp_path: Path, channels_file: Path) -> Iterator[ServeProcess]:
    child = ServeProcess(tmp_path, channels_file)
    yield child
    child.close()


def test_serves_health_and_version_then_exits_cleanly_with_an_open_stream(serve: ServeProcess) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{serve.port}") as opened:
        health = health_pb2_grpc.HealthStub(opened)
        request = health_pb2.HealthCheckRequest(service="")
        assert health.Check(request, timeout=10).status == health_pb2.HealthCheckResponse.SERVING
        version = info_pb2_grpc.InfoServiceStub(opened).QueryVersion(
            info_pb2.QueryVersionParam(), metadata=HEADERS, timeout=10
        )
        assert version.orchestrator == podium.__version__
        watch = health.Watch(request, timeout=30)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        serve.process.send_signal(signal.SIGTERM)
        assert serve.process.wait(timeout=30) == 0
        with pytest.raises(grpc.RpcError) as cut:  # the stream is cut once the grace period is over
            list(watch)
        assert cut.value.code() in {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED}
    assert serve.wait_for("stopped")


def test_sighup_reloads_the_channel_configuration(serve: ServeProcess, channels_file: Path) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{serve.port}") as opened:
        stub = info_pb2_grpc.InfoServiceStub(opened)
        stub.QueryVersion(info_pb2.QueryVersionParam(), metadata=HEADERS, timeout=10)
        channels_file.write_text(f"channels:\n  mychannel: [{ORG2}]\n")
        serve.process.send_signal(signal.SIGHUP)
        serve.wait_for("channel configuration reloaded")
        with pytest.raises(grpc.RpcError) as raised:
            stub.QueryVersion(info_pb2.QueryVersionParam(), metadata=HEADERS, timeout=10)
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_refuses_to_start_without_transport_choice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    result = subprocess.run(
        [sys.executable, "-c", "from podium.cli.main import main; main()", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "PODIUM_INSECURE" in result.stderr


def test_several_processes_share_the_port_and_stop_together(tmp_path: Path, channels_file: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"PODIUM_LISTEN": f"127.0.0.1:{port}", "PODIUM_PROCESSES": "2", "PODIUM_HTTP_LISTEN": "off"}
    child = ServeProcess(tmp_path, channels_file, env)
    try:
        child.wait_for("serving on")  # the second worker
        with grpc.insecure_channel(f"127.0.0.1:{port}") as opened:
            health = health_pb2_grpc.HealthStub(opened)
            answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        child.process.send_signal(signal.SIGTERM)
        assert child.process.wait(timeout=30) == 0
    finally:
        child.close()
