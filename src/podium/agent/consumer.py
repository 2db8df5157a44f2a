"""Following one channel's events: verify the chain, decide, execute, then save the cursor.

Per event, in this order: ``ChainVerifier.feed`` (a broken chain is fatal: ``LedgerBroken``
propagates and the agent stops acting), ``decide``, execute every command, save the cursor (event id,
position, verified head). Saving after handling makes delivery at-least-once; commands are idempotent.

A handler that raises (a "poison" event) is retried with capped exponential backoff, each failure
logged at ERROR and counted (``poison_failures``); the channel does not move past it until it
succeeds or an operator asks to skip it (``request_skip``, i.e. ``podium agent skip-event``). A
dropped stream is resubscribed from the saved cursor with backoff.
"""

import logging
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Final

from podium.agent.cursor import Cursor, CursorStore, LedgerHead
from podium.agent.decide import decide
from podium.agent.executor import Executor
from podium.agent.housekeeping import DEFERRED, Housekeeping
from podium.api.generated import event_pb2
from podium.client import Cancelled, OrchestratorClient, OrchestratorError
from podium.client.ledger import event_from_message
from podium.domain.ledger import ChainVerifier

logger = logging.getLogger("podium.agent")

MAX_BACKOFF: Final = 30.0


def skip_dir(cursors: CursorStore) -> Path:
    return cursors.directory / "skip"


def request_skip(cursors: CursorStore, event_id: str) -> Path:
    """Ask the agent to skip ``event_id`` the next time handling it fails (operator command)."""
    directory = skip_dir(cursors)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / event_id.replace("/", "_")
    path.write_text(event_id, encoding="utf-8")
    return path


class ChannelConsumer:
    """Consumes ``channel`` for ``executor``'s organization until ``stop`` is set.

    ``run`` returns when stopped; raises ``LedgerBroken`` when the chain does not verify.
    """

    def __init__(
        self,
        client: OrchestratorClient,
        channel: str,
        executor: Executor,
        cursors: CursorStore,
        stop: threading.Event,
        *,
        on_event: Callable[[event_pb2.Event], None] | None = None,
        housekeeping: Housekeeping | None = None,
    ) -> None:
        self.client = client
        self.channel = channel
        self.executor = executor
        self.cursors = cursors
        self.stop = stop
        self.poison_failures = 0
        self.handled = 0
        self._on_event = on_event
        self._housekeeping = housekeeping
        self._stream_lock = threading.Lock()
        self._stream: object | None = None

    @property
    def me(self) -> str:
        return self.executor.me

    def cancel_stream(self) -> None:
        with self._stream_lock:
            stream = self._stream
        if stream is not None:
            stream.cancel()  # type: ignore[attr-defined]

    def run(self) -> None:
        with self.cursors.hold(self.me, self.channel):
            failures = 0
            while not self.stop.is_set():
                cursor = self.cursors.load(self.me, self.channel)
                head = cursor.head
                verifier = (
                    ChainVerifier(channel=self.channel)
                    if head is None
                    else ChainVerifier(head.position, head.hash, channel=self.channel)
                )
                try:
                    self._follow(cursor, verifier)
                    failures = 0
                except Cancelled:
                    if self.stop.is_set():
                        return
                except OrchestratorError as error:
                    failures += 1
                    delay = _backoff(failures)
                    logger.warning(
                        "channel %s: stream lost (%s); resubscribing in %.1fs", self.channel, error, delay
                    )
                    self.stop.wait(delay)

    def _follow(self, cursor: Cursor, verifier: ChainVerifier) -> None:
        stream = self.client.subscribe(cursor.event_id, channel=self.channel)
        with self._stream_lock:
            self._stream = stream
        if self.stop.is_set():
            stream.cancel()
        logger.info("channel %s: following events after %r", self.channel, cursor.event_id or "(start)")
        with stream:
            for message in stream:
                verifier.feed(event_from_message(message))  # LedgerBroken: fatal, propagates
                self._handle(message)
                self.cursors.save(
                    Cursor(
                        self.me,
                        self.channel,
                        message.id,
                        message.position,
                        LedgerHead(verifier.head_position, verifier.head_hash),
                    )
                )
                self.handled += 1
                if self._on_event is not None:
                    self._on_event(message)
                if self.stop.is_set():
                    return

    def _handle(self, message: event_pb2.Event) -> None:
        attempt = 0
        while True:
            try:
                for command in decide(message, self.me):
                    if self._housekeeping is not None and isinstance(command, DEFERRED):
                        self._housekeeping.submit(command)
                    else:
                        self.executor.execute(command)
                return
            except Exception as error:
                attempt += 1
                self.poison_failures += 1
                skip = skip_dir(self.cursors) / message.id.replace("/", "_")
                if skip.exists():
                    logger.error(
                        "channel %s: event %s (position %d) SKIPPED by operator request after %d failures",
                        self.channel,
                        message.id,
                        message.position,
                        attempt,
                    )
                    skip.unlink(missing_ok=True)
                    return
                delay = _backoff(attempt)
                logger.error(
                    "channel %s: handling event %s (position %d) failed %d time(s): %r; retrying in %.1fs "
                    "(skip it with: podium agent skip-event --org %s --event-id %s)",
                    self.channel,
                    message.id,
                    message.position,
                    attempt,
                    error,
                    delay,
                    self.me,
                    message.id,
                    exc_info=attempt == 1,
                )
                if self.stop.wait(delay):
                    raise Cancelled(None, "agent stopping") from error


def _backoff(attempt: int) -> float:
    return float(random.uniform(0.5, 1.0) * min(MAX_BACKOFF, 0.5 * 2.0 ** min(attempt, 10)))
