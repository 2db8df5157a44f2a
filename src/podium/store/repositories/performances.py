"""Performances: keyed by (task key, output identifier)."""

from typing import Any, Final

from sqlalchemy import Row, bindparam, select

from podium.domain.assets import Performance
from podium.domain.errors import AlreadyExists
from podium.store.repositories._base import Repository, insert_new
from podium.store.schema import performances

_COLUMNS: Final = (
    performances.c.compute_task_key,
    performances.c.compute_task_output_identifier,
    performances.c.performance_value,
    performances.c.creation_date,
)
_EXISTS: Final = select(performances.c.compute_task_key).where(
    performances.c.compute_task_key == bindparam("task_key"),
    performances.c.compute_task_output_identifier == bindparam("identifier"),
    performances.c.channel == bindparam("channel"),
)


def _performance(row: Row[Any]) -> Performance:
    return Performance(
        compute_task_key=row.compute_task_key,
        compute_task_output_identifier=row.compute_task_output_identifier,
        performance_value=row.performance_value,
        creation_date=row.creation_date,
    )


class SqlPerformanceRepository(Repository):
    """``ports.PerformanceRepository``."""

    __slots__ = ()

    def exists(self, task_key: str, identifier: str) -> bool:
        parameters = {"task_key": task_key, "identifier": identifier, "channel": self._channel}
        return self._connection.execute(_EXISTS, parameters).first() is not None

    def add(self, performance: Performance) -> None:
        """Store a performance; ``AlreadyExists`` when its task already has one for that output."""
        row = {
            "compute_task_key": performance.compute_task_key,
            "compute_task_output_identifier": performance.compute_task_output_identifier,
            "channel": self._channel,
            "performance_value": performance.performance_value,
            "creation_date": performance.creation_date,
        }
        if self._connection.execute(insert_new(performances, self._state.dialect), row).first() is None:
            raise AlreadyExists("performance", performance.key)

    def query(self, offset: int, limit: int, task_key: str = "", identifier: str = "") -> list[Performance]:
        """Ordered by creation date, then task key descending, then identifier."""
        statement = select(*_COLUMNS).where(performances.c.channel == self._channel)
        if task_key:
            statement = statement.where(performances.c.compute_task_key == task_key)
        if identifier:
            statement = statement.where(performances.c.compute_task_output_identifier == identifier)
        statement = (
            statement.order_by(
                performances.c.creation_date,
                performances.c.compute_task_key.desc(),
                performances.c.compute_task_output_identifier,
            )
            .offset(offset)
            .limit(limit)
        )
        return [_performance(row) for row in self._connection.execute(statement)]
