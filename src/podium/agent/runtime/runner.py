"""The process that runs one task inside the function's environment.

``python -m podium.agent.runtime.runner <spec.json>``: reads the spec, imports the function's entry
point, calls the opener when the task has a data input, calls the function, checks that every output
was written (a PERFORMANCE output must hold one finite number), and exits 0. On failure it prints the
traceback (into the task's log), writes a ``RunnerError`` to ``error.json`` next to the spec and exits
1. The current directory is the task's working directory, chosen by the caller.
"""

import importlib
import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

from podium.agent.runtime.contract import Inputs, Outputs, TaskContext, read_performance
from podium.agent.runtime.manifest import InvalidManifest, load_manifest
from podium.agent.runtime.spec import ERROR_FILE_NAME, OutputKind, RunnerError, RunnerErrorKind, TaskSpec


class _Failure(Exception):
    def __init__(self, kind: RunnerErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def load_entrypoint(project: Path) -> Any:
    """Import the entry point named by ``<project>/podium.toml`` with ``project`` on ``sys.path``.

    Raises:
        _Failure: the manifest is invalid, the module cannot be imported, or the name is not callable.
    """
    try:
        manifest = load_manifest(project)
    except InvalidManifest as error:
        raise _Failure(RunnerErrorKind.IMPORT, str(error)) from error
    sys.path.insert(0, str(project))
    try:
        target: Any = importlib.import_module(manifest.module)
        for name in manifest.callable.split("."):
            target = getattr(target, name)
    except Exception as error:
        raise _Failure(RunnerErrorKind.IMPORT, f"cannot load {manifest.entrypoint}: {error!r}") from error
    if not callable(target):
        raise _Failure(RunnerErrorKind.IMPORT, f"{manifest.entrypoint} is not callable")
    return target


def run(spec: TaskSpec, function_dir: Path, workdir: Path) -> None:
    """Run the task described by ``spec``; raise ``_Failure`` (chained to the cause) on failure."""
    function = load_entrypoint(function_dir)
    data: dict[str, object] = {}
    if spec.data is not None:
        opener = load_entrypoint(spec.data.opener_dir)
        try:
            data[spec.data.identifier] = opener([Path(p) for p in spec.data.sample_dirs])
        except Exception as error:
            raise _Failure(RunnerErrorKind.OPENER, f"the opener raised {error!r}") from error
    for output in spec.outputs.values():
        output.path.parent.mkdir(parents=True, exist_ok=True)
    inputs = Inputs(spec.inputs, data)
    outputs = Outputs({name: output.path for name, output in spec.outputs.items()})
    context = TaskContext(
        spec.task_key, spec.compute_plan_key, spec.rank, spec.organization, workdir, dict(spec.metadata)
    )
    try:
        function(inputs, outputs, context)
    except Exception as error:
        raise _Failure(RunnerErrorKind.FUNCTION, f"the function raised {error!r}") from error
    for name, output in spec.outputs.items():
        if not output.path.is_file():
            raise _Failure(RunnerErrorKind.OUTPUT, f"output {name!r} was not written to {output.path}")
        if output.kind is OutputKind.PERFORMANCE:
            try:
                read_performance(output.path)
            except ValueError as error:
                raise _Failure(RunnerErrorKind.OUTPUT, f"output {name!r}: {error}") from error


def _fail(error_file: Path, failure: RunnerError) -> NoReturn:
    print(f"podium: task failed ({failure.kind.value}): {failure.message}", file=sys.stderr)
    if failure.traceback:
        print(failure.traceback, file=sys.stderr)
    error_file.write_text(failure.to_json(), encoding="utf-8")
    sys.exit(1)


def main(argv: list[str]) -> None:
    """Entry point: ``argv`` is ``[<spec.json>]``."""
    if len(argv) != 1:
        print("usage: python -m podium.agent.runtime.runner <spec.json>", file=sys.stderr)
        sys.exit(2)
    spec_path = Path(argv[0])
    error_file = spec_path.with_name(ERROR_FILE_NAME)
    try:
        spec, function_dir = TaskSpec.from_json(spec_path.read_text(encoding="utf-8"))
    except (OSError, KeyError, TypeError, ValueError) as error:
        _fail(error_file, RunnerError(RunnerErrorKind.SPEC, f"unreadable task spec: {error!r}"))
    try:
        run(spec, function_dir, Path.cwd())
    except _Failure as failure:
        cause = failure.__cause__
        _fail(
            error_file,
            RunnerError(
                failure.kind,
                str(failure),
                type(cause).__name__ if cause is not None else "",
                "".join(traceback.format_exception(cause)) if cause is not None else "",
            ),
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
