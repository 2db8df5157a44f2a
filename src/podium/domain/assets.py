"""The assets of the contract as frozen values.

Each asset mirrors its protobuf message of Substra's orchestrator 1.0 field for field (see
``shared/reference/substra-orchestrator-v1.md`` §6). ``snapshot()`` renders an asset as a JSON-able
dict in the protobuf JSON mapping with the proto field names (snake_case), enum values by name,
timestamps as RFC 3339 UTC strings with microseconds, and unset optional fields omitted. That dict is
what events carry, what the ledger hashes and what the API turns into protobuf messages, so one
function defines "the state of an asset" everywhere.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

from podium.domain.kinds import (
    AssetKind,
    ErrorType,
    FailedAssetKind,
    FunctionStatus,
    TaskStatus,
)

Snapshot = dict[str, Any]
"""A JSON-able dict in the protobuf JSON mapping of one asset message."""


@lru_cache(maxsize=256)  # the assets of one transaction share its timestamp
def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with exactly six fractional digits, e.g. ``2026-11-28T21:23:55.123456Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    """Inverse of ``format_timestamp``."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Permission:
    public: bool
    authorized_ids: tuple[str, ...]

    def allows(self, organization: str) -> bool:
        """Whether ``organization`` is granted this permission (public or listed)."""
        return self.public or organization in self.authorized_ids

    def snapshot(self) -> Snapshot:
        return {"public": self.public, "authorized_ids": list(self.authorized_ids)}

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> "Permission":
        return cls(bool(data.get("public", False)), tuple(data.get("authorized_ids", ())))


@dataclass(frozen=True, slots=True)
class Permissions:
    process: Permission
    download: Permission

    def snapshot(self) -> Snapshot:
        return {"process": self.process.snapshot(), "download": self.download.snapshot()}

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> "Permissions":
        return cls(Permission.from_snapshot(data["process"]), Permission.from_snapshot(data["download"]))


@dataclass(frozen=True, slots=True)
class NewPermissions:
    """Permissions as requested at registration, before the owner rule is applied."""

    public: bool
    authorized_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Addressable:
    checksum: str
    storage_address: str

    def snapshot(self) -> Snapshot:
        return {"checksum": self.checksum, "storage_address": self.storage_address}

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> "Addressable":
        return cls(data.get("checksum", ""), data.get("storage_address", ""))


EMPTY_ADDRESS = Addressable("", "")


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    address: str
    creation_date: datetime

    def snapshot(self) -> Snapshot:
        return {"id": self.id, "creation_date": format_timestamp(self.creation_date), "address": self.address}


@dataclass(frozen=True, slots=True)
class FunctionInput:
    kind: AssetKind
    multiple: bool = False
    optional: bool = False

    def snapshot(self) -> Snapshot:
        return {"kind": self.kind.value, "multiple": self.multiple, "optional": self.optional}


@dataclass(frozen=True, slots=True)
class FunctionOutput:
    kind: AssetKind
    multiple: bool = False

    def snapshot(self) -> Snapshot:
        return {"kind": self.kind.value, "multiple": self.multiple}


@dataclass(frozen=True, slots=True)
class Function:
    key: str
    name: str
    description: Addressable
    archive: Addressable
    permissions: Permissions
    owner: str
    creation_date: datetime
    metadata: Mapping[str, str]
    inputs: Mapping[str, FunctionInput]
    outputs: Mapping[str, FunctionOutput]
    status: FunctionStatus
    image: Addressable = EMPTY_ADDRESS

    def snapshot(self) -> Snapshot:
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description.snapshot(),
            "archive": self.archive.snapshot(),
            "permissions": self.permissions.snapshot(),
            "owner": self.owner,
            "creation_date": format_timestamp(self.creation_date),
            "metadata": dict(sorted(self.metadata.items())),
            "inputs": {name: spec.snapshot() for name, spec in sorted(self.inputs.items())},
            "outputs": {name: spec.snapshot() for name, spec in sorted(self.outputs.items())},
            "status": self.status.value,
            "image": self.image.snapshot(),
        }


