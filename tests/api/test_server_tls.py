"""Transport security over real sockets: TLS, mTLS with per-organization CAs, MSP-id verification."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest

from podium.api.tls import ClientCAs, TlsConfigError, verify_msp_id
from podium.domain.errors import PermissionDenied
from tests.api.certs import issue, make_ca
from tests.api.conftest import ORG1, ORG2, Pki, StartServer, call

PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED


def tls_settings(pki: Pki, *, mtls: bool = False, verify: bool = False) -> dict[str, object]:
    settings: dict[str, object] = {
        "insecure": False,
        "tls_cert": pki.path("server.pem"),
        "tls_key": pki.path("server.key"),
    }
    if mtls:
        settings |= {
            "mtls": True,
            "tls_server_ca": pki.path("server-ca.pem"),
            "tls_client_ca_dir": pki.client_ca_dir,
            "verify_client_msp_id": verify,
        }
    return settings


@contextmanager
def secure_channel(port: int, pki: Pki, client: str | None = None) -> Iterator[grpc.Channel]:
    pair = pki.clients[client] if client else None
    credentials = grpc.ssl_channel_credentials(
        root_certificates=pki.server_ca.cert_pem,
        private_key=pair.key_pem if pair else None,
        certificate_chain=pair.cert_pem if pair else None,
    )
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials) as opened:
        yield opened


def headers(mspid: str) -> tuple[tuple[str, str], ...]:
    return (("mspid", mspid), ("channel", "mychannel"))


def test_tls_serves_and_refuses_plain_text(start_server: StartServer, pki: Pki) -> None:
    running, _ = start_server(**tls_settings(pki))
    with secure_channel(running.port, pki) as opened:
        assert call(opened, "Whoami").startswith(ORG1.encode())
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as plain, pytest.raises(grpc.RpcError) as raised:
        call(plain, "Whoami", timeout=5)
    assert raised.value.code() is grpc.StatusCode.UNAVAILABLE


def test_mtls_requires_a_client_certificate(start_server: StartServer, pki: Pki) -> None:
    running, _ = start_server(**tls_settings(pki, mtls=True))
    with secure_channel(running.port, pki) as anonymous, pytest.raises(grpc.RpcError) as raised:
        call(anonymous, "Whoami", timeout=5)
    assert raised.value.code() is grpc.StatusCode.UNAVAILABLE
    with secure_channel(running.port, pki, ORG2) as org2:
        assert call(org2, "Whoami", metadata=headers(ORG2)).startswith(ORG2.encode())


def test_mtls_refuses_a_certificate_of_an_unknown_ca(start_server: StartServer, pki: Pki) -> None:
    stranger_ca = make_ca("stranger CA", "Stranger")
    stranger = issue(stranger_ca, "stranger", organizations=(ORG1,))
    running, _ = start_server(**tls_settings(pki, mtls=True))
    credentials = grpc.ssl_channel_credentials(pki.server_ca.cert_pem, stranger.key_pem, stranger.cert_pem)
    with (
        grpc.secure_channel(f"127.0.0.1:{running.port}", credentials) as opened,
        pytest.raises(grpc.RpcError) as raised,
    ):
        call(opened, "Whoami", timeout=5)
    assert raised.value.code() is grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize(("client", "mspid"), [(ORG1, ORG1), (ORG2, ORG2), ("two-orgs", ORG1)])
def test_msp_id_verification_accepts_the_right_organization(
    start_server: StartServer, pki: Pki, client: str, mspid: str
) -> None:
    running, _ = start_server(**tls_settings(pki, mtls=True, verify=True))
    with secure_channel(running.port, pki, client) as opened:
        assert call(opened, "Whoami", metadata=headers(mspid)).startswith(mspid.encode())


@pytest.mark.parametrize(
    ("client", "mspid", "message"),
    [
        (ORG1, ORG2, f'cannot find MSPID "{ORG2}" in client TLS certificate Subject Organizations'),
        ("org2-as-org1", ORG1, f'invalid issuer for MSPID "{ORG1}"'),
        ("two-orgs", "Other", 'cannot find MSPID "Other" in allowed organizations'),
    ],
)
def test_msp_id_verification_refuses(
    start_server: StartServer, pki: Pki, client: str, mspid: str, message: str
) -> None:
    running, _ = start_server(**tls_settings(pki, mtls=True, verify=True))
    with secure_channel(running.port, pki, client) as opened, pytest.raises(grpc.RpcError) as raised:
        call(opened, "Whoami", metadata=headers(mspid))
    assert raised.value.code() is PERMISSION_DENIED
    assert raised.value.details() == f"OE0102: invalid MSPID: {message}"


def test_a_forged_issuer_name_is_refused_at_the_handshake(start_server: StartServer, pki: Pki) -> None:
    running, _ = start_server(**tls_settings(pki, mtls=True, verify=True))
    with secure_channel(running.port, pki, "forged") as opened, pytest.raises(grpc.RpcError) as raised:
        call(opened, "Whoami", metadata=headers(ORG1), timeout=5)
    assert raised.value.code() is grpc.StatusCode.UNAVAILABLE


def test_verification_checks_the_signature_not_only_the_issuer_name(pki: Pki) -> None:
    cas = ClientCAs.load(pki.client_ca_dir)
    with pytest.raises(PermissionDenied, match="invalid issuer"):
        verify_msp_id(ORG1, [pki.clients["forged"].cert], cas)
    verify_msp_id(ORG1, [pki.clients[ORG1].cert], cas)


def test_verification_without_a_peer_certificate_is_refused(pki: Pki) -> None:
    with pytest.raises(PermissionDenied, match="failed to extract MSP ID"):
        verify_msp_id(ORG1, [], ClientCAs.load(pki.client_ca_dir))


def test_client_ca_directory_is_read_per_organization(pki: Pki, tmp_path: Path) -> None:
    cas = ClientCAs.load(pki.client_ca_dir)
    assert set(cas.by_organization) == {ORG1, ORG2}
    assert cas.by_organization[ORG1][0] == pki.org_cas[ORG1].cert
    (tmp_path / ORG1).mkdir()
    (tmp_path / ORG1 / "broken.pem").write_text("not a certificate")
    with pytest.raises(TlsConfigError, match=r"broken\.pem"):
        ClientCAs.load(tmp_path)
    with pytest.raises(TlsConfigError, match="does not exist"):
        ClientCAs.load(tmp_path / "missing")
