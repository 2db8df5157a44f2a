"""Shared pieces of the protobuf <-> domain conversion: enums, timestamps, addresses, permissions,
pagination.

Enums cross the wire by NAME: a domain ``StrEnum``'s values are the proto enum value names, so each
``EnumCodec`` is a table built once from the proto descriptor. proto3 enums are open (a client may send
any number); a number outside the proto enum becomes ``InvalidAsset``, never a ``ValueError``.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Generic, Protocol, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from podium.api.generated import common_pb2
from podium.domain import assets, commands
from podium.domain.errors import InvalidAsset
from podium.domain.kinds import AssetKind, SortOrder

if TYPE_CHECKING:
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

E = TypeVar("E", bound=StrEnum)
V = TypeVar("V", bound=int)

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class EnumCodec(Generic[E, V]):
    """Two-way table between a proto enum (numbers of type ``V``) and a domain ``StrEnum`` ``E``.

    Construction fails (``ValueError``) when a proto value name has no domain member: that is a bug in
    ``podium.domain.kinds``, caught at import time rather than on a request.
    """

    __slots__ = ("_by_member", "_by_number", "_name")

    def __init__(self, wire: "_EnumTypeWrapper[V]", domain: type[E]) -> None:
        self._name = wire.DESCRIPTOR.name
        self._by_number: dict[int, E] = {number: domain(name) for name, number in wire.items()}
        self._by_member: dict[E, V] = {domain(name): number for name, number in wire.items()}

    def decode(self, number: int, resource: str, field: str) -> E:
        """The domain member of wire ``number``.

        Raises:
            InvalidAsset: ``number`` is not a value of the proto enum; the message names ``resource``
                and ``field`` as the contract's validation messages do.
        """
        member = self._by_number.get(number)
        if member is None:
            raise InvalidAsset.of(resource, f"{field}: {number} is not a valid {self._name} value")
        return member

    def encode(self, member: E) -> V:
        """The wire number of ``member`` (every member has one: checked at construction)."""
        return self._by_member[member]


ASSET_KIND: Final = EnumCodec(common_pb2.AssetKind, AssetKind)
SORT_ORDER: Final = EnumCodec(common_pb2.SortOrder, SortOrder)


def timestamp(moment: datetime) -> Timestamp:
    """A ``Timestamp`` of an aware datetime, exact to the microsecond."""
    delta = moment - EPOCH
    return Timestamp(seconds=delta.days * 86_400 + delta.seconds, nanos=delta.microseconds * 1_000)


def from_timestamp(value: Timestamp) -> datetime:
    """The aware UTC datetime of ``value``, truncated to the microsecond (the domain's precision)."""
    return EPOCH + timedelta(seconds=value.seconds, microseconds=value.nanos // 1_000)


def addressable(value: common_pb2.Addressable) -> assets.Addressable:
    return assets.Addressable(value.checksum, value.storage_address)


def addressable_message(value: assets.Addressable) -> common_pb2.Addressable:
    return common_pb2.Addressable(checksum=value.checksum, storage_address=value.storage_address)


def new_permissions(value: common_pb2.NewPermissions) -> assets.NewPermissions:
    return assets.NewPermissions(value.public, tuple(value.authorized_ids))


def permission_message(value: assets.Permission) -> common_pb2.Permission:
    return common_pb2.Permission(public=value.public, authorized_ids=value.authorized_ids)


def permissions_message(value: assets.Permissions) -> common_pb2.Permissions:
    return common_pb2.Permissions(
        process=permission_message(value.process), download=permission_message(value.download)
    )


def metadata(value: Mapping[str, str]) -> dict[str, str]:
    """A plain copy of a protobuf map (the message stays mutable; the command must not share it)."""
    return dict(value)


class PagedParam(Protocol):
    """Any ``Query*Param``: an offset token and a page size (§8)."""

    @property
    def page_token(self) -> str: ...

    @property
    def page_size(self) -> int: ...


def page_request(param: PagedParam) -> commands.PageRequest:
    """The page of a ``Query*Param``; invalid tokens and sizes are refused by ``PageRequest`` itself."""
    return commands.PageRequest(page_token=param.page_token, page_size=param.page_size)
