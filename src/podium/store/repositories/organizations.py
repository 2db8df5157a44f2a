"""Organizations: per channel, keyed by (channel, id)."""

from typing import Any, Final

from sqlalchemy import Row, bindparam, select

from podium.domain.assets import Organization
from podium.domain.errors import AlreadyExists
from podium.store.repositories._base import Repository, insert_new
from podium.store.schema import organizations

_COLUMNS: Final = (organizations.c.id, organizations.c.address, organizations.c.creation_date)
_GET: Final = select(*_COLUMNS).where(
    organizations.c.channel == bindparam("channel"), organizations.c.id == bindparam("id")
)
_ALL: Final = (
    select(*_COLUMNS)
    .where(organizations.c.channel == bindparam("channel"))
    .order_by(organizations.c.creation_date, organizations.c.id)
)


def _organization(row: Row[Any]) -> Organization:
    return Organization(id=row.id, address=row.address, creation_date=row.creation_date)


class SqlOrganizationRepository(Repository):
    """``ports.OrganizationRepository``."""

    __slots__ = ()

    def add(self, organization: Organization) -> None:
        """Store an organization; ``AlreadyExists`` when its id is taken in the channel."""
        row = {
            "channel": self._channel,
            "id": organization.id,
            "address": organization.address,
            "creation_date": organization.creation_date,
        }
        inserted = self._connection.execute(insert_new(organizations, self._state.dialect), row).first()
        if inserted is None:
            raise AlreadyExists("organization", organization.id)

    def get(self, organization_id: str) -> Organization | None:
        row = self._connection.execute(_GET, {"channel": self._channel, "id": organization_id}).first()
        return None if row is None else _organization(row)

    def all(self) -> list[Organization]:
        """Every organization of the channel, ordered by creation date then id."""
        return [_organization(row) for row in self._connection.execute(_ALL, {"channel": self._channel})]
