"""Building a function: unpack its project and create its virtual environment, once.

Layout of ``env_dir`` after a successful build::

    env_dir/bin/python ...      a venv created with --system-site-packages
    env_dir/function/           the unpacked project (``BuildResult.function_dir``)
    env_dir/build.log           what the build did and printed
    env_dir/.podium-built.json  the marker: present only after a complete build

The venv sees the worker's packages (podium itself included, see ``_bridge_worker_site``) and the
project's requirements are installed on top of them. A build is idempotent: with the marker present it
returns at once. Builds of the same ``env_dir`` are serialized by an exclusive lock on a sibling file.
"""

import fcntl
import hashlib
import json
import os
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import time
import venv
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from podium.agent.runtime.archive import UnsafeArchive, unpack_archive
from podium.agent.runtime.manifest import InvalidManifest, Manifest, load_manifest

MARKER_NAME: Final = ".podium-built.json"
LOG_NAME: Final = "build.log"
FUNCTION_DIR_NAME: Final = "function"
_LOCK_POLL_SECONDS: Final = 0.1


@dataclass(frozen=True)
class BuildResult:
    """The outcome of a build.

    Attributes:
        ok: whether the environment is ready to run tasks.
        env_dir: the venv (``env_dir/bin/python``); pass it to ``run_task``.
        function_dir: the unpacked project; pass it to ``run_task``.
        manifest: the project's manifest, ``None`` when it could not be read.
        log: the build log (pip output included); the failure report to register when not ``ok``.
        reused: the environment was already built, nothing was done.
    """

    ok: bool
    env_dir: Path
    function_dir: Path
    manifest: Manifest | None
    log: str
    reused: bool = False

    @property
    def python(self) -> Path:
        return self.env_dir / "bin" / "python"


class _BuildFailed(Exception):
    pass


def build_environment(archive_path: Path, env_dir: Path, *, timeout: float) -> BuildResult:
    """Build the environment of the function in ``archive_path`` (a directory or an archive) at ``env_dir``.

    Args:
        archive_path: the project directory, ``.tar.gz`` or ``.zip``.
        env_dir: where to build; removed and rebuilt when it holds an incomplete build.
        timeout: seconds for the whole build, waiting for a concurrent build of ``env_dir`` included.

    Returns:
        ``ok`` with the environment, or not ``ok`` with the log saying why (unsafe archive, invalid
        manifest, pip failure or timeout, podium not importable in the environment). Never raises for a
        problem of the project itself.

    Raises:
        TimeoutError: a concurrent build of the same ``env_dir`` held the lock past ``timeout``.
    """
    deadline = time.monotonic() + timeout
    env_dir = env_dir.absolute()
    env_dir.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(env_dir.with_name(env_dir.name + ".lock"), deadline):
        source_digest = _digest(archive_path)
        reused = _reuse(env_dir, source_digest)
        if reused is not None:
            return reused
        shutil.rmtree(env_dir, ignore_errors=True)
        env_dir.mkdir()
        log: list[str] = []
        manifest: Manifest | None = None
        try:
            manifest, ok = _build(archive_path, env_dir, deadline, log), True
        except _BuildFailed as failure:
            log.append(f"BUILD FAILED: {failure}")
            manifest, ok = _manifest_or_none(env_dir / FUNCTION_DIR_NAME), False
        text = "\n".join(log) + "\n"
        (env_dir / LOG_NAME).write_text(text, encoding="utf-8")
        if ok:
            _write_atomically(env_dir / MARKER_NAME, json.dumps({"source_sha256": source_digest}))
        return BuildResult(ok, env_dir, env_dir / FUNCTION_DIR_NAME, manifest, text)


def _build(archive_path: Path, env_dir: Path, deadline: float, log: list[str]) -> Manifest:
    function_dir = env_dir / FUNCTION_DIR_NAME
    try:
        unpack_archive(archive_path, function_dir)
        log.append(f"unpacked {archive_path.name}")
        manifest = load_manifest(function_dir)
    except (UnsafeArchive, InvalidManifest) as error:
        raise _BuildFailed(str(error)) from error
    log.append(f"entrypoint {manifest.entrypoint}")
    venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True).create(env_dir)
    _bridge_worker_site(env_dir)
    log.append(f"created the environment with {sys.version.split()[0]} and the worker's packages")
    python = str(env_dir / "bin" / "python")
    if manifest.requirements is not None and _has_requirements(function_dir / manifest.requirements):
        if not _run_logged([python, "-c", "import pip"], function_dir, deadline, log, quiet=True):
            _run_logged([python, "-m", "ensurepip", "--default-pip"], function_dir, deadline, log)
        pip = [python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check"]
        if not _run_logged([*pip, "-r", manifest.requirements], function_dir, deadline, log):
            raise _BuildFailed("pip could not install the requirements")
    else:
        log.append("no requirements to install")
    check = [python, "-c", "import podium.agent.runtime.runner"]
    if not _run_logged(check, function_dir, deadline, log):
        raise _BuildFailed("podium is not importable in the environment")
    log.append("BUILD OK")
    return manifest


def _manifest_or_none(project: Path) -> Manifest | None:
    try:
        return load_manifest(project)
    except InvalidManifest:
        return None


def _reuse(env_dir: Path, source_digest: str) -> BuildResult | None:
    marker = env_dir / MARKER_NAME
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        manifest = load_manifest(env_dir / FUNCTION_DIR_NAME)
    except (OSError, ValueError):
        return None
    if recorded.get("source_sha256") != source_digest:
        return None
    log = (env_dir / LOG_NAME).read_text(encoding="utf-8") if (env_dir / LOG_NAME).exists() else ""
    return BuildResult(True, env_dir, env_dir / FUNCTION_DIR_NAME, manifest, log, reused=True)


def _bridge_worker_site(env_dir: Path) -> None:
    """Make the worker's own packages (podium included) visible in the new venv, after its own.

    ``--system-site-packages`` exposes the *base* interpreter's packages; when the worker itself runs in
    a venv (the usual case) its packages live elsewhere. ``site.addsitedir`` in a ``.pth`` file adds them
    with their own ``.pth`` files processed (editable installs), after the new venv's site-packages, so
    the project's requirements take precedence.
    """
    import podium

    directories = [*site.getsitepackages(), str(Path(podium.__file__).resolve().parents[1])]
    lines = [f"import site; site.addsitedir({directory!r})" for directory in dict.fromkeys(directories)]
    purelib = sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    Path(purelib).mkdir(parents=True, exist_ok=True)
    (Path(purelib) / "_podium_worker_site.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _has_requirements(path: Path) -> bool:
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return True
    return False


def _run_logged(
    command: list[str], cwd: Path, deadline: float, log: list[str], *, quiet: bool = False
) -> bool:
    """Run ``command`` in its own process group until ``deadline``; append its output to ``log``."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _BuildFailed("build timed out")
    if not quiet:
        log.append("$ " + " ".join(command))
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
        errors="replace",
    )
    try:
        output, _ = process.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        output, _ = process.communicate()
        log.append(output)
        raise _BuildFailed(f"build timed out while running {command[2:4]}") from None
    finally:
        _kill_group(process.pid)  # whatever the command left running in its group
    if not quiet:
        log.append(output.rstrip())
    return process.returncode == 0


def _kill_group(pgid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _digest(path: Path) -> str:
    if path.is_dir():
        return ""  # a directory is a development convenience: the marker alone decides
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)


@contextmanager
def _exclusive(lock_path: Path, deadline: float) -> Iterator[None]:
    with lock_path.open("a") as lock_file:
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"another build of {lock_path.stem} is still running") from None
                time.sleep(_LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
