"""``python -m bench.run [--quick] [--only NAME] [--out FILE]``: run the scenarios against a fresh
PostgreSQL database and ``podium serve`` subprocesses on loopback; write a JSON result file and print a
Markdown table (median and spread of the runs, ratio to the same-run ceiling)."""

import argparse
import importlib
import json
import os
import platform
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.infra import Postgres
from bench.report import Context, Row, markdown
from bench.scenarios import SCENARIOS


def machine(postgres: Postgres) -> dict[str, Any]:
    """nproc, CPU model, memory, Python and PostgreSQL versions."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": postgres.version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs (under two minutes)")
    parser.add_argument(
        "--only", action="append", choices=SCENARIOS, help="run only this scenario (repeatable)"
    )
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure (default 3, quick 2)")
    parser.add_argument(
        "--out", type=Path, default=None, help="result file (default bench/results/<date>.json)"
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 3)
    out = (
        args.out
        or Path("bench/results") / f"{datetime.now(UTC):%Y-%m-%dT%H%M%S}{'-quick' if args.quick else ''}.json"
    )
    # SIGTERM unwinds like Ctrl-C, so that every server started is stopped and the database dropped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    postgres = Postgres().create()
    rows: list[Row] = []
    timings: dict[str, float] = {}
    failures: dict[str, str] = {}
    try:
        ctx = Context(quick=args.quick, repeats=repeats, postgres=postgres)
        for name in args.only or SCENARIOS:
            began = time.monotonic()
            print(f"# {name} …", file=sys.stderr, flush=True)
            module = importlib.import_module(f"bench.scenarios.{name}")
            try:
                rows.extend(module.run(ctx))
            except Exception as error:  # one failed scenario must not lose the others
                failures[name] = f"{type(error).__name__}: {error}"
                print(f"# {name} FAILED: {failures[name]}", file=sys.stderr, flush=True)
            timings[name] = round(time.monotonic() - began, 1)
        result = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
            "quick": args.quick,
            "repeats": repeats,
            "machine": machine(postgres),
            "scenario_seconds": timings,
            "rows": [row.as_json() for row in rows],
            "failures": failures,
        }
    finally:
        postgres.drop()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(rows))
    print(f"\nresults: {out}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
