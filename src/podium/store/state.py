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
            locked) by the first statement.
        appended: whether events were appended, so that the head must be saved and subscribers woken.
    """

    connection: Connection
    channel: str
    now: datetime
    dialect: str
    read_only: bool
    head: tuple[int, str] | None = None
    appended: bool = False
