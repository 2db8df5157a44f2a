"""``podium demo`` as a user runs it: a small network of real processes runs a FedAvg plan to the end;
with ``--inject-failure`` the plan fails and the CLI shows the failure report's logs."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podium.cli.main import app

DEMO = [sys.executable, "-m", "podium", "demo", "--orgs", "2", "--rounds", "2", "--no-dashboard"]
DEMO += ["--timeout", "240"]
WIDE = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}


def run_demo(workdir: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DEMO, "--workdir", str(workdir), *flags],
        env=WIDE,
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )


def processes_under(workdir: Path) -> list[int]:
    """Pids of the processes of this demo: their command lines are ``python -m podium …``, so they are
    recognized by their environment, which names the demo's folder."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if str(workdir).encode() in environ and int(entry.name) != os.getpid():
            pids.append(int(entry.name))
    return pids


def stop_everything_under(workdir: Path) -> None:
    """Whatever happened, leave no process of this demo behind."""
    for pid in processes_under(workdir):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while processes_under(workdir) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in processes_under(workdir):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_demo_trains_across_organizations_and_stops_everything(tmp_path: Path) -> None:
    try:
        finished = run_demo(tmp_path / "demo")
        assert finished.returncode == 0, finished.stdout + finished.stderr
        out = finished.stdout
        assert "the plan ended done" in out
        rows = re.findall(
            r"│\s+(\d)\s+│\s+(\d\.\d{3})\s+│\s+(\d\.\d{3})\s+│\s+(\d\.\d{3})\s+│\s+(\d\.\d{3})\s+│", out
        )
        assert [row[0] for row in rows] == ["1", "2"]
        federated, central = float(rows[-1][3]), float(rows[-1][4])
        assert federated > 0.8
        assert abs(federated - central) < 0.1
        assert "podium verify: OK" in out
        assert processes_under(tmp_path / "demo") == []
    finally:
        stop_everything_under(tmp_path / "demo")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_an_injected_failure_fails_the_plan_and_the_cli_shows_its_logs(tmp_path: Path) -> None:
    try:
        finished = run_demo(tmp_path / "demo", "--inject-failure", "--keep")
        assert re.search(r"Stop it with: kill [\d ]+", finished.stdout), finished.stdout + finished.stderr
        assert finished.returncode == 0, finished.stdout + finished.stderr
        assert "the plan ended failed" in finished.stdout
        assert "injected failure" in finished.stdout
        assert f"source {tmp_path / 'demo' / 'cli.env'}" in finished.stdout.replace("\n", "")
        lines = (tmp_path / "demo" / "cli.env").read_text().splitlines()
        env = dict(line.removeprefix("export ").split("=", 1) for line in lines)
        plan_key = re.findall(r"podium plan show (\S+)", finished.stdout)[0]
        runner = CliRunner()
        shown = runner.invoke(app, ["plan", "show", plan_key, "--json"], env=env)
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.output)["status"]["state"] == "failed"
        listed = runner.invoke(app, ["task", "list", plan_key, "--json"], env=env)
        tasks = json.loads(listed.output)
        failed = [task for task in tasks if task["status"] == "STATUS_FAILED"]
        assert len(failed) == 1
        assert any(task["status"] == "STATUS_CANCELED" for task in tasks)
        logs = runner.invoke(app, ["task", "logs", failed[0]["key"]], env=env)
        assert logs.exit_code == 0, logs.output
        assert "injected failure" in logs.output
    finally:
        stop_everything_under(tmp_path / "demo")
