"""Small function projects written by the tests: a trainer, a scorer, failing and slow functions."""

import tarfile
import textwrap
from pathlib import Path

TRAIN = """
import json

def train(inputs, outputs, context):
    start = 0.0
    if "model" in inputs:
        start = json.loads(inputs.path("model").read_text())["weight"]
    samples = inputs["datasamples"] if "datasamples" in inputs else []
    model = {"weight": start + len(samples), "samples": samples, "task": context.task_key}
    outputs["model"].write_text(json.dumps(model))
    outputs.write_performance("performance", 0.75)
    print("trained on", len(samples), "samples")
"""

OPENER = """
def open_samples(sample_dirs):
    return sorted(path.name for path in sample_dirs)
"""

RAISES = """
def main(inputs, outputs, context):
    print("about to fail")
    raise RuntimeError("the function is broken")
"""

SLEEPS = """
import os, subprocess, sys, time

def main(inputs, outputs, context):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    (context.workdir / "pids").write_text(f"{os.getpid()} {child.pid}")
    print("sleeping", flush=True)
    time.sleep(600)
"""


def write_project(
    root: Path, source: str, entrypoint: str, *, module: str = "main", requirements: str | None = None
) -> Path:
    """Write a project directory with ``<module>.py`` and a manifest; return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    manifest = f'entrypoint = "{entrypoint}"\npython = ">=3.11"\n'
    if requirements is not None:
        (root / "requirements.txt").write_text(requirements, encoding="utf-8")
        manifest += 'requirements = "requirements.txt"\n'
    (root / "podium.toml").write_text(manifest, encoding="utf-8")
    return root


def tar_project(project: Path, archive: Path) -> Path:
    """Archive ``project`` as ``archive`` (.tar.gz) with the project directory as the single root."""
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(project, arcname=project.name)
    return archive
