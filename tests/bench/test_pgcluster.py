"""With no PostgreSQL answering, the benchmark starts a throwaway cluster of its own (fsync on) and
removes it at the end."""

import psycopg
import pytest

from bench.infra import Postgres
from bench.pgcluster import ThrowawayCluster

pytestmark = pytest.mark.slow

NOTHING_LISTENS = "postgresql://postgres@127.0.0.1:1/postgres"


@pytest.mark.skipif(not ThrowawayCluster.available(), reason="initdb/pg_ctl not installed")
def test_the_runner_starts_its_own_cluster_when_no_server_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_PG_ADMIN_URL", raising=False)
    postgres = Postgres(admin_url=NOTHING_LISTENS).create()
    cluster = postgres.cluster
    try:
        assert cluster is not None
        assert postgres.admin_url != NOTHING_LISTENS
        with psycopg.connect(postgres.url) as connection:
            fsync = connection.execute("SHOW fsync").fetchone()
            migrated = connection.execute("SELECT count(*) FROM channel_heads").fetchone()
        assert fsync == ("on",)  # figures against it are what a deployment would pay
        assert migrated == (0,)  # ``podium migrate`` ran against it
    finally:
        postgres.drop()
    assert postgres.cluster is None
    assert not cluster.directory.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres.admin_url, connect_timeout=3)


def test_a_configured_server_that_does_not_answer_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_PG_ADMIN_URL", NOTHING_LISTENS)
    with pytest.raises(RuntimeError, match="does not answer"):
        Postgres(admin_url=NOTHING_LISTENS).create()
