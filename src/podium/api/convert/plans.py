"""Conversion of ComputePlanService messages."""

from typing import Final

from podium.api.convert.common import EnumCodec, metadata, page_request, timestamp
from podium.api.generated import computeplan_pb2 as pb
from podium.domain import assets, commands
from podium.domain.kinds import PlanAction

PLAN_ACTION: Final = EnumCodec(pb.ComputePlanAction, PlanAction)


def new_compute_plan(message: pb.NewComputePlan) -> commands.NewComputePlan:
    return commands.NewComputePlan(
        key=message.key, name=message.name, tag=message.tag, metadata=metadata(message.metadata)
    )


def update_compute_plan(message: pb.UpdateComputePlanParam) -> commands.UpdateComputePlan:
    return commands.UpdateComputePlan(key=message.key, name=message.name)


def apply_plan_action(message: pb.ApplyPlanActionParam) -> commands.ApplyPlanAction:
    return commands.ApplyPlanAction(
        key=message.key, action=PLAN_ACTION.decode(message.action, "computeplan", "action")
    )


def query_plans(message: pb.QueryPlansParam) -> tuple[commands.PageRequest, str]:
    """``QueryPlans`` request: the page and the ``owner`` filter ('' = no filter)."""
    return page_request(message), message.filter.owner


def compute_plan_message(plan: assets.ComputePlan) -> pb.ComputePlan:
    """The message of a plan. ``cancelation_date`` and ``failure_date`` stay UNSET when None: clients
    test their presence to derive the plan status."""
    message = pb.ComputePlan(
        key=plan.key,
        owner=plan.owner,
        creation_date=timestamp(plan.creation_date),
        tag=plan.tag,
        name=plan.name,
        metadata=plan.metadata,
    )
    if plan.cancelation_date is not None:
        message.cancelation_date.CopyFrom(timestamp(plan.cancelation_date))
    if plan.failure_date is not None:
        message.failure_date.CopyFrom(timestamp(plan.failure_date))
    return message
