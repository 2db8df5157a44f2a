"""``Housekeeping`` carries out bookkeeping commands on its own thread: in order, each waiting command
once, past failures, and everything pending at a graceful stop."""

import threading
import time

from podium.agent.decide import CheckPlanFinished, CheckTransientOutputs, Command
from podium.agent.housekeeping import Housekeeping

WAIT_S = 10.0


def _wait_until(condition: threading.Event) -> None:
    assert condition.wait(WAIT_S), "housekeeping did not get there in time"


def test_commands_run_in_order_and_a_waiting_repeat_runs_once() -> None:
    stop = threading.Event()
    release = threading.Event()
    first_started = threading.Event()
    ran: list[Command] = []

    def execute(command: Command) -> None:
        if not ran:
            first_started.set()
            release.wait(WAIT_S)  # hold the thread so that the next submits wait together
        ran.append(command)

    housekeeping = Housekeeping(execute, stop)
    housekeeping.start()
    housekeeping.submit(CheckPlanFinished("plan-0"))
    _wait_until(first_started)
    for command in (
        CheckPlanFinished("plan-1"),
        CheckTransientOutputs(("parent-a",)),
        CheckPlanFinished("plan-1"),
        CheckPlanFinished("plan-2"),
    ):
        housekeeping.submit(command)
    assert housekeeping.pending() == 3
    release.set()
    stop.set()
    housekeeping.join()
    assert ran == [
        CheckPlanFinished("plan-0"),
        CheckPlanFinished("plan-1"),
        CheckTransientOutputs(("parent-a",)),
        CheckPlanFinished("plan-2"),
    ]


def test_a_failing_command_does_not_stop_the_next_ones() -> None:
    stop = threading.Event()
    finished = threading.Event()
    ran: list[Command] = []

    def execute(command: Command) -> None:
        ran.append(command)
        if command == CheckPlanFinished("bad"):
            raise ConnectionError("orchestrator unreachable")
        if command == CheckPlanFinished("good"):
            finished.set()

    housekeeping = Housekeeping(execute, stop)
    housekeeping.start()
    housekeeping.submit(CheckPlanFinished("bad"))
    housekeeping.submit(CheckPlanFinished("good"))
    _wait_until(finished)
    stop.set()
    housekeeping.join()
    assert ran == [CheckPlanFinished("bad"), CheckPlanFinished("good")]
    assert housekeeping.done == 2


def test_a_graceful_stop_carries_out_what_is_pending() -> None:
    stop = threading.Event()
    ran: list[Command] = []

    def execute(command: Command) -> None:
        time.sleep(0.01)
        ran.append(command)

    housekeeping = Housekeeping(execute, stop)
    commands = [CheckPlanFinished(f"plan-{index}") for index in range(20)]
    for command in commands:
        housekeeping.submit(command)
    stop.set()  # stopped before the thread even starts: it still drains
    housekeeping.start()
    housekeeping.join()
    assert ran == commands
    assert housekeeping.pending() == 0
