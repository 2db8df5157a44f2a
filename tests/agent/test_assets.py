"""The asset exchange over real HTTPS with mutual TLS on 127.0.0.1: who gets which file, and checksums."""

import hashlib
import logging
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from podium.agent.assets import (
    AssetServer,
    ChecksumMismatch,
    DownloadRefused,
    FetchError,
    OrchestratorPermissions,
    PeerUnreachable,
    client_context,
    fetch,
    organization_of,
    server_context,
)
from podium.agent.storage import FileKind, LocalStorage
from podium.api.generated import common_pb2, computetask_pb2, datamanager_pb2, function_pb2, model_pb2
from podium.domain.errors import NotFound
from tests.api.certs import issue, make_ca

ORG1, ORG2, ORG3 = "MyOrg1MSP", "MyOrg2MSP", "MyOrg3MSP"
MODEL = b"weights " * 4096


def _permissions(*ids: str, public: bool = False) -> common_pb2.Permissions:
    permission = common_pb2.Permission(public=public, authorized_ids=ids)
    return common_pb2.Permissions(process=permission, download=permission)


class FakeOrchestrator:
    """The orchestrator client's asset getters, answering from dicts of wire messages."""

    def __init__(self) -> None:
        self.models = {
            key: model_pb2.Model(key=key, owner=ORG1, permissions=_permissions(ORG1, ORG2))
            for key in ("m1", "m2")
        }
        self.functions = {
            "f1": function_pb2.Function(key="f1", owner=ORG1, permissions=_permissions(public=True))
        }
        self.data_managers = {
            "dm1": datamanager_pb2.DataManager(key="dm1", owner=ORG1, permissions=_permissions(ORG1))
        }
        self.tasks = {
            "t1": computetask_pb2.ComputeTask(
                key="t1", owner=ORG1, logs_permission=common_pb2.Permission(authorized_ids=[ORG1, ORG3])
            )
        }

    def get_model(self, key: str) -> model_pb2.Model:
        if key not in self.models:
            raise NotFound("model", key)
        return self.models[key]

    def get_function(self, key: str) -> function_pb2.Function:
        if key not in self.functions:
            raise NotFound("function", key)
        return self.functions[key]

    def get_data_manager(self, key: str) -> datamanager_pb2.DataManager:
        if key not in self.data_managers:
            raise NotFound("datamanager", key)
        return self.data_managers[key]

    def get_task(self, key: str) -> computetask_pb2.ComputeTask:
        if key not in self.tasks:
            raise NotFound("compute task", key)
        return self.tasks[key]


@dataclass
class Network:
    server: AssetServer
    storage: LocalStorage
    clients: dict[str, ssl.SSLContext]
    directory: Path

    def context(self, name: str) -> ssl.SSLContext:
        return self.clients[name]


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Network]:
    cas = {org: make_ca(f"{org} CA", org) for org in (ORG1, ORG2, ORG3)}
    ca_files = {org: cas[org].write(tmp_path / "cas", org)[0] for org in cas}
    server_cert, server_key = issue(cas[ORG1], "org1 assets", organizations=(ORG1,), server=True).write(
        tmp_path, "server"
    )
    storage = LocalStorage(tmp_path / "storage")
    tls = server_context(server_cert, server_key, ca_files.values())
    cas_by_organization: dict[str, list[x509.Certificate]] = {org: [ca.cert] for org, ca in cas.items()}
    clients: dict[str, ssl.SSLContext] = {}
    for name, issuer, organization in [
        (ORG2, ORG2, ORG2),
        (ORG3, ORG3, ORG3),
        ("forged", ORG3, ORG2),  # org 3's CA vouching for org 2's name
    ]:
        cert, key = issue(cas[issuer], f"{name} client", organizations=(organization,)).write(tmp_path, name)
        clients[name] = client_context([ca_files[ORG1]], cert, key)
    with AssetServer(
        storage, OrchestratorPermissions(FakeOrchestrator()), tls, cas_by_organization=cas_by_organization
    ) as server:
        yield Network(server, storage, clients, tmp_path)


def test_an_authorized_organization_downloads_a_model_checked_against_its_checksum(network: Network) -> None:
    stored = network.storage.write(FileKind.MODEL, "m1", MODEL)
    dest = network.directory / "downloads" / "m1"

    result = fetch(
        network.server.url_for(FileKind.MODEL, "m1"), dest, stored.sha256, tls=network.context(ORG2)
    )

    assert dest.read_bytes() == MODEL
    assert result.sha256 == hashlib.sha256(MODEL).hexdigest()
    assert result.size == len(MODEL)


def test_an_unauthorized_organization_is_refused_and_logged(
    network: Network, caplog: pytest.LogCaptureFixture
) -> None:
    stored = network.storage.write(FileKind.MODEL, "m1", MODEL)
    dest = network.directory / "m1"
    caplog.set_level(logging.WARNING, logger="podium.agent.assets")

    with pytest.raises(DownloadRefused) as refused:
        fetch(network.server.url_for(FileKind.MODEL, "m1"), dest, stored.sha256, tls=network.context(ORG3))

    assert refused.value.status == 403
    assert not dest.exists()
    assert any("refused models/m1 to MyOrg3MSP" in record.getMessage() for record in caplog.records), (
        caplog.text
    )


