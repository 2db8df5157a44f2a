"""Data managers: key, name, owner and creation date as columns, the rest in ``data``."""

from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Row, bindparam, select, update

from podium.domain.assets import Addressable, DataManager, Permission, Permissions
from podium.store.repositories._base import Repository, batches, first_taken, insert_checked
from podium.store.schema import data_managers

_COLUMNS: Final = (
    data_managers.c.key,
    data_managers.c.name,
    data_managers.c.owner,
    data_managers.c.creation_date,
    data_managers.c.data,
)
_IN_CHANNEL: Final = data_managers.c.channel == bindparam("channel")
_GET: Final = select(*_COLUMNS).where(data_managers.c.key == bindparam("key"), _IN_CHANNEL)
_GET_MANY: Final = select(*_COLUMNS).where(
    data_managers.c.key.in_(bindparam("keys", expanding=True)), _IN_CHANNEL
)
_QUERY: Final = (
    select(*_COLUMNS)
    .where(_IN_CHANNEL)
    .order_by(data_managers.c.creation_date, data_managers.c.key)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_UPDATE: Final = (
    update(data_managers)
    .where(data_managers.c.key == bindparam("k"), data_managers.c.channel == bindparam("c"))
    .values(name=bindparam("name"))
)


def _data_manager(row: Row[Any]) -> DataManager:
    data: Mapping[str, Any] = row.data
    return DataManager(
        key=row.key,
        name=row.name,
        owner=row.owner,
        permissions=Permissions.from_snapshot(data["permissions"]),
        description=Addressable.from_snapshot(data["description"]),
        opener=Addressable.from_snapshot(data["opener"]),
        creation_date=row.creation_date,
        logs_permission=Permission.from_snapshot(data["logs_permission"]),
        metadata=dict(data["metadata"]),
    )


class SqlDataManagerRepository(Repository):
    """``ports.DataManagerRepository``."""

    __slots__ = ()

    def key_taken(self, key: str) -> bool:
        return first_taken(self._state, data_managers, [key]) is not None

    def add(self, data_manager: DataManager) -> None:
        """Store a data manager; ``AlreadyExists`` when its key is taken in any channel."""
        snapshot = data_manager.snapshot()
        row = {
            "key": data_manager.key,
            "channel": self._channel,
            "name": data_manager.name,
            "owner": data_manager.owner,
            "creation_date": data_manager.creation_date,
            "data": {
                name: snapshot[name]
                for name in ("permissions", "description", "opener", "logs_permission", "metadata")
            },
        }
        insert_checked(self._state, data_managers, [row], "data manager", "key")

    def get(self, key: str) -> DataManager | None:
        row = self._connection.execute(_GET, {"key": key, "channel": self._channel}).first()
        return None if row is None else _data_manager(row)

    def get_many(self, keys: Sequence[str]) -> dict[str, DataManager]:
        """The existing data managers of the channel among ``keys``, by key."""
        found: dict[str, DataManager] = {}
        for batch in batches(keys):
            for row in self._connection.execute(_GET_MANY, {"keys": list(batch), "channel": self._channel}):
                found[row.key] = _data_manager(row)
        return found

    def update(self, data_manager: DataManager) -> None:
        """Save the name of an existing data manager."""
        self._connection.execute(
            _UPDATE, {"k": data_manager.key, "c": self._channel, "name": data_manager.name}
        )

    def query(self, offset: int, limit: int) -> list[DataManager]:
        """Ordered by creation date then key."""
        parameters = {"channel": self._channel, "offset": offset, "limit": limit}
        return [_data_manager(row) for row in self._connection.execute(_QUERY, parameters)]
