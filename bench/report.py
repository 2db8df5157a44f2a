"""A scenario's figures (``Row``), the context scenarios run in, and the Markdown table."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.infra import BareServer, Postgres, Server


@dataclass
class Row:
    """One figure next to its ceiling. ``value``/``ceiling`` are ``stats.summary`` dicts (median, spread).

    ``higher_is_better`` decides the ratio: value/ceiling for rates, ceiling/value for durations.
    """

    scenario: str
    case: str
    metric: str
    value: dict[str, Any]
    ceiling_name: str = ""
    ceiling: dict[str, Any] | None = None
    higher_is_better: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """The figure as a fraction of its ceiling (1.0 = as fast as the ceiling)."""
        if not self.ceiling or not self.ceiling["median"] or not self.value["median"]:
            return None
        if self.higher_is_better:
            return float(self.value["median"]) / float(self.ceiling["median"])
        return float(self.ceiling["median"]) / float(self.value["median"])

    def as_json(self) -> dict[str, Any]:
        """The row with its ratio, for the result file."""
        return {**asdict(self), "ratio": None if self.ratio is None else round(self.ratio, 3)}


@dataclass
class Context:
    """What a scenario gets: the mode, the repeat count and the run's PostgreSQL database."""

    quick: bool
    repeats: int
    postgres: Postgres

    @contextmanager
    def server(self, *, processes: int = 1, threads: int = 32) -> Iterator[Server]:
        """A ``podium serve`` over this run's database, stopped (by pid) when the block ends."""
        server = Server(self.postgres.url, processes=processes, threads=threads)
        try:
            yield server.wait_ready()
        finally:
            server.stop()

    @contextmanager
    def bare(self, threads: int = 32) -> Iterator[BareServer]:
        """The bare gRPC server, stopped (by pid) when the block ends."""
        server = BareServer(threads)
        try:
            yield server.wait_ready()
        finally:
            server.stop()


def _figure(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "-"
    return f"{summary['median']:g} (±{summary['spread_pct']:g}%)"


def markdown(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (median and spread of the runs, ratio to the ceiling)."""
    lines = [
        "| scenario | case | metric | podium median (spread) | ceiling | ceiling median (spread) | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        ceiling = row.ceiling_name or "-"
        lines.append(
            f"| {row.scenario} | {row.case} | {row.metric} | {_figure(row.value)} | {ceiling} "
            f"| {_figure(row.ceiling)} | {ratio} |"
        )
    return "\n".join(lines)
