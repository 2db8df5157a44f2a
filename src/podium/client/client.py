"""``OrchestratorClient``: one connection, every RPC of the 13 ``orchestrator`` services as a method."""

import random
import time
from collections.abc import Callable
from types import TracebackType

import grpc

from podium.client.assets import AssetCalls
from podium.client.config import ClientConfig, open_channel
from podium.client.errors import Unavailable
from podium.client.events import EventCalls
from podium.client.stubs import Stubs
from podium.client.transport import Transport
from podium.client.work import WorkCalls


class OrchestratorClient(AssetCalls, WorkCalls, EventCalls):
    """A typed client of the orchestrator. Thread-safe: one instance may serve many threads.

    Methods take and return the generated protobuf messages (``podium.api.generated``); enums may be
    given as domain ``StrEnum`` members (``TaskAction.DONE``) or wire numbers. Every call carries the
    ``mspid`` and ``channel`` headers and a fresh ``reqid``; failures raise ``OrchestratorError``
    subclasses (``podium.client.errors``) after the safe retries (``RetrySettings``).

    Args:
        config: where and as whom.
        grpc_channel: an existing channel to use instead of opening one (tests, in-process callers);
            it is then left open by ``close``.
        sleep, clock, rng: time and randomness of the retries, replaceable.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        grpc_channel: grpc.Channel | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        owns_channel = grpc_channel is None
        channel = open_channel(config) if grpc_channel is None else grpc_channel
        transport = Transport(
            channel,
            mspid=config.mspid,
            channel_name=config.channel,
            retry=config.retry,
            call_timeout=config.call_timeout,
            owns_channel=owns_channel,
            sleep=sleep,
            clock=clock,
            rng=rng,
        )
        self._attach(transport, Stubs.on(channel))

    def _attach(self, transport: Transport, stubs: Stubs) -> None:
        self._transport = transport
        self._stubs = stubs

    @property
    def mspid(self) -> str:
        """The ``mspid`` header sent."""
        return self._transport.mspid

    @property
    def channel(self) -> str:
        """The ``channel`` header sent."""
        return self._transport.channel_name

    def for_channel(self, channel: str) -> "OrchestratorClient":
        """A client for ``channel`` sharing this client's connection. Closing the view leaves the
        connection open; closing this client closes it for every view."""
        view = object.__new__(OrchestratorClient)
        view.config = self.config
        view._attach(self._transport.with_channel(channel), self._stubs)
        return view

    def wait_for_ready(self, timeout: float) -> None:
        """Block until the connection is up.

        Raises:
            Unavailable: not connected within ``timeout`` seconds.
        """
        ready = grpc.channel_ready_future(self._transport.grpc_channel)
        try:
            ready.result(timeout=timeout)
        except grpc.FutureTimeoutError:
            ready.cancel()  # stops watching the channel's connectivity
            raise Unavailable(
                grpc.StatusCode.UNAVAILABLE, f"not connected to {self.config.target} within {timeout}s"
            ) from None

    def close(self) -> None:
        """Close the connection (when this client opened it). Idempotent; streams still open on it
        then raise ``Cancelled``."""
        self._transport.close()

    def __enter__(self) -> "OrchestratorClient":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
