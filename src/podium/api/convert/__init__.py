"""protobuf <-> domain conversion, one module per asset family.

Requests become validated ``podium.domain.commands`` (validation runs when the command is built, so a
servicer cannot skip it); enums cross by name and an unknown enum number is ``InvalidAsset``; absent
sub-messages become None. Assets become messages field by field (a hot path: no ``json_format``),
leaving optional sub-messages (plan dates, model address, logs address) unset when None. Events carry
asset snapshots and are parsed into the ``Event.asset`` oneof.

Rule: imports ``podium.domain`` and ``podium.api.generated`` only.
"""

from podium.api.convert.common import EnumCodec, from_timestamp, page_request, timestamp
from podium.api.convert.datamanagers import (
    data_manager_message,
    dataset_message,
    new_data_manager,
    update_data_manager,
)
from podium.api.convert.datasamples import (
    data_sample_message,
    new_data_sample,
    query_data_samples,
    register_data_samples,
    update_data_samples,
)
from podium.api.convert.events import EventQuery, event_filter, event_message, query_events
from podium.api.convert.failures import failure_report_message, new_failure_report
from podium.api.convert.functions import (
    apply_function_action,
    function_message,
    new_function,
    query_functions,
    update_function,
)
from podium.api.convert.models import model_message, new_model, register_models
from podium.api.convert.organizations import organization_message, register_organization
from podium.api.convert.performances import (
    PerformanceQuery,
    new_performance,
    performance_message,
    query_performances,
)
from podium.api.convert.plans import (
    apply_plan_action,
    compute_plan_message,
    new_compute_plan,
    query_plans,
    update_compute_plan,
)
from podium.api.convert.profiling import new_profiling_step, profiling_step_message
from podium.api.convert.tasks import (
    apply_task_action,
    compute_task_message,
    disable_output,
    input_asset_message,
    new_compute_task,
    output_asset_message,
    query_tasks,
    register_tasks,
    task_filter,
)

__all__ = [
    "EnumCodec",
    "EventQuery",
    "PerformanceQuery",
    "apply_function_action",
    "apply_plan_action",
    "apply_task_action",
    "compute_plan_message",
    "compute_task_message",
    "data_manager_message",
    "data_sample_message",
    "dataset_message",
    "disable_output",
    "event_filter",
    "event_message",
    "failure_report_message",
    "from_timestamp",
    "function_message",
    "input_asset_message",
    "model_message",
    "new_compute_plan",
    "new_compute_task",
    "new_data_manager",
    "new_data_sample",
    "new_failure_report",
    "new_function",
    "new_model",
    "new_performance",
    "new_profiling_step",
    "organization_message",
    "output_asset_message",
    "page_request",
    "performance_message",
    "profiling_step_message",
    "query_data_samples",
    "query_events",
    "query_functions",
    "query_performances",
    "query_plans",
    "query_tasks",
    "register_data_samples",
    "register_models",
    "register_organization",
    "register_tasks",
    "task_filter",
    "timestamp",
    "update_compute_plan",
    "update_data_manager",
    "update_data_samples",
    "update_function",
]
