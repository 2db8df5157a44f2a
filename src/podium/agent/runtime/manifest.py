"""The ``podium.toml`` manifest of a function or an opener.

```toml
entrypoint = "train:main"            # required: "module:callable", dotted names allowed
requirements = "requirements.txt"    # optional: pip requirements added to the worker's packages
python = ">=3.11"                    # optional: the interpreter versions the project supports
```

Unknown keys are refused, so that a typo (``entry_point``) is an error and not a silent default.
"""

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

MANIFEST_NAME: Final = "podium.toml"

_DOTTED: Final = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_ENTRYPOINT: Final = re.compile(rf"({_DOTTED}):({_DOTTED})")
_PYTHON_CLAUSE: Final = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*")
_KEYS: Final = frozenset({"entrypoint", "requirements", "python"})


class InvalidManifest(ValueError):
    """The project has no usable manifest; the message says what to fix."""


@dataclass(frozen=True)
class Manifest:
    """A validated manifest.

    Attributes:
        module: the module to import, relative to the project root.
        callable: the attribute path of the entry point inside ``module``.
        requirements: the requirements file relative to the project root, or ``None``.
        python: the interpreter specifier as written, or ``None``.
    """

    module: str
    callable: str
    requirements: str | None = None
    python: str | None = None

    @property
    def entrypoint(self) -> str:
        return f"{self.module}:{self.callable}"


def load_manifest(project: Path) -> Manifest:
    """Read and validate ``<project>/podium.toml``.

    Raises:
        InvalidManifest: the file is missing, is not TOML, has unknown or ill-typed keys, an entry point
            not of the form ``module:callable``, a requirements path outside the project or missing, or
            a ``python`` specifier the running interpreter does not satisfy.
    """
    path = project / MANIFEST_NAME
    if not path.is_file():
        raise InvalidManifest(f"{MANIFEST_NAME} not found at the root of the project")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidManifest(f"{MANIFEST_NAME} is not valid TOML: {error}") from error
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InvalidManifest(f"{MANIFEST_NAME}: unknown keys {unknown}; allowed: {sorted(_KEYS)}")
    entrypoint = data.get("entrypoint")
    if not isinstance(entrypoint, str):
        raise InvalidManifest(f'{MANIFEST_NAME}: "entrypoint" is required, as a string "module:callable"')
    match = _ENTRYPOINT.fullmatch(entrypoint.strip())
    if match is None:
        raise InvalidManifest(f'{MANIFEST_NAME}: entrypoint {entrypoint!r} is not "module:callable"')
    requirements = _optional_string(data, "requirements")
    if requirements is not None:
        relative = PurePosixPath(requirements)
        if relative.is_absolute() or ".." in relative.parts:
            raise InvalidManifest(f"{MANIFEST_NAME}: requirements {requirements!r} is outside the project")
        if not (project / relative).is_file():
            raise InvalidManifest(f"{MANIFEST_NAME}: requirements file {requirements!r} not found")
    python = _optional_string(data, "python")
    if python is not None:
        check_python(python, sys.version_info[:3])
    return Manifest(match.group(1), match.group(2), requirements, python)


def _optional_string(data: dict[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise InvalidManifest(f'{MANIFEST_NAME}: "{key}" must be a string')


def check_python(specifier: str, version: tuple[int, int, int]) -> None:
    """Check ``version`` against a comma-separated specifier such as ``">=3.11,<4"``.

    Raises:
        InvalidManifest: the specifier is malformed or ``version`` does not satisfy it.
    """
    for clause in specifier.split(","):
        match = _PYTHON_CLAUSE.fullmatch(clause)
        if match is None:
            raise InvalidManifest(f"{MANIFEST_NAME}: python {specifier!r} is not a version specifier")
        operator, *parts = match.groups()
        wanted = tuple(int(part) for part in parts if part)
        actual = version[: len(wanted)]
        satisfied = {
            ">=": actual >= wanted,
            "<=": actual <= wanted,
            "==": actual == wanted,
            "!=": actual != wanted,
            ">": actual > wanted,
            "<": actual < wanted,
        }[operator]
        if not satisfied:
            shown = ".".join(map(str, version))
            raise InvalidManifest(f"{MANIFEST_NAME}: python {specifier!r} is not satisfied by {shown}")
