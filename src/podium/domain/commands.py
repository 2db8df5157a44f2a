"""Validated commands: what a request asks for, parsed once at the edge.

Each command is a frozen value that validates itself on construction (``__post_init__`` calls the
rules of ``podium.domain.validation``) and raises ``InvalidAsset`` (``OE0101``) or ``BadRequest``
(``OE0003``) when invalid. Use cases accept only commands, so no call site can skip validation.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from podium.domain import validation
from podium.domain.assets import (
    Addressable,
    FunctionInput,
    FunctionOutput,
    NewPermissions,
    NewTaskOutput,
    TaskInput,
)
from podium.domain.kinds import (
    ErrorType,
    FailedAssetKind,
    FunctionAction,
    PlanAction,
    TaskAction,
    TaskStatus,
)


@dataclass(frozen=True, slots=True)
class RegisterOrganization:
    address: str = ""

    def __post_init__(self) -> None:
        validation.check_register_organization(self)


@dataclass(frozen=True, slots=True)
class NewFunction:
    key: str
    name: str
    description: Addressable | None
    archive: Addressable | None
    new_permissions: NewPermissions | None
    metadata: Mapping[str, str] = field(default_factory=dict)
    inputs: Mapping[str, FunctionInput] = field(default_factory=dict)
    outputs: Mapping[str, FunctionOutput] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validation.check_new_function(self)


@dataclass(frozen=True, slots=True)
class UpdateFunction:
    key: str
    name: str
    image: Addressable | None = None

    def __post_init__(self) -> None:
        validation.check_update_function(self)


@dataclass(frozen=True, slots=True)
class ApplyFunctionAction:
    function_key: str
    action: FunctionAction

    def __post_init__(self) -> None:
        validation.check_apply_function_action(self)


@dataclass(frozen=True, slots=True)
class NewDataManager:
    key: str
    name: str
    new_permissions: NewPermissions | None
    description: Addressable | None
    opener: Addressable | None
    logs_permission: NewPermissions | None
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validation.check_new_data_manager(self)


@dataclass(frozen=True, slots=True)
class UpdateDataManager:
    key: str
    name: str

    def __post_init__(self) -> None:
        validation.check_update_named(self, "datamanager")


@dataclass(frozen=True, slots=True)
class NewDataSample:
    key: str
    data_manager_keys: tuple[str, ...]
    checksum: str

    def __post_init__(self) -> None:
        validation.check_new_data_sample(self)


@dataclass(frozen=True, slots=True)
class UpdateDataSamples:
    keys: tuple[str, ...]
    data_manager_keys: tuple[str, ...]

    def __post_init__(self) -> None:
        validation.check_update_data_samples(self)


@dataclass(frozen=True, slots=True)
class NewComputePlan:
    key: str
    name: str
    tag: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validation.check_new_compute_plan(self)


@dataclass(frozen=True, slots=True)
class UpdateComputePlan:
    key: str
    name: str

    def __post_init__(self) -> None:
        validation.check_update_named(self, "computeplan")


@dataclass(frozen=True, slots=True)
class ApplyPlanAction:
    key: str
    action: PlanAction

    def __post_init__(self) -> None:
        validation.check_apply_plan_action(self)


@dataclass(frozen=True, slots=True)
class NewComputeTask:
    key: str
    function_key: str
    compute_plan_key: str
    worker: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    inputs: tuple[TaskInput, ...] = ()
    outputs: Mapping[str, NewTaskOutput | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validation.check_new_compute_task(self)


@dataclass(frozen=True, slots=True)
class RegisterTasks:
    """A batch of tasks registered all-or-nothing. Empty batches and duplicate keys are refused."""

    tasks: tuple[NewComputeTask, ...]

    def __post_init__(self) -> None:
        validation.check_register_tasks(self)


@dataclass(frozen=True, slots=True)
class ApplyTaskAction:
    compute_task_key: str
    action: TaskAction
    log: str = ""

    def __post_init__(self) -> None:
        validation.check_apply_task_action(self)


@dataclass(frozen=True, slots=True)
class DisableOutput:
    compute_task_key: str
    identifier: str

    def __post_init__(self) -> None:
        validation.check_disable_output(self)


@dataclass(frozen=True, slots=True)
class NewModel:
    key: str
    compute_task_key: str
    compute_task_output_identifier: str
    address: Addressable | None

    def __post_init__(self) -> None:
        validation.check_new_model(self)


@dataclass(frozen=True, slots=True)
class RegisterModels:
    models: tuple[NewModel, ...]

    def __post_init__(self) -> None:
        validation.check_register_models(self)


@dataclass(frozen=True, slots=True)
class NewPerformance:
    compute_task_key: str
    compute_task_output_identifier: str
    performance_value: float

    def __post_init__(self) -> None:
        validation.check_new_performance(self)


@dataclass(frozen=True, slots=True)
class NewFailureReport:
    asset_key: str
    error_type: ErrorType
    logs_address: Addressable | None
    asset_type: FailedAssetKind

    def __post_init__(self) -> None:
        validation.check_new_failure_report(self)


@dataclass(frozen=True, slots=True)
class NewProfilingStep:
    asset_key: str
    step: str
    duration: int

    def __post_init__(self) -> None:
        validation.check_profiling_step(self)


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Filters of QueryTasks, combined with AND; empty values do not filter."""

    worker: str = ""
    status: TaskStatus = TaskStatus.UNKNOWN
    compute_plan_key: str = ""
    function_key: str = ""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """An offset page request: ``page_token`` is the decimal offset ('' = 0); ``page_size`` 0 means the
    default. Invalid tokens and sizes above the maximum are refused by ``validation.check_page``."""

    page_token: str = ""
    page_size: int = 0

    def __post_init__(self) -> None:
        validation.check_page(self)

    @property
    def offset(self) -> int:
        return int(self.page_token) if self.page_token else 0

    @property
    def limit(self) -> int:
        return self.page_size or validation.DEFAULT_PAGE_SIZE
