"""Running the dashboard: uvicorn serving ``create_app`` for one organization, on loopback by default.

``DashboardServer`` owns the SDK client, the event hub and the uvicorn server; ``start`` runs uvicorn
in a thread (tests, ``podium demo``) and ``serve`` in the calling thread (``podium dashboard``, which
then stops on SIGINT/SIGTERM). The listening socket is bound before uvicorn starts, so ``url`` is
known (port 0 picks a free port).
"""

import socket
import threading
import time
from types import TracebackType
from typing import Final

import uvicorn

from podium.agent.node import NodeConfig
from podium.dashboard.app import create_app
from podium.dashboard.hub import EventHub
from podium.dashboard.reader import DashboardReader
from podium.sdk import Client

DEFAULT_LISTEN: Final = "127.0.0.1:8580"


def parse_listen(listen: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) → (host, port).

    Raises:
        ValueError: no port, or not a number in 0..65535.
    """
    host, separator, port = listen.rpartition(":")
    if not separator or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--listen must be host:port, got {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


class DashboardServer:
    """The dashboard of ``node``'s organization, listening on ``listen``.

    Raises (constructor):
        ValueError: a malformed ``listen``.
        OSError: the address cannot be bound.
    """

    def __init__(self, node: NodeConfig, listen: str = DEFAULT_LISTEN) -> None:
        host, port = parse_listen(listen)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = host, int(self._socket.getsockname()[1])
        self.client = Client(node)
        self.hub = EventHub(self.client.orchestrator)
        app = create_app(DashboardReader(self.client), self.hub)
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve(self) -> None:
        """Serve in this thread until SIGINT/SIGTERM; then close everything."""
        self.hub.start()
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._close()

    def start(self, timeout: float = 10.0) -> "DashboardServer":
        """Serve in a daemon thread; return once uvicorn accepts connections.

        Raises:
            RuntimeError: not started within ``timeout`` seconds.
        """
        self.hub.start()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="dashboard", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the dashboard did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (open event streams end), join the thread, close the client. Idempotent."""
        self.hub.close()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._close()

    def _close(self) -> None:
        self.hub.close()
        self.client.close()
        self._socket.close()

    def __enter__(self) -> "DashboardServer":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
