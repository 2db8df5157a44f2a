"""``SqlTransaction``: the repositories of one unit of work, as ``ports.Transaction`` describes."""

from datetime import datetime

from podium.app.ports import (
    DataManagerRepository,
    DataSampleRepository,
    EventLog,
    FailureReportRepository,
    FunctionRepository,
    ModelRepository,
    OrganizationRepository,
    OutputAssetRepository,
    PerformanceRepository,
    PlanRepository,
    TaskRepository,
)
from podium.store.eventlog import SqlEventLog
from podium.store.repositories.data_managers import SqlDataManagerRepository
from podium.store.repositories.data_samples import SqlDataSampleRepository
from podium.store.repositories.failure_reports import SqlFailureReportRepository
from podium.store.repositories.functions import SqlFunctionRepository
from podium.store.repositories.models import SqlModelRepository
from podium.store.repositories.organizations import SqlOrganizationRepository
from podium.store.repositories.output_assets import SqlOutputAssetRepository
from podium.store.repositories.performances import SqlPerformanceRepository
from podium.store.repositories.plans import SqlPlanRepository
from podium.store.repositories.tasks import SqlTaskRepository
from podium.store.state import TxState


class SqlTransaction:
    """One unit of work in one channel, with the request's timestamp (``now``).

    Obtained from ``SqlDatabase.transaction``; valid only inside its ``with`` block.
    """

    __slots__ = (
        "channel",
        "data_managers",
        "data_samples",
        "events",
        "failure_reports",
        "functions",
        "models",
        "now",
        "organizations",
        "output_assets",
        "performances",
        "plans",
        "tasks",
    )

    def __init__(self, state: TxState) -> None:
        self.channel: str = state.channel
        self.now: datetime = state.now
        self.organizations: OrganizationRepository = SqlOrganizationRepository(state)
        self.functions: FunctionRepository = SqlFunctionRepository(state)
        self.data_managers: DataManagerRepository = SqlDataManagerRepository(state)
        self.data_samples: DataSampleRepository = SqlDataSampleRepository(state)
        self.plans: PlanRepository = SqlPlanRepository(state)
        self.tasks: TaskRepository = SqlTaskRepository(state)
        self.models: ModelRepository = SqlModelRepository(state)
        self.performances: PerformanceRepository = SqlPerformanceRepository(state)
        self.failure_reports: FailureReportRepository = SqlFailureReportRepository(state)
        self.output_assets: OutputAssetRepository = SqlOutputAssetRepository(state)
        self.events: EventLog = SqlEventLog(state)
