"""Rendering the Helm charts for the deployment tests: where they are, which value sets CI checks, and
small readers of the rendered manifests (containers, environment, volumes)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ROOT / "charts"
ORCHESTRATOR = CHARTS / "podium-orchestrator"
ORGANIZATION = CHARTS / "podium-organization"
HELM = ROOT / ".tools" / "bin" / "helm"
FETCH_HELM = ROOT / "scripts" / "fetch_helm.py"

KUBERNETES_VERSION = "1.35.0"
"""A version whose schemas kubernetes-validate ships; the fetched helm is built against 1.35 too."""

CUSTOM_RESOURCES = {
    ("cert-manager.io/v1", "Certificate"): ("secretName", "issuerRef", "dnsNames"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): ("selector", "endpoints"),
}
"""Kinds without a schema in kubernetes-validate, with the spec fields the tests require instead."""


@dataclass(frozen=True)
class ValueSet:
    """One ``charts/<chart>/ci/<name>-values.yaml`` file: a configuration CI renders and validates."""

    chart: Path
    path: Path

    @property
    def name(self) -> str:
        return f"{self.chart.name}:{self.path.name.removesuffix('-values.yaml')}"


def value_sets(chart: Path | None = None) -> list[ValueSet]:
    """Every value set of ``chart`` (all charts when ``None``), sorted by name."""
    charts = [chart] if chart else [ORCHESTRATOR, ORGANIZATION]
    return [ValueSet(c, p) for c in charts for p in sorted((c / "ci").glob("*-values.yaml"))]


def ensure_helm() -> Path | None:
    """A runnable helm (fetched by scripts/fetch_helm.py when missing), or ``None`` when it cannot be had."""
    done = subprocess.run(
        [sys.executable, str(FETCH_HELM)], capture_output=True, text=True, timeout=900, check=False
    )
    return HELM if done.returncode == 0 else None


def helm_run(helm: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run helm with an isolated home (no repositories or plugins of the machine's user)."""
    env = {
        **os.environ,
        "HELM_CACHE_HOME": "/tmp/podium-helm/cache",
        "HELM_CONFIG_HOME": "/tmp/podium-helm/config",
    }
    env["HELM_DATA_HOME"] = "/tmp/podium-helm/data"
    return subprocess.run(
        [str(helm), *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


def render(
    helm: Path, chart: Path, *value_files: Path, sets: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """``helm template`` -> the rendered documents (hooks included); ``sets`` are ``--set`` pairs."""
    args = ["template", "podium", str(chart), "--namespace", "podium"]
    for path in value_files:
        args += ["--values", str(path)]
    for key, value in (sets or {}).items():
        args += ["--set", f"{key}={value}"]
    done = helm_run(helm, *args)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def find(documents: list[dict[str, Any]], kind: str, name_suffix: str = "") -> dict[str, Any]:
    """The single document of ``kind`` whose name ends with ``name_suffix``."""
    found = [d for d in documents if d["kind"] == kind and d["metadata"]["name"].endswith(name_suffix)]
    assert len(found) == 1, (
        f"expected one {kind} *{name_suffix}, found {[d['metadata']['name'] for d in found]}"
    )
    return found[0]


def pod_spec(document: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a Deployment, StatefulSet or Job."""
    spec: dict[str, Any] = document["spec"]["template"]["spec"]
    return spec


def containers(documents: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(workload, container)`` for every container of every workload."""
    for document in documents:
        if document["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet"}:
            for container in pod_spec(document)["containers"] + pod_spec(document).get("initContainers", []):
                yield document, container


def podium_container(
    documents: list[dict[str, Any]], subcommand: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The single workload container whose arguments start with ``subcommand`` (``serve``, ``migrate``…)."""
    found = [(w, c) for w, c in containers(documents) if c.get("args", [])[:1] == [subcommand]]
    assert len(found) == 1, f"expected one container running `podium {subcommand}`, found {len(found)}"
    return found[0]


def env_names(container: dict[str, Any]) -> list[str]:
    """Names of the container's environment variables, in order."""
    return [item["name"] for item in container.get("env", [])]
