"""The benchmark harness runs end to end at a tiny size: fresh database, real ``podium serve``, COPY
ceiling, JSON-ready rows. No timing assertions."""

import json

import pytest

from bench.infra import Postgres
from bench.report import Context, markdown
from bench.scenarios import registration

pytestmark = pytest.mark.slow


def test_the_quick_registration_scenario_runs_at_a_tiny_size() -> None:
    postgres = Postgres().create()
    try:
        rows = registration.run(Context(quick=True, repeats=1, postgres=postgres), sizes=(50,))
    finally:
        postgres.drop()
    [row] = rows
    assert row.case == "50 tasks"
    assert row.value["median"] > 0
    assert row.ceiling is not None
    assert row.ceiling["median"] > 0
    assert row.extra["server_peak_rss_mib"] > 0
    assert json.loads(json.dumps(row.as_json()))["ratio"] is not None
    assert "| registration | 50 tasks | tasks/s |" in markdown(rows)
