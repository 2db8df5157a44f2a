"""The transport: one ``grpc.Channel``, the identity headers, retries and error mapping.

Every call of ``OrchestratorClient`` goes through ``Transport.unary`` or ``Transport.stream``, the only
places that catch ``grpc.RpcError``. A ``Transport`` is built on any ``grpc.Channel`` (the seam of
STYLE §13: tests and in-process callers inject their own), and ``with_channel`` gives views with
another ``channel`` header on the same connection.
"""

import random
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import grpc

from podium.client.config import RetrySettings
from podium.client.errors import Cancelled, error_from_rpc
from podium.client.retry import Retrier

T = TypeVar("T")


class UnaryCallable(Protocol):
    """A unary-unary RPC of a generated stub."""

    def __call__(self, request: Any, *, timeout: float | None, metadata: Any) -> Any: ...


def new_request_id() -> str:
    """A fresh ``reqid``: 16 hex characters, unique enough to find one call in the logs."""
    return uuid.uuid4().hex[:16]


class Transport:
    """Sends calls on ``channel`` with the ``mspid``, ``channel`` and ``reqid`` headers.

    Args:
        channel: an open gRPC channel; closed by ``close`` only when ``owns_channel``.
        mspid: the ``mspid`` header.
        channel_name: the ``channel`` header.
        retry: the retry policy of unary calls (streams are never retried: their caller resumes
            from its cursor).
        call_timeout: the deadline of one attempt, in seconds, ``None`` for none.
        owns_channel: whether ``close`` closes ``channel``.
        sleep, clock, rng: time and randomness of the retries, replaceable for tests.
    """

    def __init__(
        self,
        channel: grpc.Channel,
        *,
        mspid: str,
        channel_name: str,
        retry: RetrySettings,
        call_timeout: float | None,
        owns_channel: bool,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.grpc_channel = channel
        self.mspid = mspid
        self.channel_name = channel_name
        self.retry = retry
        self.call_timeout = call_timeout
        self._owns_channel = owns_channel
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._closed = False

    def with_channel(self, channel_name: str) -> "Transport":
        """A view on the same connection sending ``channel_name``; closing it leaves the connection."""
        return Transport(
            self.grpc_channel,
            mspid=self.mspid,
            channel_name=channel_name,
            retry=self.retry,
            call_timeout=self.call_timeout,
            owns_channel=False,
            sleep=self._sleep,
            clock=self._clock,
            rng=self._rng,
        )

    def metadata(self, request_id: str, channel_name: str | None = None) -> tuple[tuple[str, str], ...]:
        """The headers of one call."""
        return (
            ("mspid", self.mspid),
            ("channel", channel_name or self.channel_name),
            ("reqid", request_id),
        )

    def unary(self, rpc: UnaryCallable, request: Any, *, method: str, write: bool) -> Any:
        """Send ``request`` with ``rpc``, retrying what is safe; return the response.

        All attempts of one call carry the same ``reqid``, so the server's logs show the retries.

        Args:
            rpc: the stub's callable.
            request: the request message.
            method: ``Service/Method``, for errors and logs.
            write: whether the RPC changes state (retried only when ``retry.retry_writes``).

        Raises:
            OrchestratorError: the mapped status (the last one, after retries).
        """
        request_id = new_request_id()
        metadata = self.metadata(request_id)

        def attempt_once(timeout: float | None, attempt: int) -> Any:
            try:
                return rpc(request, timeout=timeout, metadata=metadata)
            except grpc.RpcError as error:
                raise error_from_rpc(error, method=method, request_id=request_id, attempts=attempt) from error

        retrier = Retrier(self.retry, self.call_timeout, self._sleep, self._clock, self._rng)
        return retrier.run(attempt_once, retryable=not write or self.retry.retry_writes)

    def stream(
        self, rpc: Callable[..., Any], request: Any, *, method: str, channel_name: str | None
    ) -> "Stream":
        """Open a server stream (no deadline, no retry); see ``Stream``."""
        request_id = new_request_id()
        call = rpc(request, metadata=self.metadata(request_id, channel_name))
        return Stream(call, method=method, request_id=request_id)

    def close(self) -> None:
        """Close the channel when this transport owns it. Idempotent."""
        if not self._closed and self._owns_channel:
            self.grpc_channel.close()
        self._closed = True


class Stream(Iterator[Any]):
    """The messages of a server stream, with cancellation from any thread.

    Iteration ends (``StopIteration``) when the server closes the stream cleanly or after ``cancel``;
    any other end raises the mapped ``OrchestratorError`` (``Unavailable`` when the connection is lost
    or the server shuts down): resume from the last message handled.
    """

    def __init__(self, call: Any, *, method: str, request_id: str) -> None:
        self._call = call
        self.method = method
        self.request_id = request_id
        self._cancelled = False

    def __iter__(self) -> "Stream":
        return self

    def __next__(self) -> Any:
        try:
            return next(self._call)
        except grpc.RpcError as error:
            failure = error_from_rpc(error, method=self.method, request_id=self.request_id)
            if self._cancelled and isinstance(failure, Cancelled):
                raise StopIteration from None
            raise failure from error

    def cancel(self) -> None:
        """End the stream; safe from any thread, idempotent. A blocked ``next`` returns promptly."""
        self._cancelled = True
        self._call.cancel()

    close = cancel

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel`` was called."""
        return self._cancelled

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()
