"""Models: ``address`` is NULL once the model is disabled."""

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Row, bindparam, select, update

from podium.domain.assets import Addressable, Model, Permissions
from podium.store.repositories._base import Repository, first_taken, insert_checked
from podium.store.schema import models

_COLUMNS: Final = (
    models.c.key,
    models.c.compute_task_key,
    models.c.compute_task_output_identifier,
    models.c.address,
    models.c.permissions,
    models.c.owner,
    models.c.creation_date,
)
_IN_CHANNEL: Final = models.c.channel == bindparam("channel")
_GET: Final = select(*_COLUMNS).where(models.c.key == bindparam("key"), _IN_CHANNEL)
_OF_TASK: Final = (
    select(*_COLUMNS)
    .where(models.c.compute_task_key == bindparam("task_key"), _IN_CHANNEL)
    .order_by(models.c.creation_date, models.c.key)
)
_UPDATE: Final = (
    update(models)
    .where(models.c.key == bindparam("k"), models.c.channel == bindparam("c"))
    .values(address=bindparam("address"))
)


def _model(row: Row[Any]) -> Model:
    return Model(
        key=row.key,
        compute_task_key=row.compute_task_key,
        compute_task_output_identifier=row.compute_task_output_identifier,
        address=None if row.address is None else Addressable.from_snapshot(row.address),
        permissions=Permissions.from_snapshot(row.permissions),
        owner=row.owner,
        creation_date=row.creation_date,
    )


class SqlModelRepository(Repository):
    """``ports.ModelRepository``."""

    __slots__ = ()

    def first_key_taken(self, keys: Sequence[str]) -> str | None:
        return first_taken(self._state, models, keys)

    def add(self, model: Model) -> None:
        """Store a model; ``AlreadyExists`` when its key is taken in any channel."""
        row = {
            "key": model.key,
            "channel": self._channel,
            "compute_task_key": model.compute_task_key,
            "compute_task_output_identifier": model.compute_task_output_identifier,
            "address": None if model.address is None else model.address.snapshot(),
            "permissions": model.permissions.snapshot(),
            "owner": model.owner,
            "creation_date": model.creation_date,
        }
        insert_checked(self._state, models, [row], "model", "key")

    def get(self, key: str) -> Model | None:
        row = self._connection.execute(_GET, {"key": key, "channel": self._channel}).first()
        return None if row is None else _model(row)

    def update(self, model: Model) -> None:
        """Save the address (``None`` once disabled) of an existing model."""
        address = None if model.address is None else model.address.snapshot()
        self._connection.execute(_UPDATE, {"k": model.key, "c": self._channel, "address": address})

    def of_task(self, task_key: str) -> list[Model]:
        """Models of a task ordered by creation date then key."""
        rows = self._connection.execute(_OF_TASK, {"task_key": task_key, "channel": self._channel})
        return [_model(row) for row in rows]
