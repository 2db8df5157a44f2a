"""Describing tasks before registering them: ``Task``, its inputs and outputs, and the function
signatures of the common roles.

A ``Task`` gets its key when it is built, so later tasks can refer to its outputs
(``task.output("shared")``) before anything is registered; ``Client.register_plan`` sends them in the
order given, which must list every parent before its children (the topology helpers do).
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from podium.api.generated import common_pb2, computetask_pb2, function_pb2
from podium.domain.kinds import AssetKind

OPENER: str = "opener"
DATASAMPLES: str = "datasamples"
SHARED: str = "shared"
PREDICTIONS: str = "predictions"
PERFORMANCE: str = "performance"
ROUND: str = "round_idx"
"""Task metadata key holding the round number (Substra's name, so its tools read it too)."""


@dataclass(frozen=True)
class Permissions:
    """Who may use an asset: everyone (``public``) or the listed organizations (the owner always)."""

    public: bool = False
    authorized_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: "Permissions | Iterable[str]") -> "Permissions":
        """``value`` itself, or the permissions of a list of organization ids."""
        return value if isinstance(value, Permissions) else cls(False, tuple(value))

    def message(self) -> common_pb2.NewPermissions:
        return common_pb2.NewPermissions(public=self.public, authorized_ids=list(self.authorized_ids))


@dataclass(frozen=True)
class Input:
    """An input a function declares. ``kind``: MODEL, DATA_MANAGER (the opener) or DATA_SAMPLE."""

    kind: AssetKind
    multiple: bool = False
    optional: bool = False

    def message(self) -> function_pb2.FunctionInput:
        return function_pb2.FunctionInput(
            kind=common_pb2.AssetKind.Value(self.kind.value), multiple=self.multiple, optional=self.optional
        )


@dataclass(frozen=True)
class Output:
    """An output a function declares. ``kind``: MODEL or PERFORMANCE."""

    kind: AssetKind
    multiple: bool = False

    def message(self) -> function_pb2.FunctionOutput:
        return function_pb2.FunctionOutput(
            kind=common_pb2.AssetKind.Value(self.kind.value), multiple=self.multiple
        )


@dataclass(frozen=True)
class Signature:
    """The inputs and outputs of a function role, for ``Client.register_function``."""

    inputs: Mapping[str, Input]
    outputs: Mapping[str, Output]


_DATA: dict[str, Input] = {
    OPENER: Input(AssetKind.DATA_MANAGER),
    DATASAMPLES: Input(AssetKind.DATA_SAMPLE, multiple=True),
}
TRAIN = Signature({**_DATA, SHARED: Input(AssetKind.MODEL, optional=True)}, {SHARED: Output(AssetKind.MODEL)})
"""Train on local data, from the previous shared model when there is one."""
AGGREGATE = Signature({SHARED: Input(AssetKind.MODEL, multiple=True)}, {SHARED: Output(AssetKind.MODEL)})
"""Combine the models trained by every organization."""
PREDICT = Signature({**_DATA, SHARED: Input(AssetKind.MODEL)}, {PREDICTIONS: Output(AssetKind.MODEL)})
"""Predict on local test data with a shared model."""
METRIC = Signature(
    {**_DATA, PREDICTIONS: Input(AssetKind.MODEL)}, {PERFORMANCE: Output(AssetKind.PERFORMANCE)}
)
"""Score predictions against local test data; the output is one number."""


@dataclass(frozen=True)
class TaskInput:
    """One input of a task: a registered asset (``asset_key``) or a parent task's output."""

    identifier: str
    asset_key: str = ""
    parent_task_key: str = ""
    parent_output: str = ""

    def message(self) -> computetask_pb2.ComputeTaskInput:
        if self.parent_task_key:
            return computetask_pb2.ComputeTaskInput(
                identifier=self.identifier,
                parent_task_output=computetask_pb2.ParentTaskOutputRef(
                    parent_task_key=self.parent_task_key, output_identifier=self.parent_output
                ),
            )
        return computetask_pb2.ComputeTaskInput(identifier=self.identifier, asset_key=self.asset_key)


@dataclass(frozen=True)
class OutputRef:
    """A reference to the output ``output`` of the task ``task_key``, to feed a child task."""

    task_key: str
    output: str

    def as_input(self, identifier: str) -> TaskInput:
        return TaskInput(identifier, parent_task_key=self.task_key, parent_output=self.output)


@dataclass(frozen=True)
class TaskOutput:
    """Who may download an output, and whether it is dropped once its children are done."""

    permissions: Permissions = Permissions()
    transient: bool = False


def data_inputs(data_manager_key: str, sample_keys: Sequence[str]) -> list[TaskInput]:
    """The ``opener`` and ``datasamples`` inputs of a task reading a dataset."""
    return [TaskInput(OPENER, asset_key=data_manager_key)] + [
        TaskInput(DATASAMPLES, asset_key=sample) for sample in sample_keys
    ]


@dataclass(frozen=True)
class Task:
    """A task to register: run ``function_key`` at ``worker`` on ``inputs``, producing ``outputs``.

    The key is drawn at construction (a UUID) unless given.
    """

    function_key: str
    worker: str
    inputs: tuple[TaskInput, ...] = ()
    outputs: Mapping[str, TaskOutput] = field(default_factory=dict)
    metadata: Mapping[str, str] = field(default_factory=dict)
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    def output(self, identifier: str) -> OutputRef:
        """A reference to this task's output ``identifier``, to use as a child's input."""
        if identifier not in self.outputs:
            raise ValueError(f"task {self.key} has no output {identifier!r} (it has {sorted(self.outputs)})")
        return OutputRef(self.key, identifier)

    def message(self, compute_plan_key: str) -> computetask_pb2.NewComputeTask:
        """The ``NewComputeTask`` of this task in plan ``compute_plan_key``."""
        return computetask_pb2.NewComputeTask(
            key=self.key,
            function_key=self.function_key,
            compute_plan_key=compute_plan_key,
            worker=self.worker,
            metadata=dict(self.metadata),
            inputs=[task_input.message() for task_input in self.inputs],
            outputs={
                name: computetask_pb2.NewComputeTaskOutput(
                    permissions=output.permissions.message(), transient=output.transient
                )
                for name, output in self.outputs.items()
            },
        )
