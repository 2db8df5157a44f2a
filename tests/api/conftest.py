"""Fixtures of the server tests: a real server on an ephemeral loopback port, a probe service that
exposes what the interceptor gives handlers, channel files and test certificates."""

import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import grpc
import pytest

from podium.api.identity import current_caller
from podium.api.server import RunningServer, build_server
from podium.api.settings import Settings
from podium.app.ports import RetryableConflict
from podium.domain import errors
from tests.api.certs import Issued, issue, make_ca

PROBE = "podium.test.Probe"
ORG1, ORG2 = "Org1MSP", "Org2MSP"
CHANNELS_YAML = f"channels:\n  mychannel: [{ORG1}, {ORG2}]\n  yourchannel: [{ORG2}]\n"
HEADERS = (("mspid", ORG1), ("channel", "mychannel"))


def domain_error_types() -> list[type[errors.DomainError]]:
    """Every subclass of ``DomainError``, recursively."""
    found: list[type[errors.DomainError]] = []
    pending = list(errors.DomainError.__subclasses__())
    while pending:
        error_type = pending.pop()
        found.append(error_type)
        pending.extend(error_type.__subclasses__())
    return found


def make_error(error_type: type[BaseException]) -> BaseException:
    """An instance of ``error_type``, whatever its constructor's string parameters."""
    parameters = [p for p in inspect.signature(error_type.__init__).parameters.values() if p.name != "self"]
    required = [
        p for p in parameters if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    return error_type(*[f"<{p.name}>" for p in required]) if required else error_type("boom")


RAISABLE: dict[str, type[BaseException]] = {
    **{t.__name__: t for t in domain_error_types()},
    "RetryableConflict": RetryableConflict,
    "ValueError": ValueError,
}


@dataclass
class Probe:
    """A test service: ``Whoami`` answers the caller, ``Raise`` raises the named exception class,
    ``Stream`` sends the caller then waits for shutdown, ``RaiseInStream`` fails after one message."""

    shutdown_event: threading.Event = field(default_factory=threading.Event)
    stream_ended: threading.Event = field(default_factory=threading.Event)

    @staticmethod
    def _whoami() -> bytes:
        caller = current_caller()
        return f"{caller.organization}|{caller.channel}|{caller.request_id}".encode()

    def whoami(self, request: bytes, context: Any) -> bytes:
        return self._whoami()

    def raise_(self, request: bytes, context: Any) -> bytes:
        raise make_error(RAISABLE[request.decode()])

    def echo_size(self, request: bytes, context: Any) -> bytes:
        return str(len(request)).encode()

    def big_answer(self, request: bytes, context: Any) -> bytes:
        return b"x" * int(request.decode())

    def stream(self, request: bytes, context: Any) -> Iterator[bytes]:
        try:
            yield self._whoami()
            self.shutdown_event.wait(30)
            yield b"bye"
        finally:
            self.stream_ended.set()

    def raise_in_stream(self, request: bytes, context: Any) -> Iterator[bytes]:
        yield self._whoami()
        raise make_error(RAISABLE[request.decode()])

    def handler(self) -> grpc.GenericRpcHandler:
        unary = grpc.unary_unary_rpc_method_handler
        streaming = grpc.unary_stream_rpc_method_handler
        return grpc.method_handlers_generic_handler(
            PROBE,
            {
                "Whoami": unary(self.whoami),
                "Raise": unary(self.raise_),
                "EchoSize": unary(self.echo_size),
                "BigAnswer": unary(self.big_answer),
                "Stream": streaming(self.stream),
                "RaiseInStream": streaming(self.raise_in_stream),
            },
        )


@pytest.fixture
def channels_file(tmp_path: Path) -> Path:
    path = tmp_path / "channels.yaml"
    path.write_text(CHANNELS_YAML)
    return path


BASE_SETTINGS = Settings(
    listen="127.0.0.1:0", http_listen="127.0.0.1:0", insecure=True, threads=8, shutdown_grace_seconds=1.0
)

StartServer = Callable[..., tuple[RunningServer, Probe]]


@pytest.fixture
def start_server(channels_file: Path) -> Iterator[StartServer]:
    """Start servers with ``BASE_SETTINGS`` plus overrides; each is stopped at teardown."""
    started: list[RunningServer] = []

    def start(**overrides: Any) -> tuple[RunningServer, Probe]:
        settings = replace(BASE_SETTINGS, channel_config=channels_file, **overrides).check()
        probe = Probe()
        running = build_server(settings, None, extra_handlers=[probe.handler()])
        probe.shutdown_event = running.shutdown_event
        started.append(running)
        return running, probe

    yield start
    for running in started:
        running.stop(grace=0)


@pytest.fixture
def server(start_server: StartServer) -> tuple[RunningServer, Probe]:
    return start_server()


@pytest.fixture
def channel(server: tuple[RunningServer, Probe]) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{server[0].port}") as opened:
        yield opened


def call(
    channel: grpc.Channel, method: str, request: bytes = b"", metadata: Any = HEADERS, timeout: float = 10
) -> Any:
    """Call ``/podium.test.Probe/<method>`` with raw bytes."""
    return channel.unary_unary(f"/{PROBE}/{method}")(request, metadata=metadata, timeout=timeout)


@dataclass(frozen=True)
class Pki:
    """Test certificates: a server pair, one CA per organization, client pairs, the CA directory."""

    server_ca: Issued
    server: Issued
    org_cas: dict[str, Issued]
    clients: dict[str, Issued]
    root: Path

    def path(self, name: str) -> Path:
        return self.root / name

    @property
    def client_ca_dir(self) -> Path:
        return self.root / "client-cas"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = tmp_path_factory.mktemp("pki")
    server_ca = make_ca("podium test server CA")
    server = issue(server_ca, "localhost", server=True)
    server_ca.write(root, "server-ca")
    server.write(root, "server")
    org_cas = {org: make_ca(f"{org} CA", org) for org in (ORG1, ORG2)}
    for org, ca in org_cas.items():
        (root / "client-cas" / org).mkdir(parents=True)
        (root / "client-cas" / org / "ca.crt").write_bytes(ca.cert_pem)
    clients = {
        ORG1: issue(org_cas[ORG1], "org1 client", organizations=(ORG1,)),
        ORG2: issue(org_cas[ORG2], "org2 client", organizations=(ORG2,)),
        # Claims Org1 but is issued by Org2's CA.
        "org2-as-org1": issue(org_cas[ORG2], "impostor", organizations=(ORG1,)),
        # Claims Org1 and names Org1's CA as issuer, but is signed by Org2's CA.
        "forged": issue(
            org_cas[ORG2], "forger", organizations=(ORG1,), issuer_name=org_cas[ORG1].cert.subject
        ),
        "two-orgs": issue(org_cas[ORG1], "multi", organizations=("Other", ORG1)),
    }
    for name, pair in clients.items():
        pair.write(root, f"client-{name}")
    return Pki(server_ca, server, org_cas, clients, root)
