"""Running tasks in a built environment: outputs, failures, time limits and cancellation."""

import json
import threading
import time
from pathlib import Path

from podium.agent.runtime import (
    BuildResult,
    DataSpec,
    OutputKind,
    OutputSpec,
    RunningTask,
    TaskSpec,
    build_environment,
    read_performance,
    run_task,
)
from podium.agent.runtime.spec import RunnerErrorKind
from tests.agent.functions import OPENER, RAISES, SLEEPS, TRAIN, write_project


def _build(tmp_path: Path, source: str, entrypoint: str) -> BuildResult:
    result = build_environment(
        write_project(tmp_path / "project", source, entrypoint), tmp_path / "env", timeout=120
    )
    assert result.ok, result.log
    return result


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}


def _goes_away(pid: int, seconds: float = 10) -> bool:
    """Whether ``pid`` exits within ``seconds``: SIGKILL to a process group is delivered
    asynchronously, so a grandchild may still be on its way out when the runner has returned."""
    deadline = time.monotonic() + seconds
    while not _gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _wait_for(condition_path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition_path.exists():
        assert time.monotonic() < deadline, f"{condition_path} never appeared"
        time.sleep(0.05)


def test_a_task_with_data_and_a_parent_model_writes_its_model_and_performance(tmp_path: Path) -> None:
    built = _build(tmp_path, TRAIN, "main:train")
    opener = write_project(tmp_path / "opener", OPENER, "opener:open_samples", module="opener")
    samples = tuple(tmp_path / name for name in ("s2", "s1"))
    for sample in samples:
        sample.mkdir()
    parent = tmp_path / "parent.json"
    parent.write_text('{"weight": 10}')
    out = tmp_path / "work" / "out"
    spec = TaskSpec(
        task_key="task-1",
        inputs={"model": (parent,)},
        data=DataSpec("datasamples", opener, samples),
        outputs={
            "model": OutputSpec(out / "model.json"),
            "performance": OutputSpec(out / "perf.json", OutputKind.PERFORMANCE),
        },
    )

    result = run_task(built.env_dir, built.function_dir, spec, tmp_path / "work", timeout=60)

    assert result.ok
    assert result.error is None
    model = json.loads((out / "model.json").read_text())
    assert model == {"weight": 12, "samples": ["s1", "s2"], "task": "task-1"}
    assert read_performance(out / "perf.json") == 0.75
    assert "trained on 2 samples" in result.log_path.read_text()


def test_a_task_that_raises_exits_non_zero_with_its_log_and_a_structured_error(tmp_path: Path) -> None:
    built = _build(tmp_path, RAISES, "main:main")

    result = run_task(built.env_dir, built.function_dir, TaskSpec("t"), tmp_path / "work", timeout=60)

    assert not result.ok
    assert result.returncode == 1
    assert not result.timed_out
    assert result.error is not None
    assert result.error.kind is RunnerErrorKind.FUNCTION
    assert result.error.is_function_fault
    assert result.error.exception_type == "RuntimeError"
    log = result.log_path.read_text()
    assert "about to fail" in log
    assert "the function is broken" in log
    assert "Traceback" in log


def test_a_missing_output_is_an_output_error(tmp_path: Path) -> None:
    built = _build(tmp_path, "def main(inputs, outputs, context):\n    pass\n", "main:main")
    spec = TaskSpec("t", outputs={"model": OutputSpec(tmp_path / "work" / "model.bin")})

    result = run_task(built.env_dir, built.function_dir, spec, tmp_path / "work", timeout=60)

    assert result.error is not None
    assert result.error.kind is RunnerErrorKind.OUTPUT
    assert "'model' was not written" in result.error.message


def test_a_performance_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    source = "def main(inputs, outputs, context):\n    outputs['perf'].write_text('[1]')\n"
    built = _build(tmp_path, source, "main:main")
    spec = TaskSpec("t", outputs={"perf": OutputSpec(tmp_path / "work" / "p.json", OutputKind.PERFORMANCE)})

    result = run_task(built.env_dir, built.function_dir, spec, tmp_path / "work", timeout=60)

    assert result.error is not None
    assert result.error.kind is RunnerErrorKind.OUTPUT


def test_a_log_is_cut_at_its_bound(tmp_path: Path) -> None:
    built = _build(tmp_path, "def main(inputs, outputs, context):\n    print('x' * 100_000)\n", "main:main")

    result = run_task(
        built.env_dir, built.function_dir, TaskSpec("t"), tmp_path / "work", timeout=60, max_log_bytes=1000
    )

    assert result.ok
    log = result.log_path.read_bytes()
    assert log.startswith(b"x" * 1000)
    assert log.endswith(b"[podium: log truncated]\n")
    assert len(log) < 1100


def test_a_task_past_its_time_limit_is_killed_with_its_children(tmp_path: Path) -> None:
    built = _build(tmp_path, SLEEPS, "main:main")

    result = run_task(built.env_dir, built.function_dir, TaskSpec("t"), tmp_path / "work", timeout=2, grace=1)

    assert result.timed_out
    assert not result.ok
    assert not result.canceled
    runner, child = map(int, (tmp_path / "work" / "pids").read_text().split())
    assert _goes_away(runner)
    assert _goes_away(child)
    assert _group_is_gone(runner)


def test_cancel_stops_the_whole_process_group(tmp_path: Path) -> None:
    built = _build(tmp_path, SLEEPS, "main:main")
    started: list[RunningTask] = []
    outcome = []

    def run() -> None:
        outcome.append(
            run_task(
                built.env_dir,
                built.function_dir,
                TaskSpec("t"),
                tmp_path / "work",
                timeout=120,
                on_start=started.append,
                grace=1,
            )
        )

    thread = threading.Thread(target=run)
    thread.start()
    _wait_for(tmp_path / "work" / "pids")
    started[0].cancel()
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert outcome[0].canceled
    assert not outcome[0].ok
    assert not outcome[0].timed_out
    runner, child = map(int, (tmp_path / "work" / "pids").read_text().split())
    assert runner == started[0].pid
    assert _goes_away(runner)
    assert _goes_away(child)
    assert _group_is_gone(started[0].pid)


def _group_is_gone(pgid: int) -> bool:
    """Whether no live process is left in group ``pgid`` (zombies wait for a reaper in containers)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] not in {"Z", "X"}:
                return False
    return True
