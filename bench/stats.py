"""Summaries of repeated measurements: median and spread of runs, percentiles of latencies."""

import statistics
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in [0, 1]); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(runs: Sequence[float]) -> dict[str, Any]:
    """``{"median", "min", "max", "spread_pct", "runs"}`` of repeated figures (spread = (max-min)/median)."""
    if not runs:
        return {"median": 0.0, "min": 0.0, "max": 0.0, "spread_pct": 0.0, "runs": []}
    median = statistics.median(runs)
    spread = 100.0 * (max(runs) - min(runs)) / median if median else 0.0
    return {
        "median": round(median, 3),
        "min": round(min(runs), 3),
        "max": round(max(runs), 3),
        "spread_pct": round(spread, 1),
        "runs": [round(run, 3) for run in runs],
    }


def latency_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """p50 and p99 of latencies given in seconds, in milliseconds."""
    return {
        "p50_ms": round(1000 * percentile(samples_s, 0.50), 3),
        "p99_ms": round(1000 * percentile(samples_s, 0.99), 3),
    }
