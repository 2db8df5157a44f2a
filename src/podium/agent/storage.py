"""Where an organization keeps its files: function archives, openers, models, logs, performance files.

``Storage`` is the interface (an S3-compatible backend can implement it); ``LocalStorage`` keeps files
under ``<root>/<kind>/<key>``. Writes are atomic: the bytes go to a temporary file in the same directory,
are flushed to disk, then renamed over the destination, so a reader sees the old file or the new one,
never a part. The SHA-256 of what was written is computed on the way and returned.
"""

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Final, Protocol

_KEY: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")
_CHUNK: Final = 1024 * 1024


class FileKind(StrEnum):
    """The kinds of stored files; the value is the directory and the first segment of asset URLs."""

    FUNCTION = "functions"
    OPENER = "openers"
    MODEL = "models"
    LOG = "logs"
    PERFORMANCE = "performances"


class InvalidKey(ValueError):
    """A key that could not name a file safely (empty, too long, a path, starting with a dot...)."""


@dataclass(frozen=True)
class StoredFile:
    """A file as written: its identity, size and SHA-256 (lowercase hex)."""

    kind: FileKind
    key: str
    size: int
    sha256: str


class Storage(Protocol):
    """A store of immutable-by-convention files addressed by ``(kind, key)``.

    Implementations MUST make ``write*`` atomic (never expose a partial file), MUST raise
    ``FileNotFoundError`` from ``open``/``read``/``sha256`` for a missing file, and MUST refuse keys that
    ``check_key`` refuses.
    """

    def write(self, kind: FileKind, key: str, source: BinaryIO | bytes) -> StoredFile: ...
    def write_file(self, kind: FileKind, key: str, source: Path) -> StoredFile: ...
    def open(self, kind: FileKind, key: str) -> BinaryIO: ...
    def read(self, kind: FileKind, key: str) -> bytes: ...
    def exists(self, kind: FileKind, key: str) -> bool: ...
    def size(self, kind: FileKind, key: str) -> int: ...
    def sha256(self, kind: FileKind, key: str) -> str: ...
    def delete(self, kind: FileKind, key: str) -> bool: ...


def check_key(key: str) -> str:
    """Return ``key`` if it is 1-200 characters of ``[A-Za-z0-9_.-]`` not starting with ``.`` or ``-``.

    Raises:
        InvalidKey: otherwise (so no key is ever a path or a hidden temporary file).
    """
    if not _KEY.fullmatch(key):
        raise InvalidKey(f"invalid storage key {key!r}")
    return key


class LocalStorage:
    """``Storage`` on a local (or mounted) filesystem under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for kind in FileKind:
            (root / kind.value).mkdir(parents=True, exist_ok=True)

    def path(self, kind: FileKind, key: str) -> Path:
        """The file's path (it may not exist). Local only: not part of ``Storage``."""
        return self.root / FileKind(kind).value / check_key(key)

    def write(self, kind: FileKind, key: str, source: BinaryIO | bytes) -> StoredFile:
        """Store ``source`` (bytes or a binary stream read to its end) atomically, replacing any file."""
        destination = self.path(kind, key)
        digest = hashlib.sha256()
        size = 0
        descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=destination.parent)
        try:
            with os.fdopen(descriptor, "wb") as stream:
                for chunk in _chunks(source):
                    stream.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, destination)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return StoredFile(FileKind(kind), key, size, digest.hexdigest())

    def write_file(self, kind: FileKind, key: str, source: Path) -> StoredFile:
        """Store a copy of the file at ``source``."""
        with source.open("rb") as stream:
            return self.write(kind, key, stream)

    def open(self, kind: FileKind, key: str) -> BinaryIO:
        return self.path(kind, key).open("rb")

    def read(self, kind: FileKind, key: str) -> bytes:
        return self.path(kind, key).read_bytes()

    def exists(self, kind: FileKind, key: str) -> bool:
        return self.path(kind, key).is_file()

    def size(self, kind: FileKind, key: str) -> int:
        return self.path(kind, key).stat().st_size

    def sha256(self, kind: FileKind, key: str) -> str:
        """The SHA-256 of the stored bytes, read again from disk (detects corruption at rest)."""
        digest = hashlib.sha256()
        with self.open(kind, key) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def delete(self, kind: FileKind, key: str) -> bool:
        """Remove the file; return whether there was one."""
        try:
            self.path(kind, key).unlink()
        except FileNotFoundError:
            return False
        return True

    def copy_to(self, kind: FileKind, key: str, destination: Path) -> None:
        """Copy the stored file to ``destination`` (e.g. a task's working directory)."""
        shutil.copyfile(self.path(kind, key), destination)


def _chunks(source: BinaryIO | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield bytes(source)
        return
    while chunk := source.read(_CHUNK):
        yield chunk
