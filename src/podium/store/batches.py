"""Group commit: the writers of one PostgreSQL channel that queue behind each other share a transaction.

Every write of a channel holds the channel's head row until it commits, so its writers run one at a
time anyway. Rather than one transaction each (``BEGIN`` with the head lock, the work, ``COMMIT`` and
its flush to disk), the writers that arrive while a transaction of their channel is open join it:
they take turns on its connection, each inside a savepoint of its own (the first without one), and
the last to leave commits for all. A writer whose work raises rolls back its savepoint (the whole
transaction when it ran first) and gets its error at once; the others are not affected. A writer
whose work succeeded returns only once the shared ``COMMIT`` has succeeded, or raises its error: what
is acknowledged is committed, as with a transaction of its own.

At most ``MAX_MEMBERS`` writers share a transaction (a long transaction would hold the head row and
many subtransactions); later writers open the next one, which waits for the head row in PostgreSQL.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import Connection

from podium.store.state import TxState

MAX_MEMBERS: Final = 32
"""Writers sharing one transaction, at most."""


@dataclass(eq=False)
class Batch:
    """One shared write transaction of a channel. ``turn`` gives its connection to one member at a
    time; the other fields belong to the member holding the turn, except those of ``Batches``."""

    channel: str
    turn: threading.Lock = field(default_factory=threading.Lock)
    connection: Connection | None = None
    """The open transaction's connection (None: not begun yet, or rolled back after its first member)."""
    savepoints: int = 0
    failure: BaseException | None = None
    """Why the transaction cannot go on: raised to every member that has not run yet."""
    kept: TxState | None = None
    """The state left by the last member that succeeded, for the commit (None: none succeeded yet)."""
    finished: threading.Event = field(default_factory=threading.Event)
    outcome: BaseException | None = None
    """The commit's error, raised to every member that succeeded; None when committed."""
    members: int = 0
    joined: int = 0


class Batches:
    """The open batch of each channel, and who joins and leaves it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._open: dict[str, Batch] = {}

    def join(self, channel: str) -> Batch:
        """The channel's open batch, or a new one; the caller must ``leave`` it exactly once."""
        with self._guard:
            batch = self._open.get(channel)
            if batch is None:
                batch = self._open[channel] = Batch(channel)
            batch.members += 1
            batch.joined += 1
            if batch.joined >= MAX_MEMBERS:
                del self._open[channel]  # full: the next writer opens the next batch
            return batch

    def writers(self, channel: str) -> int:
        """Writers in the channel's open batch (joined and not gone), 0 when none is open."""
        with self._guard:
            batch = self._open.get(channel)
            return 0 if batch is None else batch.members

    def leave(self, batch: Batch, finish: Callable[[Batch], None]) -> None:
        """Leave ``batch``; the last member to leave closes it to newcomers and calls ``finish`` (which
        must set ``batch.finished``)."""
        with self._guard:
            batch.members -= 1
            last = batch.members == 0
            if last and self._open.get(batch.channel) is batch:
                del self._open[batch.channel]
        if last:
            finish(batch)
