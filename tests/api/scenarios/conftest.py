"""A running orchestrator (embedded SQLite, and PostgreSQL) and the backends of three organizations."""

from collections.abc import Iterator

import grpc
import pytest

from podium.api.server import RunningServer
from tests.api.scenarios.harness import ORG_A, ORG_B, ORG_C, Backend, sqlite_url, start_server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    if request.param == "postgres":
        url = request.getfixturevalue("clean_postgres_url")
    else:
        url = sqlite_url(tmp_path_factory.mktemp("orchestrator"))
    running = start_server(url)
    yield running
    running.stop(grace=1.0)


@pytest.fixture
def channel(server: RunningServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as opened:
        yield opened


@pytest.fixture
def org_a(channel: grpc.Channel) -> Backend:
    return Backend(channel, ORG_A)


@pytest.fixture
def org_b(channel: grpc.Channel) -> Backend:
    return Backend(channel, ORG_B)


@pytest.fixture
def org_c(channel: grpc.Channel) -> Backend:
    return Backend(channel, ORG_C)
