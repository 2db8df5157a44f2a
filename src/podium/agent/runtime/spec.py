"""The task specification handed to the runner, and the error the runner reports, both as JSON.

The executor builds a ``TaskSpec`` from the orchestrator's task and the fetched files; ``run_task``
writes it next to the run's log; the runner reads it in the function's environment. Standard library
only.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

ERROR_FILE_NAME: Final = "error.json"
"""Written by the runner next to the spec when it reports a ``RunnerError``."""


class OutputKind(StrEnum):
    MODEL = "model"
    PERFORMANCE = "performance"


@dataclass(frozen=True)
class OutputSpec:
    """Where an output goes and what it is (a PERFORMANCE file is checked to hold one number)."""

    path: Path
    kind: OutputKind = OutputKind.MODEL


@dataclass(frozen=True)
class DataSpec:
    """The data input: the opener project, the data-sample directories, and the input identifier
    under which the function receives what the opener returns."""

    identifier: str
    opener_dir: Path
    sample_dirs: tuple[Path, ...]


@dataclass(frozen=True)
class TaskSpec:
    """Everything the runner needs besides the function project and the working directory."""

    task_key: str
    compute_plan_key: str = ""
    rank: int = 0
    organization: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    inputs: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    data: DataSpec | None = None
    outputs: Mapping[str, OutputSpec] = field(default_factory=dict)

    def to_json(self, function_dir: Path) -> str:
        """The JSON the runner reads; ``function_dir`` is the project whose entry point it calls."""
        document: dict[str, Any] = {
            "function_dir": str(function_dir),
            "task_key": self.task_key,
            "compute_plan_key": self.compute_plan_key,
            "rank": self.rank,
            "organization": self.organization,
            "metadata": dict(self.metadata),
            "inputs": {name: [str(path) for path in paths] for name, paths in self.inputs.items()},
            "data": None,
            "outputs": {
                name: {"path": str(output.path), "kind": output.kind.value}
                for name, output in self.outputs.items()
            },
        }
        if self.data is not None:
            document["data"] = {
                "identifier": self.data.identifier,
                "opener_dir": str(self.data.opener_dir),
                "sample_dirs": [str(path) for path in self.data.sample_dirs],
            }
        return json.dumps(document, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "tuple[TaskSpec, Path]":
        """Parse what ``to_json`` wrote; return the spec and the function directory.

        Raises:
            KeyError, TypeError, ValueError: the document is not a task spec.
        """
        document = json.loads(text)
        data = document["data"]
        spec = cls(
            task_key=str(document["task_key"]),
            compute_plan_key=str(document["compute_plan_key"]),
            rank=int(document["rank"]),
            organization=str(document["organization"]),
            metadata={str(k): str(v) for k, v in document["metadata"].items()},
            inputs={name: tuple(Path(p) for p in paths) for name, paths in document["inputs"].items()},
            data=None
            if data is None
            else DataSpec(
                identifier=str(data["identifier"]),
                opener_dir=Path(data["opener_dir"]),
                sample_dirs=tuple(Path(p) for p in data["sample_dirs"]),
            ),
            outputs={
                name: OutputSpec(Path(output["path"]), OutputKind(output["kind"]))
                for name, output in document["outputs"].items()
            },
        )
        return spec, Path(document["function_dir"])


class RunnerErrorKind(StrEnum):
    SPEC = "spec"  # podium's fault: the spec could not be read
    IMPORT = "import"  # the entry point (or the opener's) could not be loaded
    OPENER = "opener"  # the opener raised
    FUNCTION = "function"  # the function raised
    OUTPUT = "output"  # an output is missing or not what its kind requires


@dataclass(frozen=True)
class RunnerError:
    """A structured failure reported by the runner (also printed in the log with its traceback)."""

    kind: RunnerErrorKind
    message: str
    exception_type: str = ""
    traceback: str = ""

    @property
    def is_function_fault(self) -> bool:
        """Whether the function (or its opener) is to blame, i.e. an execution error to report."""
        return self.kind is not RunnerErrorKind.SPEC

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind.value,
                "message": self.message,
                "exception_type": self.exception_type,
                "traceback": self.traceback,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> "RunnerError":
        document = json.loads(text)
        return cls(
            RunnerErrorKind(document["kind"]),
            str(document["message"]),
            str(document.get("exception_type", "")),
            str(document.get("traceback", "")),
        )
