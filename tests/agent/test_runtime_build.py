"""Building function environments: real venvs from temp projects, unsafe archives refused."""

import io
import json
import subprocess
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from podium.agent.runtime import (
    InvalidManifest,
    UnsafeArchive,
    build_environment,
    load_manifest,
    unpack_archive,
)
from podium.agent.runtime.build import MARKER_NAME
from podium.agent.runtime.manifest import check_python
from tests.agent.functions import TRAIN, tar_project, write_project


def test_build_without_requirements_makes_a_venv_that_sees_podium(tmp_path: Path) -> None:
    archive = tar_project(write_project(tmp_path / "train", TRAIN, "main:train"), tmp_path / "f.tar.gz")

    result = build_environment(archive, tmp_path / "env", timeout=120)

    assert result.ok, result.log
    assert result.manifest is not None
    assert result.manifest.entrypoint == "main:train"
    assert (result.function_dir / "main.py").is_file()
    assert "no requirements to install" in result.log
    probe = subprocess.run(
        [result.python, "-c", "import sys, podium; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()) == result.env_dir


def test_build_with_an_empty_requirements_file_skips_pip(tmp_path: Path) -> None:
    project = write_project(tmp_path / "train", TRAIN, "main:train", requirements="# none\n\n")

    result = build_environment(project, tmp_path / "env", timeout=120)

    assert result.ok, result.log
    assert "pip" not in result.log.replace("podium", "")


def test_a_second_build_is_a_no_op(tmp_path: Path) -> None:
    archive = tar_project(write_project(tmp_path / "train", TRAIN, "main:train"), tmp_path / "f.tar.gz")
    first = build_environment(archive, tmp_path / "env", timeout=120)
    marker = (tmp_path / "env" / MARKER_NAME).stat().st_mtime_ns

    second = build_environment(archive, tmp_path / "env", timeout=120)

    assert first.ok
    assert not first.reused
    assert second.ok
    assert second.reused
    assert (tmp_path / "env" / MARKER_NAME).stat().st_mtime_ns == marker


def test_concurrent_builds_of_one_function_build_once(tmp_path: Path) -> None:
    archive = tar_project(write_project(tmp_path / "train", TRAIN, "main:train"), tmp_path / "f.tar.gz")
    results = []

    def build() -> None:
        results.append(build_environment(archive, tmp_path / "env", timeout=120))

    threads = [threading.Thread(target=build) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == 3
    assert all(result.ok for result in results)
    assert sorted(result.reused for result in results) == [False, True, True]


def test_an_interrupted_build_is_redone(tmp_path: Path) -> None:
    project = write_project(tmp_path / "train", TRAIN, "main:train")
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "leftover").write_text("from a crashed build")

    result = build_environment(project, tmp_path / "env", timeout=120)

    assert result.ok
    assert not result.reused
    assert not (tmp_path / "env" / "leftover").exists()


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "podium.toml not found"),
        ("entrypoint = 3\n", '"entrypoint" is required'),
        ('entrypoint = "main"\n', 'is not "module:callable"'),
        ('entrypoint = "main:f"\nentry_point = "x"\n', "unknown keys ['entry_point']"),
        (
            'entrypoint = "main:f"\nrequirements = "missing.txt"\n',
            "requirements file 'missing.txt' not found",
        ),
        ('entrypoint = "main:f"\nrequirements = "../x.txt"\n', "outside the project"),
        ('entrypoint = "main:f"\npython = ">=99"\n', "is not satisfied"),
        ("entrypoint = [\n", "not valid TOML"),
    ],
)
def test_an_invalid_manifest_fails_the_build_with_a_clear_log(
    tmp_path: Path, manifest: str | None, message: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.py").write_text("def f(inputs, outputs, context): pass\n")
    if manifest is not None:
        (project / "podium.toml").write_text(manifest)

    result = build_environment(project, tmp_path / "env", timeout=60)

    assert not result.ok
    assert "BUILD FAILED" in result.log
    assert message in result.log
    assert not (tmp_path / "env" / MARKER_NAME).exists()


@pytest.mark.parametrize(
    ("specifier", "ok"),
    [(">=3.11", True), (">=3.11,<4", True), ("==3.11", True), ("<3.11", False), ("!=3.11.7", False)],
)
def test_python_specifiers(specifier: str, ok: bool) -> None:
    if ok:
        check_python(specifier, (3, 11, 7))
    else:
        with pytest.raises(InvalidManifest):
            check_python(specifier, (3, 11, 7))


def _tar_with(archive: Path, member: tarfile.TarInfo, data: bytes = b"x") -> Path:
    with tarfile.open(archive, "w:gz") as tar:
        manifest = b'entrypoint = "main:f"\n'
        info = tarfile.TarInfo("podium.toml")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        member.size = len(data) if member.isfile() else 0
        tar.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return archive


@pytest.mark.parametrize("name", ["../escape.py", "/tmp/absolute.py", "a/../../escape.py"])
def test_tar_members_escaping_the_destination_are_refused(tmp_path: Path, name: str) -> None:
    archive = _tar_with(tmp_path / "evil.tar.gz", tarfile.TarInfo(name))

    with pytest.raises(UnsafeArchive, match="escapes the destination"):
        unpack_archive(archive, tmp_path / "out")

    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escape.py").exists()
    result = build_environment(archive, tmp_path / "env", timeout=60)
    assert not result.ok
    assert "escapes the destination" in result.log


def test_tar_symlinks_are_refused(tmp_path: Path) -> None:
    link = tarfile.TarInfo("link")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc"

    with pytest.raises(UnsafeArchive, match="link"):
        unpack_archive(_tar_with(tmp_path / "evil.tar.gz", link), tmp_path / "out")


def test_zip_members_escaping_the_destination_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("podium.toml", 'entrypoint = "main:f"\n')
        zipped.writestr("../escape.py", "x")

    with pytest.raises(UnsafeArchive, match="escapes the destination"):
        unpack_archive(archive, tmp_path / "out")

    assert not (tmp_path / "escape.py").exists()


def test_a_zip_project_unpacks_and_loads(tmp_path: Path) -> None:
    archive = tmp_path / "ok.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("project/podium.toml", 'entrypoint = "pkg.main:f"\nrequirements = "req.txt"\n')
        zipped.writestr("project/req.txt", "")
        zipped.writestr("project/pkg/main.py", "def f(inputs, outputs, context): pass\n")

    unpack_archive(archive, tmp_path / "out")

    manifest = load_manifest(tmp_path / "out")
    assert (manifest.module, manifest.callable, manifest.requirements) == ("pkg.main", "f", "req.txt")


def test_a_non_archive_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f.bin").write_bytes(json.dumps({"not": "an archive"}).encode())

    with pytest.raises(UnsafeArchive, match="not a directory"):
        unpack_archive(tmp_path / "f.bin", tmp_path / "out")
