"""The retry policy of write transactions: jittered exponential backoff within a time budget."""

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Run a unit of work again after a lost race, until ``budget`` seconds have passed since the first
    attempt. Delays grow from ``first_delay`` by ``multiplier`` up to ``max_delay``, each drawn uniformly
    in [0, delay] ("full jitter") so that colliding writers spread out."""

    budget: float = 2.0
    first_delay: float = 0.002
    multiplier: float = 2.0
    max_delay: float = 0.2

    def delay(self, attempt: int, draw: float | None = None) -> float:
        """The pause after the ``attempt``-th failure (1-based); ``draw`` in [0, 1) replaces the random
        draw (for tests)."""
        ceiling = min(self.max_delay, self.first_delay * self.multiplier ** (attempt - 1))
        return ceiling * (random.random() if draw is None else draw)
