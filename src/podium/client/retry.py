"""Retrying one logical call: exponential backoff with full jitter, bounded in attempts and time.

Only ``RETRYABLE_CODES`` (UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED) are retried; every other refusal is
deterministic and raised at once. The clock, the sleep and the random source are parameters so that
callers and tests control them.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from podium.client.config import RetrySettings
from podium.client.errors import RETRYABLE_CODES, OrchestratorError

T = TypeVar("T")

MIN_ATTEMPT_SECONDS = 0.05
"""The shortest deadline given to an attempt near the end of the time budget."""


def backoff_cap(settings: RetrySettings, attempt: int) -> float:
    """The largest sleep after failed attempt number ``attempt`` (1-based)."""
    return min(settings.max_backoff, settings.initial_backoff * settings.multiplier ** (attempt - 1))


@dataclass
class Retrier:
    """Runs attempts of a call under ``settings``.

    Attributes:
        settings: the policy.
        call_timeout: the deadline of one attempt (seconds), ``None`` for none; an attempt never
            gets more than what remains of ``settings.total_timeout``.
        sleep, clock, rng: time and randomness, replaceable.
    """

    settings: RetrySettings
    call_timeout: float | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    rng: random.Random = field(default_factory=random.Random)

    def run(self, attempt_once: Callable[[float | None, int], T], *, retryable: bool) -> T:
        """Call ``attempt_once(timeout, attempt_number)`` until it returns or must give up.

        ``attempt_once`` raises ``OrchestratorError`` on failure (with ``attempts`` set by it).

        Args:
            attempt_once: sends the call once with the given deadline.
            retryable: False for calls that must not be re-sent (writes when ``retry_writes`` is off).

        Raises:
            OrchestratorError: the last failure, when it is not retryable or the attempts or the
                time budget are spent.
        """
        start = self.clock()
        attempt = 0
        while True:
            attempt += 1
            remaining = self.settings.total_timeout - (self.clock() - start)
            timeout = remaining if self.call_timeout is None else min(self.call_timeout, remaining)
            try:
                return attempt_once(max(timeout, MIN_ATTEMPT_SECONDS), attempt)
            except OrchestratorError as error:
                if not retryable or error.code not in RETRYABLE_CODES:
                    raise
                if attempt >= self.settings.max_attempts:
                    raise
                delay = self.rng.uniform(0.0, backoff_cap(self.settings, attempt))
                if self.clock() - start + delay >= self.settings.total_timeout:
                    raise
            self.sleep(delay)
