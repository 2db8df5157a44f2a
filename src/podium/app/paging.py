"""Offset pagination shared by every query use case."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from podium.domain.assets import Page
from podium.domain.commands import PageRequest

T = TypeVar("T")


def paginate(request: PageRequest, fetch: Callable[[int, int], Sequence[T]]) -> Page[T]:
    """Fetch one row more than the page size to learn whether a next page exists.

    ``fetch(offset, limit)`` must return rows in a stable order. The next token is the decimal offset of
    the next page, empty at the end.
    """
    rows = fetch(request.offset, request.limit + 1)
    if len(rows) > request.limit:
        return Page(tuple(rows[: request.limit]), str(request.offset + request.limit))
    return Page(tuple(rows), "")
