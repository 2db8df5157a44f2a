"""The demo's function projects, written as directories in podium's function format."""

import shutil
from pathlib import Path

from podium.demo import functions

FUNCTIONS = ("train", "aggregate", "predict", "metric")


def _project(directory: Path, module: str, entrypoint: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(functions.__file__).parent / f"{module}.py", directory / f"{module}.py")
    (directory / "podium.toml").write_text(f'entrypoint = "{module}:{entrypoint}"\n', encoding="utf-8")
    return directory


def write_projects(root: Path) -> dict[str, Path]:
    """One project per FedAvg role and the opener's; returns their directories by name."""
    projects = {name: _project(root / name, "fedlr_model", name) for name in FUNCTIONS}
    projects["opener"] = _project(root / "opener", "digits_opener", "load")
    return projects
