"""What every group of client calls shares: the transport, the stubs, pagination, enum parsing."""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, TypeVar

import grpc

from podium.client.errors import Internal
from podium.client.stubs import Stubs
from podium.client.transport import Transport

DEFAULT_PAGE_SIZE: Final = 200
"""Rows asked per page by the ``query_*`` iterators (the server caps it to its own maximum)."""

T = TypeVar("T")

MAX_PAGES: Final = 1_000_000
"""A bound on any pagination loop, far above any real listing."""


def enum_value(enum_type: Any, value: str | int) -> Any:
    """The wire number of ``value``, given as a number or a wire name (a domain ``StrEnum``); typed
    ``Any`` because each generated enum has its own ``ValueType``.

    Raises:
        ValueError: an unknown name.
    """
    if isinstance(value, str):
        return int(enum_type.Value(str(value)))
    return int(value)


class CallsBase:
    """Holds the transport and the stubs; the call groups (mixins) add the typed methods."""

    _transport: Transport
    _stubs: Stubs

    def _read(self, rpc: Any, request: Any, method: str, returns: type[T]) -> T:
        return _checked(self._transport.unary(rpc, request, method=method, write=False), returns, method)

    def _write(self, rpc: Any, request: Any, method: str, returns: type[T]) -> T:
        return _checked(self._transport.unary(rpc, request, method=method, write=True), returns, method)

    def _paginate(
        self,
        rpc: Any,
        make_request: Callable[[str], Any],
        items_of: Callable[[Any], Sequence[Any]],
        method: str,
    ) -> Iterator[Any]:
        """Yield every item of every page, fetching pages lazily (each page call retried on its own).

        Raises:
            OrchestratorError: a page call failed; ``Internal`` when the server repeats a page token
                (a loop that would never end).
        """
        token = ""
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            response = self._transport.unary(rpc, make_request(token), method=method, write=False)
            yield from items_of(response)
            token = response.next_page_token
            if not token:
                return
            if token in seen:
                raise Internal(
                    grpc.StatusCode.INTERNAL, f"the server repeated page token {token!r}", method=method
                )
            seen.add(token)


def _checked(response: Any, returns: type[T], method: str) -> T:
    """``response`` typed as ``returns``; a mismatch is a bug of this package, reported as such."""
    if not isinstance(response, returns):
        raise TypeError(f"{method} answered {type(response).__name__}, expected {returns.__name__}")
    return response
