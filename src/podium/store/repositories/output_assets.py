"""Output assets of tasks, numbered per (task, output identifier) in registration order."""

from typing import Final

from sqlalchemy import String, bindparam, func, insert, literal, select

from podium.domain.assets import ComputeTaskOutputAsset
from podium.domain.kinds import AssetKind
from podium.store.repositories._base import Repository
from podium.store.schema import compute_task_output_assets as outputs

_SAME_OUTPUT: Final = (
    outputs.c.compute_task_key == bindparam("task_key"),
    outputs.c.compute_task_output_identifier == bindparam("identifier"),
)
# One statement numbers and inserts: the next position is computed by the database in the same round
# trip; writers of a channel are serialized, so two appends cannot take the same number.
_APPEND: Final = insert(outputs).from_select(
    ["compute_task_key", "compute_task_output_identifier", "position", "channel", "asset_kind", "asset_key"],
    select(
        bindparam("task_key", type_=String),
        bindparam("identifier", type_=String),
        func.coalesce(func.max(outputs.c.position), 0) + literal(1),
        bindparam("channel", type_=String),
        bindparam("asset_kind", type_=String),
        bindparam("asset_key", type_=String),
    ).where(*_SAME_OUTPUT),
)
_OF_OUTPUT: Final = (
    select(outputs.c.asset_kind, outputs.c.asset_key)
    .where(*_SAME_OUTPUT, outputs.c.channel == bindparam("channel"))
    .order_by(outputs.c.position)
)


class SqlOutputAssetRepository(Repository):
    """``ports.OutputAssetRepository``."""

    __slots__ = ()

    def add(self, output_asset: ComputeTaskOutputAsset) -> None:
        """Append an output asset, numbered after the existing ones of the same (task, identifier)."""
        self._connection.execute(
            _APPEND,
            {
                "task_key": output_asset.compute_task_key,
                "identifier": output_asset.compute_task_output_identifier,
                "channel": self._channel,
                "asset_kind": output_asset.asset_kind.value,
                "asset_key": output_asset.asset_key,
            },
        )

    def of_output(self, task_key: str, identifier: str) -> list[ComputeTaskOutputAsset]:
        """In registration order."""
        parameters = {"task_key": task_key, "identifier": identifier, "channel": self._channel}
        return [
            ComputeTaskOutputAsset(task_key, identifier, AssetKind(row.asset_kind), row.asset_key)
            for row in self._connection.execute(_OF_OUTPUT, parameters)
        ]
