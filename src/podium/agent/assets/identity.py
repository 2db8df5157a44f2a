"""TLS contexts for the asset exchange, and who a peer is.

A peer's organization is the ``O=`` of its certificate's subject (exactly one value). When the CAs of
each organization are known, the certificate must also be directly issued by one of the CAs of the
organization it names, so that one organization's CA cannot vouch for another's name.
"""

import ssl
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID


def server_context(cert_file: Path, key_file: Path, client_ca_files: Iterable[Path]) -> ssl.SSLContext:
    """A server context that requires a client certificate issued by one of ``client_ca_files``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    for ca_file in client_ca_files:
        context.load_verify_locations(cafile=ca_file)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def client_context(server_ca_files: Iterable[Path], cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """A client context presenting ``cert_file`` and verifying servers (and their host names)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    for ca_file in server_ca_files:
        context.load_verify_locations(cafile=ca_file)
    context.load_cert_chain(cert_file, key_file)
    return context


def organization_of(
    certificate_der: bytes | None, cas_by_organization: Mapping[str, Sequence[x509.Certificate]] | None = None
) -> str | None:
    """The organization a (TLS-verified) peer certificate identifies, or ``None``.

    Args:
        certificate_der: ``SSLSocket.getpeercert(binary_form=True)``.
        cas_by_organization: when given, the certificate must be directly issued by one of the CAs listed
            for the organization it names.

    Returns:
        The single ``O=`` value, or ``None`` when there is no certificate, no or several ``O=`` values,
        or (with ``cas_by_organization``) no CA of that organization issued it.
    """
    if not certificate_der:
        return None
    try:
        certificate = x509.load_der_x509_certificate(certificate_der)
    except ValueError:
        return None
    names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if len(names) != 1 or not isinstance(names[0].value, str) or not names[0].value:
        return None
    organization = names[0].value
    if cas_by_organization is None:
        return organization
    for ca in cas_by_organization.get(organization, ()):
        try:
            certificate.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return organization
    return None
