"""Failure reports: one per failed asset, a later report replaces the earlier one."""

from functools import cache
from typing import Final

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from podium.domain.assets import Addressable, FailureReport
from podium.domain.kinds import ErrorType, FailedAssetKind
from podium.store.repositories._base import Repository
from podium.store.schema import failure_reports as reports

_GET: Final = select(
    reports.c.asset_key,
    reports.c.error_type,
    reports.c.logs_address,
    reports.c.creation_date,
    reports.c.owner,
    reports.c.asset_type,
).where(reports.c.asset_key == bindparam("asset_key"), reports.c.channel == bindparam("channel"))


@cache
def _upsert(dialect: str) -> Insert:
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(reports)
    replaced = ("channel", "error_type", "asset_type", "owner", "creation_date", "logs_address")
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=[reports.c.asset_key],
        set_={name: statement.excluded[name] for name in replaced},
    )
    return upsert


class SqlFailureReportRepository(Repository):
    """``ports.FailureReportRepository``."""

    __slots__ = ()

    def add(self, report: FailureReport) -> None:
        """Store a report; replaces an earlier report of the same asset (one upsert)."""
        row = {
            "asset_key": report.asset_key,
            "channel": self._channel,
            "error_type": report.error_type.value,
            "asset_type": report.asset_type.value,
            "owner": report.owner,
            "creation_date": report.creation_date,
            "logs_address": None if report.logs_address is None else report.logs_address.snapshot(),
        }
        self._connection.execute(_upsert(self._state.dialect), row)

    def get(self, asset_key: str) -> FailureReport | None:
        row = self._connection.execute(_GET, {"asset_key": asset_key, "channel": self._channel}).first()
        if row is None:
            return None
        return FailureReport(
            asset_key=row.asset_key,
            error_type=ErrorType(row.error_type),
            logs_address=None if row.logs_address is None else Addressable.from_snapshot(row.logs_address),
            creation_date=row.creation_date,
            owner=row.owner,
            asset_type=FailedAssetKind(row.asset_type),
        )
