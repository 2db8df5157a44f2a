"""The end-to-end scenario at its smallest: 2 organizations x 1 round on the embedded broker, with real
``podium serve``, ``podium agent`` and ``podium worker`` processes (stopped by pid by the scenario)."""

import pytest

from bench.infra import Postgres
from bench.report import Context
from bench.scenarios import endtoend


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_endtoend_embedded_two_organizations_one_round() -> None:
    # The scenario needs no PostgreSQL (the network's orchestrator is on SQLite): the database is
    # named but never created.
    ctx = Context(quick=True, repeats=1, postgres=Postgres())

    rows = endtoend.run(ctx, organizations=2, rounds=1, brokers=["embedded"])

    metrics = {row.metric: row for row in rows}
    assert [row.case for row in rows] == ["embedded, 2 orgs x 1 rounds (7 tasks)"] * 3
    overhead = metrics["overhead p50 (parent DONE → EXECUTING), ms"]
    # Train x2 → aggregate → predict x2 → metric x2: every task but the two trains has parents.
    assert overhead.extra["tasks_with_parents"] == 5
    assert overhead.value["median"] > 0
    assert metrics["tasks completed/s"].value["median"] > 0
