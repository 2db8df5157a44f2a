"""Run a rendered container on this machine the way the kubelet would: its arguments after the image's
ENTRYPOINT (``podium``), its environment (secret references resolved from given secrets), and its
volumes materialized in a directory (ConfigMaps from the rendered documents, Secrets, projected
secrets, emptyDirs), with every environment value that names a mount path rewritten to the local copy.

Only the listen addresses differ from the cluster: servers here bind loopback on free ports.
"""

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PODIUM = ROOT / ".venv" / "bin" / "podium"
IMAGE_ENV = {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
"""The ENV lines of the Dockerfile's runtime stage (PATH aside)."""

Secrets = dict[str, dict[str, bytes]]
"""The cluster's secrets this container refers to: name -> key -> content."""


@dataclass(frozen=True)
class LocalContainer:
    """A container ready to start: ``argv``, ``env`` and working directory ``cwd``."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _configmaps(documents: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {d["metadata"]["name"]: d.get("data", {}) for d in documents if d["kind"] == "ConfigMap"}


def _write_items(directory: Path, data: dict[str, bytes], items: list[dict[str, str]] | None) -> None:
    pairs = [(item["key"], item["path"]) for item in items] if items else [(key, key) for key in data]
    for key, path in pairs:
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data[key])


def _materialize(
    volume: dict[str, Any], directory: Path, documents: list[dict[str, Any]], secrets: Secrets
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if "configMap" in volume:
        data = {k: v.encode() for k, v in _configmaps(documents)[volume["configMap"]["name"]].items()}
        _write_items(directory, data, volume["configMap"].get("items"))
    elif "secret" in volume:
        _write_items(directory, secrets[volume["secret"]["secretName"]], volume["secret"].get("items"))
    elif "projected" in volume:
        for source in volume["projected"]["sources"]:
            _write_items(directory, secrets[source["secret"]["name"]], source["secret"].get("items"))
    elif "emptyDir" not in volume:
        raise AssertionError(f"volume kind not supported here: {volume}")


def prepare(
    workload: dict[str, Any],
    container: dict[str, Any],
    documents: list[dict[str, Any]],
    *,
    secrets: Secrets,
    scratch: Path,
    overrides: dict[str, str] | None = None,
) -> LocalContainer:
    """Materialize ``container`` of ``workload`` under ``scratch``; ``overrides`` replace env values."""
    volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"].get("volumes", [])}
    mounts: dict[str, str] = {}
    for mount in container.get("volumeMounts", []):
        local = scratch / "volumes" / mount["name"]
        _materialize(volumes[mount["name"]], local, documents, secrets)
        mounts[mount["mountPath"]] = str(local)
    env = {"PATH": f"{PODIUM.parent}{os.pathsep}/usr/bin{os.pathsep}/bin", **IMAGE_ENV}
    for item in container.get("env", []):
        if "value" in item:
            value = str(item["value"])
            for mount_path, local in mounts.items():
                if value == mount_path or value.startswith(mount_path + "/"):
                    value = local + value.removeprefix(mount_path)
            env[item["name"]] = value
        else:
            reference = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets[reference["name"]][reference["key"]].decode()
    env.update(overrides or {})
    cwd = scratch / "workdir"
    cwd.mkdir(parents=True, exist_ok=True)
    return LocalContainer([str(PODIUM), *container.get("args", [])], env, cwd)
