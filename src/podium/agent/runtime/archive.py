"""Safe unpacking of a function or opener project: a directory, a ``.tar.gz`` or a ``.zip``.

An archive comes from another organization, so every member is checked before anything is written:
no absolute path, no ``..``, no link or device (a symlink could point the next member outside), and a
bound on the total unpacked size.
"""

import shutil
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Final

MAX_UNPACKED_BYTES: Final = 2 * 1024**3


class UnsafeArchive(ValueError):
    """The archive is unreadable or has a member that would escape the destination."""


def unpack_archive(source: Path, destination: Path, *, max_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Unpack (or copy, for a directory) ``source`` into ``destination``, which must not exist.

    A project archived with a single top-level directory that holds the manifest is unpacked with that
    directory as the root, so ``tar czf f.tar.gz project/`` and ``tar czf f.tar.gz -C project .`` both
    work.

    Raises:
        UnsafeArchive: unknown format, unreadable archive, a member with an absolute path, ``..``, a link
            or special file, or more than ``max_bytes`` once unpacked. Nothing is left at
            ``destination`` then.
    """
    try:
        if source.is_dir():
            shutil.copytree(source, destination, symlinks=False)
        elif zipfile.is_zipfile(source):
            _unzip(source, destination, max_bytes)
        elif tarfile.is_tarfile(source):
            _untar(source, destination, max_bytes)
        else:
            raise UnsafeArchive(f"{source.name}: not a directory, a .tar.gz or a .zip")
        _hoist_single_root(destination)
    except BaseException:
        shutil.rmtree(destination, ignore_errors=True)
        raise


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith(("/", "\\")) or ".." in path.parts or "\\" in name:
        raise UnsafeArchive(f"archive member {name!r} escapes the destination")
    return path


def _untar(source: Path, destination: Path, max_bytes: int) -> None:
    try:
        with tarfile.open(source) as archive:
            members = archive.getmembers()
            total = 0
            for member in members:
                _member_path(member.name)
                if not (member.isfile() or member.isdir()):
                    raise UnsafeArchive(f"archive member {member.name!r} is a link or a special file")
                total += member.size
                if total > max_bytes:
                    raise UnsafeArchive(f"archive unpacks to more than {max_bytes} bytes")
            destination.mkdir(parents=True)
            # Checked above member by member; the "data" filter re-checks and drops modes we do not want.
            archive.extractall(destination, members=members, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise UnsafeArchive(f"{source.name}: unreadable archive: {error}") from error


def _unzip(source: Path, destination: Path, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            total = 0
            for info in infos:
                _member_path(info.filename)
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise UnsafeArchive(f"archive member {info.filename!r} is a link")
                total += info.file_size
                if total > max_bytes:
                    raise UnsafeArchive(f"archive unpacks to more than {max_bytes} bytes")
            destination.mkdir(parents=True)
            archive.extractall(destination)
    except (zipfile.BadZipFile, OSError) as error:
        raise UnsafeArchive(f"{source.name}: unreadable archive: {error}") from error


def _hoist_single_root(destination: Path) -> None:
    from podium.agent.runtime.manifest import MANIFEST_NAME

    entries = list(destination.iterdir())
    if (destination / MANIFEST_NAME).exists() or len(entries) != 1 or not entries[0].is_dir():
        return
    if not (entries[0] / MANIFEST_NAME).exists():
        return
    # Renamed first so that a child named like the root does not collide with it.
    root = entries[0].rename(destination / ".podium-unpacking")
    for child in list(root.iterdir()):
        child.rename(destination / child.name)
    root.rmdir()
