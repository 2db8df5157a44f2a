"""The function runtime: the function format, building its environment, running a task in a subprocess.

A function (and a data manager's opener) is a Python project, a directory or a ``.tar.gz``/``.zip``
archive of one, with a ``podium.toml`` manifest (``docs/functions.md``). ``build_environment`` unpacks
it safely and creates its virtual environment once; ``run_task``/``start_task`` run one task in that
environment through ``podium.agent.runtime.runner``. Functions see only ``contract`` (``Inputs``,
``Outputs``, ``TaskContext``). Nothing is unpickled: podium moves files and reads JSON numbers.

Rule: standard library only (the runner runs inside the function's environment).
"""

from podium.agent.runtime.archive import UnsafeArchive, unpack_archive
from podium.agent.runtime.build import BuildResult, build_environment
from podium.agent.runtime.contract import Inputs, Outputs, TaskContext, read_performance
from podium.agent.runtime.execute import RunningTask, RunResult, run_task, start_task
from podium.agent.runtime.manifest import MANIFEST_NAME, InvalidManifest, Manifest, load_manifest
from podium.agent.runtime.spec import DataSpec, OutputKind, OutputSpec, RunnerError, TaskSpec

__all__ = [
    "MANIFEST_NAME",
    "BuildResult",
    "DataSpec",
    "Inputs",
    "InvalidManifest",
    "Manifest",
    "OutputKind",
    "OutputSpec",
    "Outputs",
    "RunResult",
    "RunnerError",
    "RunningTask",
    "TaskContext",
    "TaskSpec",
    "UnsafeArchive",
    "build_environment",
    "load_manifest",
    "read_performance",
    "run_task",
    "start_task",
    "unpack_archive",
]
