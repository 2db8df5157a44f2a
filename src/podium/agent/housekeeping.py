"""Bookkeeping commands run off the event path, so that they do not delay the events after them.

Every final task event makes each agent check its transient outputs and whether the plan is finished:
several calls to the orchestrator (``GetTask`` per parent, ``IsPlanRunning``). Run inline, they
delayed the next events of the stream — typically the children the same commit just promoted to To
do — by tens of milliseconds. ``Housekeeping`` runs them on a thread of its own, in the order they came,
each pending command once (a repeat of a command still waiting is dropped: checking a plan twice in a
row finds the same answer).

Guarantees: on a graceful stop the pending commands are carried out before ``join`` returns. A crash
loses the pending ones, which is harmless: a transient output is checked again at its next child's
final event, and the working directories of a finished plan are removed by the sweep at the next
start (``Executor.clean_stale_workdirs``).
"""

import logging
import threading
from collections.abc import Callable
from typing import Final

from podium.agent.decide import CheckPlanFinished, CheckTransientOutputs, Command

logger = logging.getLogger("podium.agent")

DEFERRED: Final = (CheckTransientOutputs, CheckPlanFinished)
"""The command types ``Housekeeping`` takes; everything else runs inline."""

DRAIN_SECONDS: Final = 30.0
"""Longest time ``join`` spends carrying out the pending commands at a graceful stop."""


class Housekeeping:
    """A thread carrying out ``DEFERRED`` commands with ``execute``; thread-safe ``submit``."""

    def __init__(self, execute: Callable[[Command], None], stop: threading.Event) -> None:
        self._execute = execute
        self._stop = stop
        self._pending: dict[Command, None] = {}  # insertion-ordered set
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)
        self.done = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, command: Command) -> None:
        """Queue ``command`` (a no-op when the same command is already waiting)."""
        with self._condition:
            self._pending.setdefault(command, None)
            self._condition.notify()

    def pending(self) -> int:
        with self._condition:
            return len(self._pending)

    def join(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait for the thread, which carries out what is pending once ``stop`` is set."""
        with self._condition:
            self._condition.notify()
        self._thread.join(timeout)

    def _next(self) -> Command | None:
        with self._condition:
            while not self._pending:
                if self._stop.is_set():
                    return None
                self._condition.wait(0.5)
            command = next(iter(self._pending))
            del self._pending[command]
            return command

    def _run(self) -> None:
        while (command := self._next()) is not None:
            try:
                self._execute(command)
            except Exception as error:  # bookkeeping must never end the agent
                logger.warning("housekeeping %r failed: %r (a later event checks again)", command, error)
            self.done += 1
