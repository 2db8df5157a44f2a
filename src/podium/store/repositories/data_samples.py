"""Data samples and their ordered links to data managers (``data_sample_data_managers``)."""

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Row, bindparam, delete, insert, select

from podium.domain.assets import DataSample
from podium.store.bulk import unnest_insert
from podium.store.repositories._base import Repository, batches, first_taken, insert_checked
from podium.store.schema import data_sample_data_managers as links
from podium.store.schema import data_samples

_COLUMNS: Final = (
    data_samples.c.key,
    data_samples.c.owner,
    data_samples.c.checksum,
    data_samples.c.creation_date,
)
_IN_CHANNEL: Final = data_samples.c.channel == bindparam("channel")
_GET_MANY: Final = select(*_COLUMNS).where(
    data_samples.c.key.in_(bindparam("keys", expanding=True)), _IN_CHANNEL
)
_LINKS: Final = (
    select(links.c.data_sample_key, links.c.data_manager_key)
    .where(links.c.data_sample_key.in_(bindparam("keys", expanding=True)))
    .order_by(links.c.data_sample_key, links.c.position)
)
_INSERT_LINKS: Final = insert(links)
_DELETE_LINKS: Final = delete(links).where(links.c.data_sample_key == bindparam("key"))
_OF_DATA_MANAGER: Final = (
    select(data_samples.c.key)
    .join(links, links.c.data_sample_key == data_samples.c.key)
    .where(links.c.data_manager_key == bindparam("data_manager_key"), _IN_CHANNEL)
    .order_by(data_samples.c.creation_date, data_samples.c.key)
)


def _link_rows(sample: DataSample) -> list[dict[str, Any]]:
    return [
        {"data_sample_key": sample.key, "position": position, "data_manager_key": manager_key}
        for position, manager_key in enumerate(sample.data_manager_keys)
    ]


class SqlDataSampleRepository(Repository):
    """``ports.DataSampleRepository``."""

    __slots__ = ()

    def first_key_taken(self, keys: Sequence[str]) -> str | None:
        return first_taken(self._state, data_samples, keys)

    def add_many(self, samples: Sequence[DataSample]) -> None:
        """Store samples and their links; ``AlreadyExists`` naming the first key taken."""
        rows = [
            {
                "key": sample.key,
                "channel": self._channel,
                "owner": sample.owner,
                "checksum": sample.checksum,
                "creation_date": sample.creation_date,
            }
            for sample in samples
        ]
        insert_checked(self._state, data_samples, rows, "data sample", "key")
        link_rows = [row for sample in samples for row in _link_rows(sample)]
        if not link_rows:
            return
        if self._state.dialect == "postgresql":
            unnest_insert(self._connection, links, link_rows)
        else:
            self._connection.execute(_INSERT_LINKS, link_rows)

    def get(self, key: str) -> DataSample | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, DataSample]:
        """The existing samples of the channel among ``keys``, by key (two statements per batch)."""
        found: dict[str, DataSample] = {}
        for batch in batches(keys):
            rows = self._connection.execute(_GET_MANY, {"keys": list(batch), "channel": self._channel}).all()
            found.update(self._with_links(rows))
        return found

    def update(self, sample: DataSample) -> None:
        """Save the data-manager keys of an existing sample (its links are replaced)."""
        self._connection.execute(_DELETE_LINKS, {"key": sample.key})
        if sample.data_manager_keys:
            self._connection.execute(_INSERT_LINKS, _link_rows(sample))

    def query(self, offset: int, limit: int, keys: Sequence[str] = ()) -> list[DataSample]:
        """Ordered by creation date then key; ``keys`` (when given) restricts to those keys."""
        statement = select(*_COLUMNS).where(data_samples.c.channel == self._channel)
        if keys:
            statement = statement.where(data_samples.c.key.in_(list(keys)))
        statement = (
            statement.order_by(data_samples.c.creation_date, data_samples.c.key).offset(offset).limit(limit)
        )
        return list(self._with_links(self._connection.execute(statement).all()).values())

    def keys_of_data_manager(self, data_manager_key: str) -> list[str]:
        """Keys of the samples linked to a data manager, ordered by creation date then key."""
        parameters = {"data_manager_key": data_manager_key, "channel": self._channel}
        return list(self._connection.scalars(_OF_DATA_MANAGER, parameters))

    def _with_links(self, rows: Sequence[Row[Any]]) -> dict[str, DataSample]:
        """Samples of ``rows`` (order kept) with their data-manager keys, read in one statement."""
        if not rows:
            return {}
        managers: dict[str, list[str]] = {row.key: [] for row in rows}
        for link in self._connection.execute(_LINKS, {"keys": list(managers)}):
            managers[link.data_sample_key].append(link.data_manager_key)
        return {
            row.key: DataSample(
                key=row.key,
                data_manager_keys=tuple(managers[row.key]),
                owner=row.owner,
                checksum=row.checksum,
                creation_date=row.creation_date,
            )
            for row in rows
        }
