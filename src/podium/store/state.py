"""The state one transaction shares between its repositories and the event log."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection


@dataclass(slots=True)
class TxState:
    """What every repository of one transaction needs.

    Attributes:
        connection: the connection holding the open database transaction.
        channel: the channel the transaction is scoped to.
        now: the transaction's timestamp (UTC, microseconds), taken once.
        dialect: ``"postgresql"`` or ``"sqlite"``.
        read_only: whether writes are forbidden.
        head: the channel head ``(position, hash)`` once known; on PostgreSQL writes it is read (and
            locked) by the first statement sent (``None`` until then: ``SqlEventLog.head`` sends it).
        appended: whether events were appended, so that the head must be saved and subscribers woken.
        saved_position: the head position already written to ``channel_heads`` by this transaction
            (PostgreSQL saves the head in the statement that inserts the events), so that
            ``save_head`` need not write it again.
        head_locked: whether the head lock is queued or sent (PostgreSQL writes: the head row is, or will be
            with the first statement, held by this transaction).
    """

    connection: Connection
    channel: str
    now: datetime
    dialect: str
    read_only: bool
    head: tuple[int, str] | None = None
    appended: bool = False
    saved_position: int | None = None
    head_locked: bool = False
