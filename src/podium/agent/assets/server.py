"""The organization's file server: ``GET /{kind}/{key}`` over HTTPS with client certificates.

Answers: 200 with the bytes; 403 when the peer has no usable identity or is not authorized (logged at
WARNING with the organization, kind and key); 404 for an unknown kind, an invalid key or a missing
file (only once the peer is authorized, so refusals reveal nothing); 503 when the permission source
fails (logged at ERROR). The TLS handshake runs in the request's thread, with a timeout, so a slow or
silent client cannot hold the accept loop.
"""

import logging
import shutil
import socket
import ssl
import threading
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final

from cryptography import x509

from podium.agent.assets.identity import organization_of
from podium.agent.assets.permissions import PermissionSource
from podium.agent.storage import FileKind, InvalidKey, Storage, check_key

logger = logging.getLogger("podium.agent.assets")

_KINDS: Final = {kind.value: kind for kind in FileKind}
_CHUNK: Final = 256 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        tls: ssl.SSLContext,
        storage: Storage,
        permissions: PermissionSource,
        cas_by_organization: Mapping[str, Sequence[x509.Certificate]] | None,
        timeout: float,
    ) -> None:
        super().__init__(address, _Handler)
        self.tls = tls
        self.storage = storage
        self.permissions = permissions
        self.cas_by_organization = cas_by_organization
        self.request_timeout = timeout

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        return self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Failed handshakes (no or untrusted client certificate) and dropped connections land here.
        logger.info("asset server: connection from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.request.settimeout(self.server.request_timeout)
        self.request.do_handshake()
        super().setup()

    def do_GET(self) -> None:
        parts = self.path.split("?", 1)[0].split("/")
        organization = organization_of(
            self.request.getpeercert(binary_form=True), self.server.cas_by_organization
        )
        if organization is None:
            logger.warning("asset server: refused %s to a peer without a valid organization", self.path)
            self._answer(HTTPStatus.FORBIDDEN)
            return
        if len(parts) != 3 or parts[0] != "" or parts[1] not in _KINDS:
            self._answer(HTTPStatus.NOT_FOUND)
            return
        kind, key = _KINDS[parts[1]], parts[2]
        try:
            check_key(key)
        except InvalidKey:
            self._answer(HTTPStatus.NOT_FOUND)
            return
        try:
            allowed = self.server.permissions.can_download(kind, key, organization)
        except Exception:
            logger.exception("asset server: cannot check permissions of %s/%s", kind.value, key)
            self._answer(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        if not allowed:
            logger.warning(
                "asset server: refused %s/%s to %s (not authorized)", kind.value, key, organization
            )
            self._answer(HTTPStatus.FORBIDDEN)
            return
        self._send_file(kind, key, organization)

    def _send_file(self, kind: FileKind, key: str, organization: str) -> None:
        storage = self.server.storage
        try:
            stream = storage.open(kind, key)
        except FileNotFoundError:
            self._answer(HTTPStatus.NOT_FOUND)
            return
        with stream:
            size = storage.size(kind, key)
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            shutil.copyfileobj(stream, self.wfile, _CHUNK)
        logger.info("asset server: sent %s/%s (%d bytes) to %s", kind.value, key, size, organization)

    def _answer(self, status: HTTPStatus) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("asset server: %s " + format, self.address_string(), *args)


class AssetServer:
    """Serves an organization's files to authorized organizations; run in a background thread.

    Usage::

        with AssetServer(storage, permissions, server_context(...)) as server:
            url = server.url_for(FileKind.MODEL, key)
    """

    def __init__(
        self,
        storage: Storage,
        permissions: PermissionSource,
        tls: ssl.SSLContext,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        cas_by_organization: Mapping[str, Sequence[x509.Certificate]] | None = None,
        request_timeout: float = 30.0,
    ) -> None:
        """Bind now (``port=0`` picks a free port); serve from ``start``.

        Args:
            cas_by_organization: when given, a client certificate must be issued by a CA of the
                organization its ``O=`` names (see ``organization_of``).
            request_timeout: seconds a connection may stay idle, handshake included.
        """
        self._server = _Server(
            (host, port),
            tls=tls,
            storage=storage,
            permissions=permissions,
            cas_by_organization=cas_by_organization,
            timeout=request_timeout,
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"https://{host!s}:{port}"

    def url_for(self, kind: FileKind, key: str) -> str:
        """The URL at which this server serves ``(kind, key)`` (the asset's ``storage_address``)."""
        return f"{self.url}/{FileKind(kind).value}/{check_key(key)}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket; in-flight requests finish in their daemon threads."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "AssetServer":
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
