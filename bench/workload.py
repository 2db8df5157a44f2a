"""The podium calls the scenarios make: setting up a channel's assets and building task batches.

Tasks use one function with no inputs and no outputs (built to READY before tasks are registered), so
that registration starts them in To do (``STATUS_WAITING_FOR_EXECUTOR_SLOT``) and the control plane,
not the asset checks, is measured.
"""

import uuid
from dataclasses import dataclass
from typing import Any, Final

import grpc

from bench.infra import ORG, metadata
from podium.api.generated import (
    computeplan_pb2,
    computeplan_pb2_grpc,
    computetask_pb2,
    computetask_pb2_grpc,
    event_pb2_grpc,
    function_pb2,
    function_pb2_grpc,
    organization_pb2,
    organization_pb2_grpc,
)

MAX_MESSAGE: Final = 64 * 1024 * 1024
CHANNEL_OPTIONS: Final = [
    ("grpc.max_receive_message_length", MAX_MESSAGE),
    ("grpc.max_send_message_length", MAX_MESSAGE),
]
CALL_TIMEOUT_S: Final = 600.0


def new_key() -> str:
    """A fresh asset key."""
    return str(uuid.uuid4())


def _address(name: str) -> dict[str, str]:
    return {"checksum": "b" * 64, "storage_address": f"http://bench.example/{name}/"}


@dataclass
class Stubs:
    """The stubs the scenarios call, over one channel."""

    channel: grpc.Channel

    def __post_init__(self) -> None:
        self.organizations = organization_pb2_grpc.OrganizationServiceStub(self.channel)
        self.functions = function_pb2_grpc.FunctionServiceStub(self.channel)
        self.plans = computeplan_pb2_grpc.ComputePlanServiceStub(self.channel)
        self.tasks = computetask_pb2_grpc.ComputeTaskServiceStub(self.channel)
        self.events = event_pb2_grpc.EventServiceStub(self.channel)

    def call(self, method: Any, request: Any) -> Any:
        """A unary call with the bench headers."""
        return method(request, metadata=metadata(), timeout=CALL_TIMEOUT_S)


def connect(address: str) -> Stubs:
    """Stubs over a new insecure channel to ``address`` (64 MiB messages)."""
    return Stubs(grpc.insecure_channel(address, options=CHANNEL_OPTIONS))


@dataclass(frozen=True)
class Setup:
    """The functions and plan the tasks of a scenario use: ``function_key`` has no inputs and no
    outputs; ``chain_key`` has an optional model input and a model output (for parent links)."""

    function_key: str
    chain_key: str
    plan_key: str


def prepare(stubs: Stubs) -> Setup:
    """Register the organization (once per database), a READY function and a plan."""
    try:
        stubs.call(
            stubs.organizations.RegisterOrganization,
            organization_pb2.RegisterOrganizationParam(address="http://bench.example"),
        )
    except grpc.RpcError as error:
        if error.code() is not grpc.StatusCode.ALREADY_EXISTS:
            raise
    model = {"kind": "ASSET_MODEL"}
    return Setup(
        _ready_function(stubs, {}, {}),
        _ready_function(stubs, {MODEL: {**model, "optional": True}}, {MODEL: model}),
        new_plan(stubs),
    )


MODEL: Final = "model"


def _ready_function(stubs: Stubs, inputs: dict[str, Any], outputs: dict[str, Any]) -> str:
    function_key = new_key()
    # Messages are built from dicts and enum names, the way a Substra backend builds them.
    fields: dict[str, Any] = {
        "key": function_key,
        "name": "bench",
        "description": _address("description"),
        "archive": _address("archive"),
        "new_permissions": {"public": True, "authorized_ids": []},
        "inputs": inputs,
        "outputs": outputs,
    }
    stubs.call(stubs.functions.RegisterFunction, function_pb2.NewFunction(**fields))
    for action in ("FUNCTION_ACTION_BUILDING", "FUNCTION_ACTION_READY"):
        step: dict[str, Any] = {"function_key": function_key, "action": action}
        stubs.call(stubs.functions.ApplyFunctionAction, function_pb2.ApplyFunctionActionParam(**step))
    return function_key


def new_plan(stubs: Stubs) -> str:
    """Register an empty plan; answer its key."""
    plan_key = new_key()
    stubs.call(stubs.plans.RegisterPlan, computeplan_pb2.NewComputePlan(key=plan_key, name="bench", tag=""))
    return plan_key


def task_batch(setup: Setup, count: int) -> computetask_pb2.RegisterTasksParam:
    """``count`` independent tasks as one RegisterTasks request."""
    return tasks_request([task_dict(setup) for _ in range(count)])


def tasks_request(tasks: list[dict[str, Any]]) -> computetask_pb2.RegisterTasksParam:
    """A RegisterTasks request from task dicts."""
    fields: dict[str, Any] = {"tasks": tasks}
    return computetask_pb2.RegisterTasksParam(**fields)


def task_dict(setup: Setup, *, parent: str | None = None, chain: bool = False) -> dict[str, Any]:
    """One new task: of the no-input function, or (``chain``) of the model function, with ``parent``'s
    model as its input when given."""
    task: dict[str, Any] = {
        "key": new_key(),
        "compute_plan_key": setup.plan_key,
        "function_key": setup.chain_key if chain else setup.function_key,
        "worker": ORG,
        "metadata": {"bench": "1"},
        "inputs": [],
        "outputs": {},
    }
    if chain:
        task["outputs"] = {MODEL: {"permissions": {"public": True, "authorized_ids": []}}}
    if parent is not None:
        reference = {"parent_task_key": parent, "output_identifier": MODEL}
        task["inputs"] = [{"identifier": MODEL, "parent_task_output": reference}]
    return task


def register(stubs: Stubs, request: computetask_pb2.RegisterTasksParam) -> list[str]:
    """RegisterTasks; answer the keys created."""
    created = stubs.call(stubs.tasks.RegisterTasks, request)
    return [task.key for task in created.tasks]


def act(stubs: Stubs, task_key: str, action: str) -> None:
    """ApplyTaskAction ``TASK_ACTION_<action>``."""
    fields: dict[str, Any] = {"compute_task_key": task_key, "action": f"TASK_ACTION_{action}"}
    stubs.call(stubs.tasks.ApplyTaskAction, computetask_pb2.ApplyTaskActionParam(**fields))