def test_a_certificate_naming_another_organization_is_refused(network: Network) -> None:
    stored = network.storage.write(FileKind.MODEL, "m1", MODEL)

    with pytest.raises(DownloadRefused) as refused:
        fetch(
            network.server.url_for(FileKind.MODEL, "m1"),
            network.directory / "m1",
            stored.sha256,
            tls=network.context("forged"),
        )

    assert refused.value.status == 403


def test_a_wrong_checksum_is_refused_and_nothing_is_left(network: Network) -> None:
    network.storage.write(FileKind.MODEL, "m1", MODEL)
    dest = network.directory / "downloads" / "m1"

    with pytest.raises(ChecksumMismatch) as mismatch:
        fetch(network.server.url_for(FileKind.MODEL, "m1"), dest, "0" * 64, tls=network.context(ORG2))

    assert mismatch.value.actual == hashlib.sha256(MODEL).hexdigest()
    assert sorted(dest.parent.iterdir()) == []


def test_a_corrupted_file_does_not_replace_a_good_one(network: Network) -> None:
    stored = network.storage.write(FileKind.MODEL, "m1", MODEL)
    dest = network.directory / "m1"
    dest.write_bytes(b"previous good copy")
    network.storage.path(FileKind.MODEL, "m1").write_bytes(b"corrupted at rest")

    with pytest.raises(ChecksumMismatch):
        fetch(network.server.url_for(FileKind.MODEL, "m1"), dest, stored.sha256, tls=network.context(ORG2))

    assert dest.read_bytes() == b"previous good copy"


@pytest.mark.parametrize(
    ("kind", "key", "client", "status"),
    [
        (FileKind.FUNCTION, "f1", ORG3, 200),  # public
        (FileKind.OPENER, "dm1", ORG2, 403),  # private to its owner
        (FileKind.LOG, "t1", ORG3, 200),  # the task's logs permission
        (FileKind.LOG, "t1", ORG2, 403),
        (FileKind.MODEL, "unknown", ORG2, 403),  # the orchestrator does not know it
        (FileKind.PERFORMANCE, "t1", ORG2, 403),  # never served
    ],
)
def test_permissions_by_kind(network: Network, kind: FileKind, key: str, client: str, status: int) -> None:
    stored = network.storage.write(kind, key, b"content")
    url = network.server.url_for(kind, key)
    dest = network.directory / "out"

    if status == 200:
        fetch(url, dest, stored.sha256, tls=network.context(client))
        assert dest.read_bytes() == b"content"
    else:
        with pytest.raises(DownloadRefused) as refused:
            fetch(url, dest, stored.sha256, tls=network.context(client))
        assert refused.value.status == status


@pytest.mark.parametrize(
    "path",
    [
        "/models/m2",  # authorized, but not in storage
        "/nothing/m1",
        "/models/..%2Fm1",
        "/models/.tmp-x",
        "/models",
        "/",
        "/models/m1/extra",
    ],
)
def test_unknown_files_are_404(network: Network, path: str) -> None:
    network.storage.write(FileKind.MODEL, "m1", MODEL)

    with pytest.raises(DownloadRefused) as refused:
        fetch(network.server.url + path, network.directory / "x", "0" * 64, tls=network.context(ORG2))

    assert refused.value.status == 404


def test_a_client_without_a_certificate_cannot_connect(network: Network, tmp_path: Path) -> None:
    context = ssl.create_default_context(cafile=next((tmp_path / "cas").glob(f"{ORG1}.pem")))
    network.storage.write(FileKind.FUNCTION, "f1", b"archive")

    with pytest.raises(FetchError):
        fetch(
            network.server.url_for(FileKind.FUNCTION, "f1"),
            tmp_path / "f1",
            "0" * 64,
            tls=context,
            attempts=2,
            backoff=0.01,
        )

    assert not (tmp_path / "f1").exists()


def test_an_unreachable_peer_is_retried_then_reported(network: Network) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(PeerUnreachable, match="after 3 attempts"):
        fetch(
            f"https://127.0.0.1:{port}/models/m1",
            network.directory / "m1",
            "0" * 64,
            tls=network.context(ORG2),
            attempts=3,
            backoff=0.01,
        )


def test_organization_of_reads_the_single_o_value(tmp_path: Path) -> None:
    ca = make_ca("CA", ORG1)
    other_ca = make_ca("other CA", ORG2)
    leaf = issue(ca, "leaf", organizations=(ORG1,)).cert.public_bytes(Encoding.DER)
    two = issue(ca, "leaf", organizations=(ORG1, ORG2)).cert.public_bytes(Encoding.DER)
    none = issue(ca, "leaf").cert.public_bytes(Encoding.DER)

    assert organization_of(leaf) == ORG1
    assert organization_of(leaf, {ORG1: [ca.cert]}) == ORG1
    assert organization_of(leaf, {ORG1: [other_ca.cert]}) is None
    assert organization_of(two) is None
    assert organization_of(none) is None
    assert organization_of(None) is None
    assert organization_of(b"not a certificate") is None
