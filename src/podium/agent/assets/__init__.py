"""Asset exchange between organizations: an HTTPS file server with mutual TLS, and a checked downloader.

- ``AssetServer`` serves ``GET /{kind}/{key}`` from the organization's ``Storage`` to the organizations
  whose client certificate (``O=<MSPID>``) a ``PermissionSource`` authorizes (``OrchestratorPermissions``
  asks the orchestrator); refusals are 403 and logged, unknown files 404.
- ``fetch`` downloads a file to a path only if its SHA-256 is the registered one, with bounded retries
  on connection errors.
- ``server_context``/``client_context`` build the TLS contexts; ``organization_of`` reads a peer's
  organization from its certificate.
"""

from podium.agent.assets.download import (
    ChecksumMismatch,
    DownloadRefused,
    FetchError,
    FetchResult,
    PeerUnreachable,
    fetch,
)
from podium.agent.assets.identity import client_context, organization_of, server_context
from podium.agent.assets.permissions import AssetLookup, OrchestratorPermissions, PermissionSource
from podium.agent.assets.server import AssetServer

__all__ = [
    "AssetLookup",
    "AssetServer",
    "ChecksumMismatch",
    "DownloadRefused",
    "FetchError",
    "FetchResult",
    "OrchestratorPermissions",
    "PeerUnreachable",
    "PermissionSource",
    "client_context",
    "fetch",
    "organization_of",
    "server_context",
]
