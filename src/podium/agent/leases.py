"""Which worker process runs which task, so that a task whose worker died can be taken over.

One SQLite database per organization home (``home/leases.db``, WAL mode), shared by the agent and
every worker of that home. A row ``(task_key, worker_id, pid, runner_pid, heartbeat)`` is written when
a worker starts a task and refreshed every few seconds while it runs. A lease is **live** while its
heartbeat is younger than ``ttl`` and its process exists (same host: a SIGKILLed worker frees its
tasks at once instead of after ``ttl``).

``acquire`` is atomic (``BEGIN IMMEDIATE``: one writer at a time), so of two workers racing for a task
whose previous worker died, exactly one takes it over. Scope: one host, i.e. workers sharing the home;
workers on several hosts would need a shared lease store.
"""

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

DEFAULT_TTL: Final = 15.0
HEARTBEAT_SECONDS: Final = 2.0

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS leases (
    task_key TEXT PRIMARY KEY,
    worker_id TEXT NOT NULL,
    pid INTEGER NOT NULL,
    runner_pid INTEGER NOT NULL DEFAULT 0,
    heartbeat REAL NOT NULL
)
"""


@dataclass(frozen=True)
class Lease:
    task_key: str
    worker_id: str
    pid: int
    runner_pid: int
    heartbeat: float


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (zombies count as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class LeaseStore:
    """Leases in the SQLite file ``path``. Each call opens its own connection (thread- and fork-safe)."""

    def __init__(self, path: Path, *, ttl: float = DEFAULT_TTL) -> None:
        self.path = path
        self.ttl = ttl
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30.0, isolation_level=None)) as connection:
            yield connection

    def is_live(self, lease: Lease | None, now: float | None = None) -> bool:
        """Whether ``lease`` belongs to a worker still running its task."""
        if lease is None:
            return False
        now = time.time() if now is None else now
        return now - lease.heartbeat < self.ttl and pid_alive(lease.pid)

    def get(self, task_key: str) -> Lease | None:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT task_key, worker_id, pid, runner_pid, heartbeat FROM leases WHERE task_key = ?",
                (task_key,),
            ).fetchone()
        return None if row is None else Lease(*row)

    def acquire(self, task_key: str, worker_id: str, pid: int) -> tuple[bool, Lease | None]:
        """Take the lease of ``task_key`` unless another live worker holds it.

        Returns:
            ``(True, previous)`` when taken (``previous``: the dead holder's lease, whose runner the
            caller should stop), ``(False, holder)`` when a live worker holds it.
        """
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                row = connection.execute(
                    "SELECT task_key, worker_id, pid, runner_pid, heartbeat FROM leases WHERE task_key = ?",
                    (task_key,),
                ).fetchone()
                previous = None if row is None else Lease(*row)
                if previous is not None and previous.worker_id != worker_id and self.is_live(previous):
                    connection.execute("ROLLBACK")
                    return False, previous
                connection.execute(
                    "INSERT OR REPLACE INTO leases (task_key, worker_id, pid, runner_pid, heartbeat) "
                    "VALUES (?, ?, ?, 0, ?)",
                    (task_key, worker_id, pid, time.time()),
                )
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        return True, previous

    def beat(self, task_key: str, worker_id: str, runner_pid: int | None = None) -> bool:
        """Refresh my lease (and record the runner's pid); False when it is no longer mine."""
        with self._connect() as connection:
            if runner_pid is None:
                cursor = connection.execute(
                    "UPDATE leases SET heartbeat = ? WHERE task_key = ? AND worker_id = ?",
                    (time.time(), task_key, worker_id),
                )
            else:
                cursor = connection.execute(
                    "UPDATE leases SET heartbeat = ?, runner_pid = ? WHERE task_key = ? AND worker_id = ?",
                    (time.time(), runner_pid, task_key, worker_id),
                )
            return cursor.rowcount == 1

    def release(self, task_key: str, worker_id: str) -> None:
        with self._connect() as connection:
            connection.execute(
                "DELETE FROM leases WHERE task_key = ? AND worker_id = ?", (task_key, worker_id)
            )


class Heartbeat:
    """Refreshes a lease from a daemon thread until ``stop``."""

    def __init__(self, store: LeaseStore, task_key: str, worker_id: str) -> None:
        self._store = store
        self._task_key = task_key
        self._worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"lease-{task_key[:8]}")

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self._store.beat(self._task_key, self._worker_id)
            except sqlite3.Error:
                continue  # a busy database this time; the next beat comes well within the ttl

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=HEARTBEAT_SECONDS * 2)
