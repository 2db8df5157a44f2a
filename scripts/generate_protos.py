"""Generate the Python code of the wire contract from ``proto/orchestrator/*.proto``.

Usage::

    python scripts/generate_protos.py           # (re)write src/podium/api/generated/
    python scripts/generate_protos.py --check   # exit 1 when the committed code is stale

The proto root is ``proto/orchestrator`` so that descriptors are registered under bare file names
(``computetask.proto``), as Substra's clients expect. protoc then writes bare imports
(``import common_pb2 as common__pb2``), which only work with the output directory on ``sys.path``;
they are rewritten into package-relative imports (``from . import common_pb2 as common__pb2``).
Output is a pure function of the .proto files and the pinned grpcio-tools / mypy-protobuf versions,
so ``--check`` can compare bytes.
"""

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto" / "orchestrator"
OUT_DIR = ROOT / "src" / "podium" / "api" / "generated"

INIT_TEXT = '''"""Generated protobuf and gRPC code of the ``orchestrator`` proto package. DO NOT EDIT.

Regenerate with ``python scripts/generate_protos.py`` (``make proto``); ``--check`` verifies freshness.
Descriptors are registered under bare file names (``computetask.proto``, ...).
"""
'''

_GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi")


def _plugin(name: str) -> str:
    """Path of a protoc plugin installed next to the running interpreter (the venv), else on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"protoc plugin {name!r} not found: install mypy-protobuf")
    return found


def _rewrite_imports(path: Path, modules: set[str]) -> None:
    """Turn bare imports of sibling generated modules into package-relative ones."""
    pattern = re.compile(r"^import (\w+)( as \w+)?$", re.MULTILINE)

    def replace(match: re.Match[str]) -> str:
        name, alias = match.group(1), match.group(2) or ""
        return f"from . import {name}{alias}" if name in modules else match.group(0)

    path.write_text(pattern.sub(replace, path.read_text(encoding="utf-8")), encoding="utf-8")


def generate(out_dir: Path) -> None:
    """Write the generated package (modules, stubs and ``__init__.py``) into ``out_dir``."""
    protos = sorted(PROTO_DIR.glob("*.proto"))
    if not protos:
        raise SystemExit(f"no .proto files in {PROTO_DIR}")
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--proto_path={PROTO_DIR}",
        f"--plugin=protoc-gen-mypy={_plugin('protoc-gen-mypy')}",
        f"--plugin=protoc-gen-mypy_grpc={_plugin('protoc-gen-mypy_grpc')}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        f"--mypy_out=quiet:{out_dir}",
        f"--mypy_grpc_out=quiet:{out_dir}",
        *(proto.name for proto in protos),
    ]
    subprocess.run(command, check=True, cwd=PROTO_DIR)
    modules = {f"{proto.stem}_pb2" for proto in protos} | {f"{proto.stem}_pb2_grpc" for proto in protos}
    for path in sorted(out_dir.iterdir()):
        if path.name.endswith(_GENERATED_SUFFIXES):
            _rewrite_imports(path, modules)
    (out_dir / "__init__.py").write_text(INIT_TEXT, encoding="utf-8")


def _listing(directory: Path) -> list[str]:
    return sorted(
        path.name for path in directory.iterdir() if path.is_file() and path.suffix in {".py", ".pyi"}
    )


def check() -> int:
    """Regenerate into a temporary directory; return 0 when ``OUT_DIR`` holds the same files."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "generated"
        generate(fresh)
        expected = _listing(fresh)
        actual = _listing(OUT_DIR) if OUT_DIR.is_dir() else []
        stale = sorted(set(expected) ^ set(actual))
        _, mismatch, errors = filecmp.cmpfiles(
            fresh, OUT_DIR, sorted(set(expected) & set(actual)), shallow=False
        )
        stale += mismatch + errors
    if stale:
        print("generated code is stale; run scripts/generate_protos.py. Differs:", *sorted(stale), sep="\n  ")
        return 1
    print(f"generated code is up to date ({len(expected)} files)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed code is stale")
    arguments = parser.parse_args()
    if arguments.check:
        return check()
    # Start from an empty package so that code of a removed .proto file does not linger.
    if OUT_DIR.is_dir():
        for path in OUT_DIR.iterdir():
            if path.is_file() and path.name.endswith((*_GENERATED_SUFFIXES, "__init__.py")):
                path.unlink()
    generate(OUT_DIR)
    print(f"wrote {len(_listing(OUT_DIR))} files to {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
