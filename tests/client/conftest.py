"""Fixtures of the client tests: the fake server on loopback and a client on it whose retry sleeps
are recorded instead of slept."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from podium.client import ClientConfig, OrchestratorClient, RetrySettings
from tests.client.fake_server import FakeState, start_fake_server

MSPID, CHANNEL = "Org1MSP", "mychannel"


@dataclass
class Sleeps:
    """Stands in for ``time.sleep``: remembers each requested sleep and returns at once."""

    seconds: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def fake() -> Iterator[tuple[FakeState, int]]:
    state = FakeState()
    server, port = start_fake_server(state)
    yield state, port
    server.stop(grace=0).wait(5)


@pytest.fixture
def state(fake: tuple[FakeState, int]) -> FakeState:
    return fake[0]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def config_for(port: int, **overrides: object) -> ClientConfig:
    settings: dict[str, object] = {
        "target": f"127.0.0.1:{port}",
        "mspid": MSPID,
        "channel": CHANNEL,
        "insecure": True,
        "call_timeout": 10.0,
        "retry": RetrySettings(max_attempts=4, initial_backoff=0.1, max_backoff=1.0, total_timeout=30.0),
    }
    settings.update(overrides)
    return ClientConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def client(fake: tuple[FakeState, int], sleeps: Sleeps) -> Iterator[OrchestratorClient]:
    with OrchestratorClient(config_for(fake[1]), sleep=sleeps) as opened:
        yield opened


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
