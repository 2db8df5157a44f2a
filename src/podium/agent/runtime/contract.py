"""What a task function sees: ``callable(inputs: Inputs, outputs: Outputs, context: TaskContext)``.

- ``inputs[identifier]`` is a list of ``Path`` for file inputs (models, written by the function that
  produced them), or, for the data input, whatever the data manager's opener returned when called with
  the list of data-sample directories.
- ``outputs[identifier]`` is the ``Path`` where the function must write that output: a model file in a
  format of its choosing (npz, json, safetensors… never pickle: other organizations read it), or, for a
  PERFORMANCE output, a JSON file holding one number (``outputs.write_performance`` does it).

Standard library only: this module is imported inside the function's environment.
"""

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

MAX_PERFORMANCE_FILE_BYTES: Final = 4096


class Inputs(Mapping[str, Any]):
    """The task's inputs by identifier (read-only). Missing optional inputs are absent."""

    def __init__(self, files: Mapping[str, Sequence[Path]], data: Mapping[str, object]) -> None:
        self._values: dict[str, Any] = {name: list(paths) for name, paths in files.items()}
        self._values.update(data)

    def __getitem__(self, identifier: str) -> Any:
        return self._values[identifier]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def paths(self, identifier: str) -> list[Path]:
        """The files of a file input (several when the input is ``multiple``)."""
        value = self._values[identifier]
        if not isinstance(value, list):
            raise TypeError(f"input {identifier!r} is data, not files")
        return list(value)

    def path(self, identifier: str) -> Path:
        """The single file of a file input.

        Raises:
            ValueError: the input has no file or several.
        """
        paths = self.paths(identifier)
        if len(paths) != 1:
            raise ValueError(f"input {identifier!r} has {len(paths)} files, expected one")
        return paths[0]


class Outputs(Mapping[str, Path]):
    """Where to write each output, by identifier (read-only). Every output must be written."""

    def __init__(self, paths: Mapping[str, Path]) -> None:
        self._paths = dict(paths)

    def __getitem__(self, identifier: str) -> Path:
        return self._paths[identifier]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def write_performance(self, identifier: str, value: float) -> None:
        """Write a PERFORMANCE output: one finite number as JSON."""
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"performance {identifier!r} must be finite, got {value!r}")
        self._paths[identifier].write_text(json.dumps(number), encoding="utf-8")


@dataclass(frozen=True)
class TaskContext:
    """Facts about the running task. ``workdir`` is the current directory and is free scratch space."""

    task_key: str
    compute_plan_key: str
    rank: int
    organization: str
    workdir: Path
    metadata: Mapping[str, str] = field(default_factory=dict)


def read_performance(path: Path) -> float:
    """Read a PERFORMANCE output file: exactly one finite JSON number, nothing else is accepted.

    Raises:
        ValueError: the file is too large, is not JSON, or holds anything but one finite number.
    """
    if path.stat().st_size > MAX_PERFORMANCE_FILE_BYTES:
        raise ValueError(f"{path.name}: a performance file holds one number, this one is too large")

    def refuse_constant(name: str) -> float:
        raise ValueError(f"{path.name}: {name} is not a performance")

    try:
        value = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path.name}: not JSON: {error}") from error
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{path.name}: a performance is one JSON number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{path.name}: the performance {value!r} is not finite")
    return number
