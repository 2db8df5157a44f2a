"""The retry loop with a fake clock: which failures are retried, how long it sleeps, when it stops."""

import random
from dataclasses import dataclass, field

import grpc
import pytest

from podium.client.config import RetrySettings
from podium.client.errors import Aborted, NotFound, OrchestratorError, Unavailable, error_from_status
from podium.client.retry import Retrier, backoff_cap

SC = grpc.StatusCode


@dataclass
class FakeTime:
    """A clock that only moves when slept on."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@dataclass
class Script:
    """An attempt function answering ``failures`` in order, then ``"ok"``; records its deadlines."""

    failures: list[OrchestratorError]
    timeouts: list[float | None] = field(default_factory=list)

    def __call__(self, timeout: float | None, attempt: int) -> str:
        self.timeouts.append(timeout)
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def retrier(time: FakeTime, call_timeout: float | None = 5.0, **settings: float) -> Retrier:
    return Retrier(RetrySettings(**settings), call_timeout, time.sleep, time.clock, random.Random(7))  # type: ignore[arg-type]


def unavailable() -> OrchestratorError:
    return error_from_status(SC.UNAVAILABLE, "down")


def test_backoff_caps_grow_exponentially_up_to_the_maximum() -> None:
    settings = RetrySettings(initial_backoff=0.5, multiplier=2.0, max_backoff=3.0)
    assert [backoff_cap(settings, n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_sleeps_are_full_jitter_under_the_cap() -> None:
    time = FakeTime()
    script = Script([unavailable() for _ in range(4)])
    assert (
        retrier(time, max_attempts=5, initial_backoff=1.0, max_backoff=100.0).run(script, retryable=True)
        == "ok"
    )
    assert len(time.slept) == 4
    for attempt, slept in enumerate(time.slept, start=1):
        assert 0.0 <= slept <= 2.0 ** (attempt - 1)


def test_non_retryable_codes_are_raised_at_once() -> None:
    time = FakeTime()
    script = Script([error_from_status(SC.NOT_FOUND, "OE0002: x")])
    with pytest.raises(NotFound):
        retrier(time).run(script, retryable=True)
    assert time.slept == []
    assert len(script.timeouts) == 1


def test_aborted_is_retried() -> None:
    time = FakeTime()
    script = Script([error_from_status(SC.ABORTED, "OE0008: conflict")])
    assert retrier(time).run(script, retryable=True) == "ok"
    assert len(script.timeouts) == 2


def test_nothing_is_retried_when_the_call_is_not_retryable() -> None:
    time = FakeTime()
    script = Script([error_from_status(SC.ABORTED, "OE0008: conflict")])
    with pytest.raises(Aborted):
        retrier(time).run(script, retryable=False)
    assert len(script.timeouts) == 1


def test_the_total_time_budget_stops_retries_and_bounds_each_deadline() -> None:
    time = FakeTime()
    script = Script([unavailable() for _ in range(100)])
    settings = {"max_attempts": 100, "initial_backoff": 2.0, "max_backoff": 2.0, "total_timeout": 6.0}
    with pytest.raises(Unavailable):
        retrier(time, call_timeout=None, **settings).run(script, retryable=True)
    assert sum(time.slept) < 6.0
    assert all(timeout is not None and timeout <= 6.0 for timeout in script.timeouts)
    assert len(script.timeouts) < 100
