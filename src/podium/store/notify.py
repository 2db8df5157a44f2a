"""Waking subscribers after commit: an in-process signal, plus PostgreSQL LISTEN/NOTIFY across processes.

The events table is the truth and a wake-up only a hint. ``Waiters`` counts wake-ups per channel; a
waiter notes the count *before* looking at the head, so a commit between the look and the wait still
wakes it. On PostgreSQL, ``PgListener`` holds one LISTEN connection per database object, in a daemon
thread that reconnects with backoff and wakes every waiter after a reconnection (notifications sent
while disconnected are lost).
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Final

import psycopg

from podium.store.eventlog import NOTIFY_CHANNEL

_log: Final = logging.getLogger(__name__)

# How often the listener looks at its stop flag while idle (bounds close()).
_POLL_SECONDS: Final = 0.25
_BACKOFF_MAX_SECONDS: Final = 5.0


class Waiters:
    """Per-channel wake-up counters behind one condition variable."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generations: defaultdict[str, int] = defaultdict(int)

    def generation(self, channel: str) -> int:
        """The current wake-up count of ``channel``: take it before checking the head."""
        with self._condition:
            return self._generations[channel]

    def wake(self, channel: str | None) -> None:
        """Wake the waiters of ``channel`` (of every channel when ``None``)."""
        with self._condition:
            if channel is None:
                for name in list(self._generations):
                    self._generations[name] += 1
            else:
                self._generations[channel] += 1
            self._condition.notify_all()

    def wait(self, channel: str, generation: int, timeout: float) -> bool:
        """Block until ``channel`` is woken past ``generation`` or ``timeout`` passes; True when woken."""
        with self._condition:
            return self._condition.wait_for(lambda: self._generations[channel] != generation, timeout)


class PgListener:
    """A daemon thread LISTENing on ``podium_events`` that wakes ``waiters`` with each channel named."""

    def __init__(self, conninfo: str, waiters: Waiters) -> None:
        self._conninfo = conninfo
        self._waiters = waiters
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ensure_started(self, timeout: float) -> None:
        """Start the thread once; wait up to ``timeout`` for it to listen (a wait may then begin)."""
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="podium-pg-listener", daemon=True)
                self._thread.start()
        self._ready.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it (it notices within a poll interval)."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._ready.set()
                    # A reconnection may have missed notifications: let every waiter look again.
                    self._waiters.wake(None)
                    backoff = 0.1
                    self._listen(connection)
            except psycopg.Error as error:
                self._ready.clear()
                _log.warning("event listener disconnected (%s); retrying in %.1fs", error, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX_SECONDS)
        self._ready.clear()

    def _listen(self, connection: psycopg.Connection[object]) -> None:
        while not self._stop.is_set():
            for notification in connection.notifies(timeout=_POLL_SECONDS):
                self._waiters.wake(notification.payload)
                if self._stop.is_set():
                    return


def wait_for_head(
    waiters: Waiters,
    channel: str,
    after_position: int,
    timeout: float,
    head_position: Callable[[], int],
) -> bool:
    """The shared ``wait_for_events`` algorithm: register, look at the head, then wait.

    Returns True when the head is past ``after_position`` or a wake-up came; at the timeout, looks at
    the head once more (the polling that covers writers in other processes on SQLite).
    """
    generation = waiters.generation(channel)
    if head_position() > after_position:
        return True
    if waiters.wait(channel, generation, timeout):
        return True
    return head_position() > after_position
