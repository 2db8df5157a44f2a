"""Where the agent is in each channel's event stream, saved so that a restart resumes there.

One JSON file per (organization, channel), replaced atomically (write to a temporary file, fsync,
rename, fsync the directory): after a crash the file holds the previous cursor or the new one, never a
mix. The agent saves after handling an event, so delivery is at-least-once and handlers are idempotent.

``hold`` takes an exclusive lock on the cursor's channel, so that two agents of one organization
cannot consume the same channel at once ("resume is exclusive").
"""

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote

_VERSION: Final = 1


class CursorLocked(RuntimeError):
    """Another process consumes this (organization, channel)."""


class CorruptCursor(ValueError):
    """The cursor file exists but cannot be read; the agent must not guess where to resume."""


@dataclass(frozen=True)
class LedgerHead:
    """The last verified link of the channel's hash chain."""

    position: int
    hash: str


@dataclass(frozen=True)
class Cursor:
    """The agent's place in one channel.

    Attributes:
        event_id: the id of the last event handled (``""``: none; resume from the start).
        position: that event's position in the channel (0: none).
        head: the last verified ledger head (``None``: nothing verified yet, verify from genesis).
    """

    organization: str
    channel: str
    event_id: str = ""
    position: int = 0
    head: LedgerHead | None = None


class CursorStore:
    """Cursors as files under ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def _path(self, organization: str, channel: str, suffix: str = ".json") -> Path:
        # Percent-encoding keeps any MSP id or channel name a single, reversible file-name component.
        name = f"{quote(organization, safe='')}__{quote(channel, safe='')}"
        return self.directory / (name + suffix)

    def load(self, organization: str, channel: str) -> Cursor:
        """The saved cursor, or an empty one when none was ever saved.

        Raises:
            CorruptCursor: the file exists and is not a cursor of this organization and channel.
        """
        path = self._path(organization, channel)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Cursor(organization, channel)
        try:
            document = json.loads(text)
            head = document["head"]
            cursor = Cursor(
                organization=document["organization"],
                channel=document["channel"],
                event_id=str(document["event_id"]),
                position=int(document["position"]),
                head=None if head is None else LedgerHead(int(head["position"]), str(head["hash"])),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise CorruptCursor(f"{path}: unreadable cursor: {error!r}") from error
        if (cursor.organization, cursor.channel) != (organization, channel):
            raise CorruptCursor(f"{path}: holds the cursor of {cursor.organization}/{cursor.channel}")
        return cursor

    def save(self, cursor: Cursor) -> None:
        """Replace the saved cursor atomically and durably."""
        document = {
            "version": _VERSION,
            "organization": cursor.organization,
            "channel": cursor.channel,
            "event_id": cursor.event_id,
            "position": cursor.position,
            "head": None
            if cursor.head is None
            else {"position": cursor.head.position, "hash": cursor.head.hash},
        }
        path = self._path(cursor.organization, cursor.channel)
        descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                json.dump(document, stream)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    @contextmanager
    def hold(self, organization: str, channel: str) -> Iterator[None]:
        """Hold the exclusive right to consume ``channel`` for ``organization`` (released on exit).

        Raises:
            CursorLocked: another process holds it.
        """
        with self._path(organization, channel, ".lock").open("a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CursorLocked(f"{organization}/{channel} is consumed by another process") from None
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
