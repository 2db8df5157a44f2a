"""Transport security: server credentials, client CAs per organization, MSP-id verification.

- TLS: the server presents a certificate and key read from files. gRPC's core library refuses
  protocol versions below TLS 1.2 on servers.
- mTLS: clients must present a certificate that verifies against a pool made of the server CA file
  (when given) and every CA file of the client-CA directory. That directory holds one sub-directory
  per organization, named exactly as its MSP id, of PEM files (``*.pem``, ``*.crt``; links resolved).
- MSP-id verification (reference §2.4): the ``mspid`` header must be one of the ``O=`` values of the
  leaf client certificate, the organization must have a CA directory, and the certificate must be
  issued by one of that organization's CAs (issuer name and signature checked with ``cryptography``,
  so another organization's CA cannot vouch for it even if it copies the issuer name).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from podium.domain.errors import PermissionDenied

logger = logging.getLogger(__name__)

CA_SUFFIXES = (".pem", ".crt")


class TlsConfigError(ValueError):
    """A certificate, key or CA directory is missing or unreadable."""


@dataclass(frozen=True)
class ClientCAs:
    """The CA certificates of each organization, keyed by MSP id, and their PEM bundle."""

    by_organization: Mapping[str, tuple[x509.Certificate, ...]]
    pem_bundle: bytes

    @classmethod
    def load(cls, directory: Path) -> "ClientCAs":
        """Read ``<directory>/<MSPID>/*.pem|*.crt``. Raises ``TlsConfigError`` on an unreadable file."""
        if not directory.is_dir():
            raise TlsConfigError(f"client CA directory {directory} does not exist")
        by_organization: dict[str, tuple[x509.Certificate, ...]] = {}
        bundle: list[bytes] = []
        for organization_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
            certificates: list[x509.Certificate] = []
            for path in sorted(organization_dir.iterdir()):
                if path.suffix.lower() not in CA_SUFFIXES or not path.resolve().is_file():
                    continue
                pem = read_file(path.resolve())
                try:
                    certificates.extend(x509.load_pem_x509_certificates(pem))
                except ValueError as error:
                    raise TlsConfigError(f"{path}: not a PEM certificate: {error}") from error
                bundle.append(pem.rstrip(b"\n") + b"\n")
            if certificates:
                by_organization[organization_dir.name] = tuple(certificates)
        if not by_organization:
            logger.warning("client CA directory %s holds no CA certificate", directory)
        return cls(by_organization, b"".join(bundle))


def read_file(path: Path) -> bytes:
    """Read a credential file. Raises ``TlsConfigError`` naming the path."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise TlsConfigError(f"cannot read {path}: {error.strerror or error}") from error


def server_credentials(
    cert_path: Path,
    key_path: Path,
    *,
    server_ca_path: Path | None = None,
    client_cas: ClientCAs | None = None,
) -> grpc.ServerCredentials:
    """TLS credentials; with ``client_cas`` given, client certificates are required (mTLS).

    The client-verification pool is the server CA file plus every client CA.
    """
    key_pair = [(read_file(key_path), read_file(cert_path))]
    if client_cas is None:
        return grpc.ssl_server_credentials(key_pair)
    pool = client_cas.pem_bundle
    if server_ca_path is not None:
        pool = read_file(server_ca_path).rstrip(b"\n") + b"\n" + pool
    if not pool:
        raise TlsConfigError("mTLS needs at least one CA: a server CA file or a client CA directory")
    return grpc.ssl_server_credentials(key_pair, root_certificates=pool, require_client_auth=True)


def peer_certificates(context: grpc.ServicerContext) -> list[x509.Certificate]:
    """The certificates the TLS peer presented (leaf first), empty without TLS client auth."""
    auth = context.auth_context()
    pems = auth.get("x509_pem_cert_chain") or auth.get("x509_pem_cert") or []
    certificates: list[x509.Certificate] = []
    for pem in pems:
        try:
            certificates.extend(x509.load_pem_x509_certificates(pem))
        except ValueError:
            continue
    return certificates


def verify_msp_id(mspid: str, presented: list[x509.Certificate], client_cas: ClientCAs) -> None:
    """Check that the caller's certificate proves it belongs to ``mspid``.

    Args:
        mspid: the value of the ``mspid`` header.
        presented: the peer's certificates, leaf first (``peer_certificates``).
        client_cas: the CAs of each organization.

    Raises:
        PermissionDenied: no certificate, ``mspid`` not among the leaf's ``O=`` values, no CA directory
            for ``mspid``, or no presented certificate issued by a CA of ``mspid``.
    """
    if not presented:
        raise PermissionDenied("invalid MSPID: failed to extract MSP ID from TLS context")
    leaf = presented[0]
    organizations = {
        attribute.value for attribute in leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    }
    if mspid not in organizations:
        raise PermissionDenied(
            f'invalid MSPID: cannot find MSPID "{mspid}" in client TLS certificate Subject Organizations'
        )
    authorities = client_cas.by_organization.get(mspid)
    if not authorities:
        raise PermissionDenied(f'invalid MSPID: cannot find MSPID "{mspid}" in allowed organizations')
    for certificate in presented:
        for authority in authorities:
            if _issued_by(certificate, authority):
                return
    raise PermissionDenied(f'invalid MSPID: invalid issuer for MSPID "{mspid}"')


def _issued_by(certificate: x509.Certificate, authority: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(authority)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
