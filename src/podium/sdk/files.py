"""Files the SDK sends: deterministic project archives and data-sample directories with their checksum.

**Archive** (``archive_project``): a gzip-compressed tar of every regular file and directory under the
project, members named relative to the project root, sorted by name, with mtime 0, owner 0:0, no user
or group names, mode 0o755 for directories and executables and 0o644 for other files, and a gzip
header without name or time. The same tree gives the same bytes, hence the same SHA-256, on any machine.
Symbolic links and special files are refused (the runtime refuses them too when unpacking).

**Data-sample checksum** (``directory_checksum``): SHA-256 over the regular files of the directory in
ascending order of their relative POSIX path's UTF-8 bytes; for each file it hashes
``len(path) (8 bytes, big-endian) || path || len(content) (8 bytes, big-endian) || content``. Empty
directories do not count; links and special files are refused. Lengths make the encoding unambiguous:
no two different trees give the same byte stream.
"""

import gzip
import hashlib
import io
import os
import shutil
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from podium.sdk.errors import InvalidProject

_CHUNK: Final = 1024 * 1024


def _walk(root: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """``(relative posix path, path, lstat)`` of every entry under ``root``, sorted by path bytes."""
    if not root.is_dir():
        raise InvalidProject(f"{root} is not a directory")
    entries: list[tuple[bytes, str, Path, os.stat_result]] = []
    for path in root.rglob("*"):
        info = path.lstat()
        relative = path.relative_to(root).as_posix()
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise InvalidProject(f"{path}: only regular files and directories are allowed (no links)")
        entries.append((relative.encode("utf-8"), relative, path, info))
    for _, relative, path, info in sorted(entries, key=lambda entry: entry[0]):
        yield relative, path, info


def archive_project(project: Path) -> bytes:
    """The deterministic ``.tar.gz`` bytes of ``project`` (rules in the module docstring).

    Raises:
        InvalidProject: ``project`` is not a directory or holds a link or a special file.
    """
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for relative, path, info in _walk(project):
            member = tarfile.TarInfo(relative)
            member.mtime = 0
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            executable = stat.S_ISDIR(info.st_mode) or bool(info.st_mode & stat.S_IXUSR)
            member.mode = 0o755 if executable else 0o644
            if stat.S_ISDIR(info.st_mode):
                member.type = tarfile.DIRTYPE
                archive.addfile(member)
            else:
                member.size = info.st_size
                with path.open("rb") as stream:
                    archive.addfile(member, stream)
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0) as gz:
        gz.write(raw.getvalue())
    return compressed.getvalue()


def directory_checksum(directory: Path) -> str:
    """The SHA-256 (lowercase hex) of a data-sample directory (rule in the module docstring).

    Raises:
        InvalidProject: not a directory, or it holds a link or a special file.
    """
    digest = hashlib.sha256()
    for relative, path, info in _walk(directory):
        if stat.S_ISDIR(info.st_mode):
            continue
        name = relative.encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name + info.st_size.to_bytes(8, "big"))
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def copy_directory(source: Path, destination: Path) -> None:
    """Copy ``source`` to ``destination`` (which must not exist) through a temporary sibling, so that
    an interrupted copy never leaves a partial sample under its final name."""
    temporary = destination.with_name(f".{destination.name}.partial")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, temporary, symlinks=True)
    os.replace(temporary, destination)
