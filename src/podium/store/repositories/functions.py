"""Functions: key, name, owner, status and creation date as columns, the rest in ``data``."""

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Row, bindparam, exists, select, update

from podium.domain.assets import Addressable, Function, FunctionInput, FunctionOutput, Permissions
from podium.domain.kinds import AssetKind, FunctionStatus
from podium.store.repositories._base import Repository, first_taken, insert_checked
from podium.store.schema import compute_tasks, functions

_COLUMNS: Final = (
    functions.c.key,
    functions.c.name,
    functions.c.owner,
    functions.c.status,
    functions.c.creation_date,
    functions.c.data,
)
_GET: Final = select(*_COLUMNS).where(
    functions.c.key == bindparam("key"), functions.c.channel == bindparam("channel")
)
_UPDATE: Final = (
    update(functions)
    .where(functions.c.key == bindparam("k"), functions.c.channel == bindparam("c"))
    .values(name=bindparam("name"), status=bindparam("status"), data=bindparam("data"))
)


def function_row(function: Function) -> dict[str, Any]:
    """The columns of a function (without ``channel``)."""
    snapshot = function.snapshot()
    return {
        "key": function.key,
        "name": function.name,
        "owner": function.owner,
        "status": function.status.value,
        "creation_date": function.creation_date,
        "data": {
            name: snapshot[name]
            for name in ("description", "archive", "permissions", "metadata", "inputs", "outputs", "image")
        },
    }


def function_from_row(row: Row[Any]) -> Function:
    """Rebuild a function from its columns."""
    data: Mapping[str, Any] = row.data
    return Function(
        key=row.key,
        name=row.name,
        description=Addressable.from_snapshot(data["description"]),
        archive=Addressable.from_snapshot(data["archive"]),
        permissions=Permissions.from_snapshot(data["permissions"]),
        owner=row.owner,
        creation_date=row.creation_date,
        metadata=dict(data["metadata"]),
        inputs={
            name: FunctionInput(AssetKind(spec["kind"]), spec["multiple"], spec["optional"])
            for name, spec in data["inputs"].items()
        },
        outputs={
            name: FunctionOutput(AssetKind(spec["kind"]), spec["multiple"])
            for name, spec in data["outputs"].items()
        },
        status=FunctionStatus(row.status),
        image=Addressable.from_snapshot(data["image"]),
    )


class SqlFunctionRepository(Repository):
    """``ports.FunctionRepository``."""

    __slots__ = ()

    def key_taken(self, key: str) -> bool:
        return first_taken(self._state, functions, [key]) is not None

    def add(self, function: Function) -> None:
        """Store a function; ``AlreadyExists`` when its key is taken in any channel."""
        row = function_row(function) | {"channel": self._channel}
        insert_checked(self._state, functions, [row], "function", "key")

    def get(self, key: str) -> Function | None:
        row = self._connection.execute(_GET, {"key": key, "channel": self._channel}).first()
        return None if row is None else function_from_row(row)

    def update(self, function: Function) -> None:
        """Save name, status and image (the whole ``data`` document) of an existing function."""
        row = function_row(function)
        self._connection.execute(
            _UPDATE,
            {
                "k": function.key,
                "c": self._channel,
                "name": row["name"],
                "status": row["status"],
                "data": row["data"],
            },
        )

    def query(self, offset: int, limit: int, compute_plan_key: str = "") -> list[Function]:
        """Ordered by creation date then key; ``compute_plan_key`` keeps functions used by a task of
        that plan."""
        statement = select(*_COLUMNS).where(functions.c.channel == self._channel)
        if compute_plan_key:
            statement = statement.where(
                exists().where(
                    compute_tasks.c.function_key == functions.c.key,
                    compute_tasks.c.compute_plan_key == compute_plan_key,
                )
            )
        statement = statement.order_by(functions.c.creation_date, functions.c.key).offset(offset).limit(limit)
        return [function_from_row(row) for row in self._connection.execute(statement)]
