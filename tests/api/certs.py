"""The tests' certificates come from the development PKI (``podium.demo.pki``): one CA per
organization, leaf certificates with ``O=<MSPID>``, server certificates valid for 127.0.0.1."""

from podium.demo.pki import Issued, issue, make_ca

__all__ = ["Issued", "issue", "make_ca"]
