"""Compute plans: every field a column except ``metadata`` (in ``data``)."""

from typing import Any, Final

from sqlalchemy import Row, bindparam, select, update

from podium.domain.assets import ComputePlan
from podium.store.repositories._base import Repository, first_taken, insert_checked
from podium.store.schema import compute_plans

_COLUMNS: Final = (
    compute_plans.c.key,
    compute_plans.c.owner,
    compute_plans.c.name,
    compute_plans.c.tag,
    compute_plans.c.creation_date,
    compute_plans.c.cancelation_date,
    compute_plans.c.failure_date,
    compute_plans.c.data,
)
_GET: Final = select(*_COLUMNS).where(
    compute_plans.c.key == bindparam("key"), compute_plans.c.channel == bindparam("channel")
)
_UPDATE: Final = (
    update(compute_plans)
    .where(compute_plans.c.key == bindparam("k"), compute_plans.c.channel == bindparam("c"))
    .values(
        name=bindparam("name"),
        cancelation_date=bindparam("cancelation_date"),
        failure_date=bindparam("failure_date"),
    )
)


def _plan(row: Row[Any]) -> ComputePlan:
    return ComputePlan(
        key=row.key,
        owner=row.owner,
        creation_date=row.creation_date,
        tag=row.tag,
        metadata=dict(row.data["metadata"]),
        name=row.name,
        cancelation_date=row.cancelation_date,
        failure_date=row.failure_date,
    )


class SqlPlanRepository(Repository):
    """``ports.PlanRepository``."""

    __slots__ = ()

    def key_taken(self, key: str) -> bool:
        return first_taken(self._state, compute_plans, [key]) is not None

    def add(self, plan: ComputePlan) -> None:
        """Store a plan; ``AlreadyExists`` when its key is taken in any channel."""
        row = {
            "key": plan.key,
            "channel": self._channel,
            "owner": plan.owner,
            "name": plan.name,
            "tag": plan.tag,
            "creation_date": plan.creation_date,
            "cancelation_date": plan.cancelation_date,
            "failure_date": plan.failure_date,
            "data": {"metadata": dict(plan.metadata)},
        }
        insert_checked(self._state, compute_plans, [row], "compute plan", "key")

    def get(self, key: str) -> ComputePlan | None:
        row = self._connection.execute(_GET, {"key": key, "channel": self._channel}).first()
        return None if row is None else _plan(row)

    def update(self, plan: ComputePlan) -> None:
        """Save name, cancelation date and failure date of an existing plan."""
        self._connection.execute(
            _UPDATE,
            {
                "k": plan.key,
                "c": self._channel,
                "name": plan.name,
                "cancelation_date": plan.cancelation_date,
                "failure_date": plan.failure_date,
            },
        )

    def query(self, offset: int, limit: int, owner: str = "") -> list[ComputePlan]:
        """Ordered by creation date then key; ``owner`` (when given) keeps that owner's plans."""
        statement = select(*_COLUMNS).where(compute_plans.c.channel == self._channel)
        if owner:
            statement = statement.where(compute_plans.c.owner == owner)
        statement = (
            statement.order_by(compute_plans.c.creation_date, compute_plans.c.key).offset(offset).limit(limit)
        )
        return [_plan(row) for row in self._connection.execute(statement)]
