"""Running one task: the runner in a subprocess of the function's environment, bounded and stoppable.

The subprocess leads its own process group, so everything the function starts is stopped with it: on
timeout or cancellation the group gets SIGTERM, then SIGKILL after a grace period; whatever is left in
the group when the runner exits is killed too. stdout and stderr go to one log file, cut at a bound.
"""

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from podium.agent.runtime.spec import ERROR_FILE_NAME, RunnerError, TaskSpec

RUN_DIR_NAME: Final = ".podium"
DEFAULT_MAX_LOG_BYTES: Final = 10 * 1024 * 1024
DEFAULT_GRACE_SECONDS: Final = 5.0
_POLL_SECONDS: Final = 0.05
_TRUNCATED: Final = b"\n[podium: log truncated]\n"


@dataclass(frozen=True)
class RunResult:
    """How a run ended.

    Attributes:
        returncode: the runner's exit status (negative: killed by that signal).
        timed_out: the time limit expired and the run was stopped.
        canceled: ``RunningTask.cancel`` stopped the run.
        log_path: the captured stdout and stderr.
        error: the runner's structured error, when it reported one.
    """

    returncode: int
    timed_out: bool
    canceled: bool
    log_path: Path
    error: RunnerError | None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.canceled


class RunningTask:
    """A started run. ``cancel`` may be called from any thread; ``wait`` from one thread only."""

    def __init__(
        self,
        process: "subprocess.Popen[bytes]",
        *,
        log_path: Path,
        error_path: Path,
        deadline: float,
        grace: float,
        max_log_bytes: int,
    ) -> None:
        self._process = process
        self._log_path = log_path
        self._error_path = error_path
        self._deadline = deadline
        self._grace = grace
        self._cancel_requested = threading.Event()
        self._stopping_since: float | None = None
        self._result: RunResult | None = None
        assert process.stdout is not None
        self._reader = threading.Thread(
            target=_copy_bounded, args=(process.stdout, log_path, max_log_bytes), daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        """The runner's pid, also its process group id."""
        return self._process.pid

    def cancel(self) -> None:
        """Stop the run: SIGTERM to its process group now, SIGKILL after the grace period (by ``wait``)."""
        if self._process.poll() is None:
            self._cancel_requested.set()
            _signal_group(self._process.pid, signal.SIGTERM)

    def wait(self) -> RunResult:
        """Block until the run ends (at most the time limit plus the grace period) and return how."""
        if self._result is not None:
            return self._result
        timed_out = False
        while True:
            try:
                returncode = self._process.wait(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                now = time.monotonic()
                if self._stopping_since is None and (
                    self._cancel_requested.is_set() or now >= self._deadline
                ):
                    timed_out = not self._cancel_requested.is_set()
                    self._stopping_since = now
                    _signal_group(self._process.pid, signal.SIGTERM)
                elif self._stopping_since is not None and now >= self._stopping_since + self._grace:
                    _signal_group(self._process.pid, signal.SIGKILL)
        # The runner is gone; anything it left in its group goes with it, so the log pipe closes.
        _signal_group(self._process.pid, signal.SIGKILL)
        self._reader.join(timeout=self._grace)
        error = None
        if self._error_path.is_file():
            with suppress(OSError, ValueError, KeyError):
                error = RunnerError.from_json(self._error_path.read_text(encoding="utf-8"))
        self._result = RunResult(
            returncode, timed_out, self._cancel_requested.is_set(), self._log_path, error
        )
        return self._result


def start_task(
    env: Path,
    function_dir: Path,
    spec: TaskSpec,
    workdir: Path,
    *,
    timeout: float,
    log_path: Path | None = None,
    max_log_bytes: int = DEFAULT_MAX_LOG_BYTES,
    grace: float = DEFAULT_GRACE_SECONDS,
) -> RunningTask:
    """Start the task described by ``spec`` and return at once.

    Args:
        env: the function's environment (``BuildResult.env_dir``).
        function_dir: the function's project (``BuildResult.function_dir``).
        spec: the task's inputs, outputs and context.
        workdir: the task's current directory, created if needed; the spec, the runner's error and
            (by default) the log are written under ``workdir/.podium/``.
        timeout: seconds before the run is stopped and reported ``timed_out``.
        log_path: where to write stdout and stderr; default ``workdir/.podium/task.log``.
        max_log_bytes: the log is cut after this many bytes (the rest is read and dropped).
        grace: seconds between SIGTERM and SIGKILL.
    """
    run_dir = workdir / RUN_DIR_NAME
    run_dir.mkdir(parents=True, exist_ok=True)
    spec_path = run_dir / "spec.json"
    spec_path.write_text(spec.to_json(function_dir.absolute()), encoding="utf-8")
    error_path = run_dir / ERROR_FILE_NAME
    error_path.unlink(missing_ok=True)
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [str(env / "bin" / "python"), "-m", "podium.agent.runtime.runner", str(spec_path.absolute())],
        cwd=workdir,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return RunningTask(
        process,
        log_path=log_path or run_dir / "task.log",
        error_path=error_path,
        deadline=time.monotonic() + timeout,
        grace=grace,
        max_log_bytes=max_log_bytes,
    )


def run_task(
    env: Path,
    function_dir: Path,
    spec: TaskSpec,
    workdir: Path,
    *,
    timeout: float,
    on_start: Callable[[RunningTask], None] | None = None,
    log_path: Path | None = None,
    max_log_bytes: int = DEFAULT_MAX_LOG_BYTES,
    grace: float = DEFAULT_GRACE_SECONDS,
) -> RunResult:
    """``start_task``, then ``on_start(running)`` (e.g. to keep it for cancellation), then wait.

    If ``on_start`` raises, the run is canceled before the exception propagates.
    """
    running = start_task(
        env,
        function_dir,
        spec,
        workdir,
        timeout=timeout,
        log_path=log_path,
        max_log_bytes=max_log_bytes,
        grace=grace,
    )
    if on_start is not None:
        try:
            on_start(running)
        except BaseException:
            running.cancel()
            running.wait()
            raise
    return running.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _copy_bounded(source: IO[bytes], log_path: Path, max_bytes: int) -> None:
    written = 0
    with log_path.open("wb") as log:
        while chunk := source.read1(64 * 1024):  # type: ignore[attr-defined]
            if written < max_bytes:
                kept = chunk[: max_bytes - written]
                log.write(kept)
                log.flush()
                written += len(kept)
                if written >= max_bytes:
                    log.write(_TRUNCATED)
                    log.flush()
    source.close()