@dataclass(frozen=True, slots=True)
class DataManager:
    key: str
    name: str
    owner: str
    permissions: Permissions
    description: Addressable
    opener: Addressable
    creation_date: datetime
    logs_permission: Permission
    metadata: Mapping[str, str]

    def snapshot(self) -> Snapshot:
        return {
            "key": self.key,
            "name": self.name,
            "owner": self.owner,
            "permissions": self.permissions.snapshot(),
            "description": self.description.snapshot(),
            "opener": self.opener.snapshot(),
            "type": "",
            "creation_date": format_timestamp(self.creation_date),
            "logs_permission": self.logs_permission.snapshot(),
            "metadata": dict(sorted(self.metadata.items())),
        }


@dataclass(frozen=True, slots=True)
class DataSample:
    key: str
    data_manager_keys: tuple[str, ...]
    owner: str
    checksum: str
    creation_date: datetime

    def snapshot(self) -> Snapshot:
        return {
            "key": self.key,
            "data_manager_keys": list(self.data_manager_keys),
            "owner": self.owner,
            "test_only": False,
            "checksum": self.checksum,
            "creation_date": format_timestamp(self.creation_date),
        }


@dataclass(frozen=True, slots=True)
class Dataset:
    data_manager: DataManager
    data_sample_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ComputePlan:
    key: str
    owner: str
    creation_date: datetime
    tag: str
    metadata: Mapping[str, str]
    name: str
    cancelation_date: datetime | None = None
    failure_date: datetime | None = None

    @property
    def is_terminated(self) -> bool:
        """Canceled or failed: no new work should start."""
        return self.cancelation_date is not None or self.failure_date is not None

    def snapshot(self) -> Snapshot:
        data: Snapshot = {
            "key": self.key,
            "owner": self.owner,
            "creation_date": format_timestamp(self.creation_date),
            "tag": self.tag,
            "metadata": dict(sorted(self.metadata.items())),
            "name": self.name,
        }
        if self.cancelation_date is not None:
            data["cancelation_date"] = format_timestamp(self.cancelation_date)
        if self.failure_date is not None:
            data["failure_date"] = format_timestamp(self.failure_date)
        return data


@dataclass(frozen=True, slots=True)
class ParentTaskOutputRef:
    parent_task_key: str
    output_identifier: str


@dataclass(frozen=True, slots=True)
class TaskInput:
    """One input of a task: exactly one of ``asset_key`` and ``parent_task_output`` is set."""

    identifier: str
    asset_key: str | None = None
    parent_task_output: ParentTaskOutputRef | None = None

    def snapshot(self) -> Snapshot:
        data: Snapshot = {"identifier": self.identifier}
        if self.parent_task_output is not None:
            data["parent_task_output"] = {
                "parent_task_key": self.parent_task_output.parent_task_key,
                "output_identifier": self.parent_task_output.output_identifier,
            }
        else:
            data["asset_key"] = self.asset_key or ""
        return data


@dataclass(frozen=True, slots=True)
class TaskOutput:
    permissions: Permissions
    transient: bool = False

    def snapshot(self) -> Snapshot:
        return {"permissions": self.permissions.snapshot(), "transient": self.transient}


@dataclass(frozen=True, slots=True)
class NewTaskOutput:
    permissions: NewPermissions
    transient: bool = False


