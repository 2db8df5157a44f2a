"""``python -m bench.compare RESULT.json [--before EARLIER.json]``: the Markdown table of a result file,
optionally next to an earlier run's figures (matched by scenario, case, metric and ceiling).

The tables of ``docs/performance.md`` are printed by this command from the result files committed in
``bench/results/``, so every figure there can be traced to one run.
"""

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Key = tuple[str, str, str, str]


def load_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a result file written by ``python -m bench.run``."""
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["rows"]
    return rows


def key_of(row: Mapping[str, Any]) -> Key:
    """What identifies a figure across runs."""
    return (row["scenario"], row["case"], row["metric"], row.get("ceiling_name") or "")


def figure(summary: Mapping[str, Any] | None) -> str:
    """``median (±spread%)``, thousands separated; ``-`` for no figure."""
    if not summary:
        return "-"
    median = float(summary["median"])
    text = f"{median:,.0f}" if abs(median) >= 100 else f"{median:.3g}"
    return f"{text} (±{float(summary['spread_pct']):.0f}%)"


def ratio(row: Mapping[str, Any] | None) -> str:
    """The row's ratio to its ceiling, two decimals; ``-`` when it has none."""
    if row is None or row.get("ratio") is None:
        return "-"
    return f"{float(row['ratio']):.2f}"


def table(rows: Sequence[Mapping[str, Any]], before: Sequence[Mapping[str, Any]] = ()) -> str:
    """A Markdown table of ``rows``; with ``before``, two more columns: the earlier figure and ratio."""
    earlier = {key_of(row): row for row in before}
    header = "| scenario | case | metric | podium (spread) | ceiling | ceiling (spread) | ratio |"
    rule = "|---|---|---|---|---|---|---|"
    if before:
        header += " before | ratio before |"
        rule += "---|---|"
    lines = [header, rule]
    for row in rows:
        line = (
            f"| {row['scenario']} | {row['case']} | {row['metric']} | {figure(row['value'])} "
            f"| {row.get('ceiling_name') or '-'} | {figure(row.get('ceiling'))} | {ratio(row)} |"
        )
        if before:
            old = earlier.get(key_of(row))
            line += f" {figure(old['value']) if old else '-'} | {ratio(old)} |"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("result", type=Path, help="a result file of python -m bench.run")
    parser.add_argument("--before", type=Path, default=None, help="an earlier result file")
    parser.add_argument("--scenario", action="append", default=None, help="only these scenarios")
    args = parser.parse_args(argv)
    rows = [r for r in load_rows(args.result) if not args.scenario or r["scenario"] in args.scenario]
    print(table(rows, load_rows(args.before) if args.before else ()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
