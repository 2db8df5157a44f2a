"""A small world of organizations, functions, plans and tasks for use-case tests, built through the
real ``Orchestrator`` on a real database."""

import uuid
from collections.abc import Sequence

from podium.app.service import Caller, Orchestrator
from podium.domain import commands
from podium.domain.assets import (
    Addressable,
    ComputeTask,
    FunctionInput,
    FunctionOutput,
    NewPermissions,
    NewTaskOutput,
    ParentTaskOutputRef,
    TaskInput,
)
from podium.domain.events import Event, EventFilter
from podium.domain.kinds import AssetKind, FunctionAction, SortOrder

ORG_A = "OrgAMSP"
ORG_B = "OrgBMSP"
PUBLIC = NewPermissions(public=True, authorized_ids=())


def new_key() -> str:
    return str(uuid.uuid4())


def address(name: str) -> Addressable:
    return Addressable("a" * 64, f"http://backend.example/{name}")


class World:
    """Helpers bound to one orchestrator and one fresh channel."""

    def __init__(self, orchestrator: Orchestrator, channel: str) -> None:
        self.orchestrator = orchestrator
        self.channel = channel
        for organization in (ORG_A, ORG_B):
            orchestrator.register_organization(self.caller(organization), commands.RegisterOrganization())

    def caller(self, organization: str = ORG_A) -> Caller:
        return Caller(organization, self.channel)

    def function(self, owner: str = ORG_A, ready: bool = True) -> str:
        """A training function: optional multiple MODEL input ``model``, one MODEL output ``model``."""
        key = new_key()
        self.orchestrator.register_function(
            self.caller(owner),
            commands.NewFunction(
                key=key,
                name="train",
                description=address(f"{key}/description"),
                archive=address(f"{key}/archive"),
                new_permissions=PUBLIC,
                inputs={"model": FunctionInput(AssetKind.MODEL, multiple=True, optional=True)},
                outputs={"model": FunctionOutput(AssetKind.MODEL)},
            ),
        )
        if ready:
            self.build(key, owner)
        return key

    def build(self, function_key: str, owner: str = ORG_A) -> None:
        for action in (FunctionAction.BUILDING, FunctionAction.READY):
            self.orchestrator.apply_function_action(
                self.caller(owner), commands.ApplyFunctionAction(function_key, action)
            )

    def plan(self, owner: str = ORG_A) -> str:
        key = new_key()
        self.orchestrator.register_plan(self.caller(owner), commands.NewComputePlan(key=key, name="plan"))
        return key

    @staticmethod
    def new_task(
        key: str, function_key: str, plan_key: str, parents: Sequence[str] = (), worker: str = ORG_A
    ) -> commands.NewComputeTask:
        return commands.NewComputeTask(
            key=key,
            function_key=function_key,
            compute_plan_key=plan_key,
            worker=worker,
            inputs=tuple(
                TaskInput("model", parent_task_output=ParentTaskOutputRef(p, "model")) for p in parents
            ),
            outputs={"model": NewTaskOutput(PUBLIC)},
        )

    def register(self, tasks: Sequence[commands.NewComputeTask], owner: str = ORG_A) -> list[ComputeTask]:
        return self.orchestrator.register_tasks(self.caller(owner), commands.RegisterTasks(tuple(tasks)))

    def tasks(self, plan_key: str) -> dict[str, ComputeTask]:
        page = self.orchestrator.query_tasks(
            self.caller(),
            commands.PageRequest(page_size=10_000),
            commands.TaskFilter(compute_plan_key=plan_key),
        )
        return {task.key: task for task in page.items}

    def events(self) -> list[Event]:
        page = self.orchestrator.query_events(
            self.caller(), commands.PageRequest(page_size=10_000), EventFilter(), SortOrder.ASCENDING
        )
        return list(page.items)
