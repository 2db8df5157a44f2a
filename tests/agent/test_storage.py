"""LocalStorage: atomic writes, checksums, keys that cannot be paths."""

import hashlib
import io
from pathlib import Path

import pytest

from podium.agent.storage import FileKind, InvalidKey, LocalStorage


class _FailingStream(io.RawIOBase):
    """A stream that yields some bytes and then fails, as a broken upload would."""

    def __init__(self) -> None:
        self._sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._sent:
            raise OSError("connection reset")
        self._sent = True
        buffer[:4] = b"part"
        return 4


def test_write_returns_the_checksum_and_the_bytes_read_back(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    payload = b"model bytes" * 1000

    stored = storage.write(FileKind.MODEL, "m1", payload)

    assert stored.sha256 == hashlib.sha256(payload).hexdigest()
    assert stored.size == len(payload)
    assert storage.read(FileKind.MODEL, "m1") == payload
    assert storage.sha256(FileKind.MODEL, "m1") == stored.sha256
    assert storage.exists(FileKind.MODEL, "m1")
    assert not storage.exists(FileKind.FUNCTION, "m1")
    assert storage.path(FileKind.MODEL, "m1") == tmp_path / "models" / "m1"


def test_write_from_a_stream_and_from_a_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    source = tmp_path / "archive.tar.gz"
    source.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 10_000)

    from_file = storage.write_file(FileKind.FUNCTION, "f1", source)
    with source.open("rb") as stream:
        from_stream = storage.write(FileKind.FUNCTION, "f2", stream)

    assert from_file.sha256 == from_stream.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    with storage.open(FileKind.FUNCTION, "f2") as stored:
        assert stored.read() == source.read_bytes()


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.write(FileKind.MODEL, "m1", b"complete")

    with pytest.raises(OSError, match="connection reset"):
        storage.write(FileKind.MODEL, "m1", io.BufferedReader(_FailingStream()))

    assert storage.read(FileKind.MODEL, "m1") == b"complete"
    assert sorted(path.name for path in (tmp_path / "models").iterdir()) == ["m1"]


def test_a_rewrite_replaces_the_file_whole(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.write(FileKind.LOG, "t1", b"first version, longer")

    stored = storage.write(FileKind.LOG, "t1", b"second")

    assert storage.read(FileKind.LOG, "t1") == b"second"
    assert stored.size == 6


def test_sha256_detects_corruption_at_rest(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    stored = storage.write(FileKind.MODEL, "m1", b"original")
    storage.path(FileKind.MODEL, "m1").write_bytes(b"tampered")

    assert storage.sha256(FileKind.MODEL, "m1") != stored.sha256


def test_delete_and_missing_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.write(FileKind.PERFORMANCE, "p1", b"0.5")

    assert storage.delete(FileKind.PERFORMANCE, "p1")
    assert not storage.delete(FileKind.PERFORMANCE, "p1")
    with pytest.raises(FileNotFoundError):
        storage.read(FileKind.PERFORMANCE, "p1")
    with pytest.raises(FileNotFoundError):
        storage.sha256(FileKind.PERFORMANCE, "p1")


@pytest.mark.parametrize("key", ["", "../escape", "a/b", ".hidden", "-flag", "x" * 201, "a\x00b"])
def test_keys_that_could_be_paths_are_refused(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path)

    with pytest.raises(InvalidKey):
        storage.write(FileKind.MODEL, key, b"x")
    assert sorted(path.name for path in (tmp_path / "models").iterdir()) == []
