"""The container image's recipe, checked without a docker engine: the Dockerfile's facts the charts rely
on, and its build steps (wheel, then a fresh virtual environment with the runtime dependencies pinned by
requirements.lock) replayed here, ending with the image's entry point answering."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.charts import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_the_runtime_stage_runs_podium_as_uid_1001() -> None:
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert re.search(r"^FROM python:3\.11-slim AS build$", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^USER 1001:1001$", runtime, re.MULTILINE)
    assert re.search(r'^ENTRYPOINT \["podium"\]$', runtime, re.MULTILINE)
    assert "--constraint requirements.lock" in DOCKERFILE


def test_the_build_context_keeps_what_the_dockerfile_copies() -> None:
    kept = {line.removeprefix("!").rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    copied = set()
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            copied.update(part.rstrip("/") for part in line.split()[1:-1])
    assert copied == {"pyproject.toml", "requirements.lock", "README.md", "src"}
    assert copied <= kept


@pytest.mark.slow
def test_the_image_build_steps_give_a_working_podium(tmp_path: Path) -> None:
    wheels, venv = tmp_path / "wheels", tmp_path / "opt-podium"
    steps = [
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)],
        [sys.executable, "-m", "venv", str(venv)],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
    (wheel,) = wheels.glob("podium-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert any(name.startswith("podium/store/migrations/versions/") for name in names)
    install = [
        str(venv / "bin" / "pip"),
        "install",
        "--quiet",
        "--constraint",
        str(ROOT / "requirements.lock"),
    ]
    done = subprocess.run([*install, str(wheel)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    podium, python = str(venv / "bin" / "podium"), str(venv / "bin" / "python")
    commands = (
        [podium, "serve", "--help"],
        [podium, "migrate", "--help"],
        # The server's modules load lazily (after a fork): import them, so that a runtime dependency
        # left in the dev extras fails here rather than in the cluster.
        [python, "-c", "import podium.api.server, podium.store"],
    )
    for command in commands:
        answer = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert answer.returncode == 0, answer.stderr