@dataclass(frozen=True, slots=True)
class ComputeTask:
    key: str
    owner: str
    compute_plan_key: str
    function_key: str
    rank: int
    status: TaskStatus
    worker: str
    creation_date: datetime
    logs_permission: Permission
    metadata: Mapping[str, str]
    inputs: tuple[TaskInput, ...]
    outputs: Mapping[str, TaskOutput]

    @property
    def parent_keys(self) -> tuple[str, ...]:
        """Distinct parent task keys, in input order."""
        seen: dict[str, None] = {}
        for task_input in self.inputs:
            if task_input.parent_task_output is not None:
                seen.setdefault(task_input.parent_task_output.parent_task_key, None)
        return tuple(seen)

    def snapshot(self) -> Snapshot:
        return {
            "key": self.key,
            "owner": self.owner,
            "compute_plan_key": self.compute_plan_key,
            "rank": self.rank,
            "status": self.status.value,
            "worker": self.worker,
            "creation_date": format_timestamp(self.creation_date),
            "logs_permission": self.logs_permission.snapshot(),
            "metadata": dict(sorted(self.metadata.items())) if self.metadata else {},
            "inputs": [task_input.snapshot() for task_input in self.inputs],
            "outputs": {name: output.snapshot() for name, output in sorted(self.outputs.items())},
            "function_key": self.function_key,
        }


@dataclass(frozen=True, slots=True)
class Model:
    key: str
    compute_task_key: str
    compute_task_output_identifier: str
    address: Addressable | None
    permissions: Permissions
    owner: str
    creation_date: datetime

    @property
    def is_disabled(self) -> bool:
        return self.address is None

    def snapshot(self) -> Snapshot:
        data: Snapshot = {"key": self.key, "compute_task_key": self.compute_task_key}
        if self.address is not None:
            data["address"] = self.address.snapshot()
        data["permissions"] = self.permissions.snapshot()
        data["owner"] = self.owner
        data["creation_date"] = format_timestamp(self.creation_date)
        return data


@dataclass(frozen=True, slots=True)
class Performance:
    compute_task_key: str
    compute_task_output_identifier: str
    performance_value: float
    creation_date: datetime

    @property
    def key(self) -> str:
        """The contract's performance key: ``<task key>|<output identifier>``."""
        return f"{self.compute_task_key}|{self.compute_task_output_identifier}"

    def snapshot(self) -> Snapshot:
        return {
            "compute_task_key": self.compute_task_key,
            "compute_task_output_identifier": self.compute_task_output_identifier,
            "performance_value": self.performance_value,
            "creation_date": format_timestamp(self.creation_date),
        }


@dataclass(frozen=True, slots=True)
class FailureReport:
    asset_key: str
    error_type: ErrorType
    logs_address: Addressable | None
    creation_date: datetime
    owner: str
    asset_type: FailedAssetKind

    def snapshot(self) -> Snapshot:
        data: Snapshot = {"asset_key": self.asset_key, "error_type": self.error_type.value}
        if self.logs_address is not None:
            data["logs_address"] = self.logs_address.snapshot()
        data["creation_date"] = format_timestamp(self.creation_date)
        data["owner"] = self.owner
        data["asset_type"] = self.asset_type.value
        return data


@dataclass(frozen=True, slots=True)
class ComputeTaskOutputAsset:
    compute_task_key: str
    compute_task_output_identifier: str
    asset_kind: AssetKind
    asset_key: str

    def snapshot(self) -> Snapshot:
        return {
            "compute_task_key": self.compute_task_key,
            "compute_task_output_identifier": self.compute_task_output_identifier,
            "asset_kind": self.asset_kind.value,
            "asset_key": self.asset_key,
        }


@dataclass(frozen=True, slots=True)
class ProfilingStep:
    duration: int
    asset_key: str
    step: str

    def snapshot(self) -> Snapshot:
        return {"duration": self.duration, "asset_key": self.asset_key, "step": self.step}


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page of a query: ``items`` in the query's stable order and the token of the next page
    (empty at the end)."""

    items: tuple[T, ...] = field(default=())
    next_page_token: str = ""


@dataclass(frozen=True, slots=True)
class ComputeTaskInputAsset:
    """One resolved input of a task: the task input's identifier and the asset it designates."""

    identifier: str
    asset: "Model | DataManager | DataSample"
