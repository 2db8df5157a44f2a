"""A development PKI: a CA per organization and one for the orchestrator, certificates with
``O=<MSPID>`` valid for 127.0.0.1 and localhost. For local networks and tests only.

Layout written by ``DevPki.create(root, organizations)``::

    root/orchestrator/{ca.pem, cert.pem, cert.key}     the server's CA and certificate
    root/client-cas/<MSPID>/ca.pem                     a directory per organization (TLS_CLIENT_CA_DIR)
    root/<MSPID>/{cert.pem, cert.key}                  the organization's certificate (client and server)
    root/trust.pem                                     every CA: what clients and peers verify against
"""

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY_DAYS = 30


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def write(self, directory: Path, stem: str) -> tuple[Path, Path]:
        """Write ``<stem>.pem`` and ``<stem>.key`` (mode 0600); return both paths."""
        directory.mkdir(parents=True, exist_ok=True)
        cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key"
        cert_path.write_bytes(self.cert_pem)
        key_path.write_bytes(self.key_pem)
        key_path.chmod(0o600)
        return cert_path, key_path


def _validity() -> tuple[datetime.datetime, datetime.datetime]:
    now = datetime.datetime.now(datetime.UTC)
    return now - datetime.timedelta(days=1), now + datetime.timedelta(days=VALIDITY_DAYS)


def make_ca(common_name: str, organization: str | None = None) -> Issued:
    """A self-signed CA certificate with a Subject Key Identifier."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    name = x509.Name(attributes)
    start, end = _validity()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue(
    ca: Issued,
    common_name: str,
    *,
    organizations: tuple[str, ...] = (),
    server: bool = False,
    client: bool = True,
    issuer_name: x509.Name | None = None,
) -> Issued:
    """A leaf certificate signed by ``ca``, for client and/or server use (a server certificate is valid
    for localhost and 127.0.0.1). ``issuer_name`` forges another issuer name (tests)."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    attributes += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    usages = [ExtendedKeyUsageOID.SERVER_AUTH] if server else []
    usages += [ExtendedKeyUsageOID.CLIENT_AUTH] if client or not server else []
    start, end = _validity()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(issuer_name or ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


@dataclass(frozen=True)
class OrganizationCredentials:
    cert: Path
    key: Path


@dataclass(frozen=True)
class DevPki:
    """Paths of a development PKI written on disk (layout in the module docstring)."""

    root: Path
    server_ca: Path
    server_cert: Path
    server_key: Path
    client_ca_dir: Path
    trust: Path
    organizations: dict[str, OrganizationCredentials]

    @classmethod
    def create(cls, root: Path, organizations: list[str]) -> "DevPki":
        server_ca = make_ca("podium dev orchestrator CA")
        server_ca_path, _ = server_ca.write(root / "orchestrator", "ca")
        server_cert, server_key = issue(server_ca, "localhost", server=True, client=True).write(
            root / "orchestrator", "cert"
        )
        bundle = [server_ca.cert_pem]
        credentials = {}
        for organization in organizations:
            ca = make_ca(f"{organization} dev CA", organization)
            ca.write(root / "client-cas" / organization, "ca")
            bundle.append(ca.cert_pem)
            cert, key = issue(
                ca, organization, organizations=(organization,), server=True, client=True
            ).write(root / organization, "cert")
            credentials[organization] = OrganizationCredentials(cert, key)
        trust = root / "trust.pem"
        trust.write_bytes(b"".join(bundle))
        return cls(root, server_ca_path, server_cert, server_key, root / "client-cas", trust, credentials)
