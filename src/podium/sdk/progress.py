"""Showing a plan's progress while ``Client.wait`` polls it: a rich progress bar, or a callback."""

from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from podium.domain.kinds import TaskStatus
from podium.sdk.status import PlanStatus

ProgressCallback = Callable[[PlanStatus], None]

_SHORT = {
    TaskStatus.WAITING_FOR_BUILDER_SLOT: "build-wait",
    TaskStatus.BUILDING: "building",
    TaskStatus.WAITING_FOR_PARENT_TASKS: "waiting",
    TaskStatus.WAITING_FOR_EXECUTOR_SLOT: "todo",
    TaskStatus.EXECUTING: "doing",
    TaskStatus.DONE: "done",
    TaskStatus.FAILED: "failed",
    TaskStatus.CANCELED: "canceled",
}


def describe(status: PlanStatus) -> str:
    """``"doing: 3 done, 2 doing, 4 waiting"``: the state, then the non-zero task counts."""
    parts = [
        f"{count} {_SHORT.get(task_status, task_status.value)}"
        for task_status, count in status.counts.items()
    ]
    return f"{status.state.value}: {', '.join(parts) or 'no tasks'}"


class ProgressBar:
    """A ``ProgressCallback`` drawing a bar of finished tasks; use as a context manager."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("[bold]plan[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task = self._progress.add_task("starting", total=None)

    def __call__(self, status: PlanStatus) -> None:
        finished = sum(
            status.counts.get(final, 0) for final in (TaskStatus.DONE, TaskStatus.FAILED, TaskStatus.CANCELED)
        )
        self._progress.update(
            self._task, total=status.total, completed=finished, description=describe(status)
        )

    def __enter__(self) -> "ProgressBar":
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()
