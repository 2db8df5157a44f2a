"""Conversion of PerformanceService messages."""

from typing import NamedTuple

from podium.api.convert.common import page_request, timestamp
from podium.api.generated import performance_pb2 as pb
from podium.domain import assets, commands


class PerformanceQuery(NamedTuple):
    """``QueryPerformances`` request; empty filter values do not filter."""

    page: commands.PageRequest
    compute_task_key: str
    compute_task_output_identifier: str


def new_performance(message: pb.NewPerformance) -> commands.NewPerformance:
    return commands.NewPerformance(
        compute_task_key=message.compute_task_key,
        compute_task_output_identifier=message.compute_task_output_identifier,
        performance_value=message.performance_value,
    )


def query_performances(message: pb.QueryPerformancesParam) -> PerformanceQuery:
    return PerformanceQuery(
        page_request(message), message.filter.compute_task_key, message.filter.compute_task_output_identifier
    )


def performance_message(performance: assets.Performance) -> pb.Performance:
    return pb.Performance(
        compute_task_key=performance.compute_task_key,
        compute_task_output_identifier=performance.compute_task_output_identifier,
        performance_value=performance.performance_value,
        creation_date=timestamp(performance.creation_date),
    )
