"""``bench.compare`` prints a result file's figures, next to an earlier run's when asked."""

import json
from pathlib import Path
from typing import Any

import pytest

from bench.compare import main, table


def _row(case: str, median: float, ratio: float | None, ceiling: str = "COPY") -> dict[str, Any]:
    summary = {"median": median, "spread_pct": 12.0}
    return {
        "scenario": "registration",
        "case": case,
        "metric": "tasks/s",
        "value": summary,
        "ceiling_name": ceiling,
        "ceiling": {"median": 20_000.0, "spread_pct": 3.0},
        "ratio": ratio,
    }


def test_a_row_shows_its_median_spread_ceiling_and_ratio() -> None:
    lines = table([_row("10,000 tasks", 4_321.5, 0.216)]).splitlines()
    assert lines[2] == "| registration | 10,000 tasks | tasks/s | 4,322 (±12%) | COPY | 20,000 (±3%) | 0.22 |"


def test_earlier_figures_are_matched_by_case_metric_and_ceiling() -> None:
    now = [_row("10,000 tasks", 4_000.0, 0.2), _row("100,000 tasks", 3_000.0, 0.15)]
    before = [_row("10,000 tasks", 2_000.0, 0.1), _row("100,000 tasks", 700.0, 0.03, ceiling="other")]
    lines = table(now, before).splitlines()
    assert lines[0].endswith("| before | ratio before |")
    assert lines[2].endswith("| 2,000 (±12%) | 0.10 |")
    assert lines[3].endswith("| - | - |")  # same case, another ceiling: not the same figure


def test_the_command_reads_result_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = tmp_path / "now.json"
    result.write_text(json.dumps({"rows": [_row("1,000 tasks", 3.5, None)]}), encoding="utf-8")
    assert main([str(result), "--before", str(result)]) == 0
    out = capsys.readouterr().out
    expected = "| 1,000 tasks | tasks/s | 3.5 (±12%) | COPY | 20,000 (±3%) | - | 3.5 (±12%) | - |"
    assert expected in out
