"""The data scientist's SDK: register functions, data and plans as one organization, then follow them.

Rule: talks to the orchestrator only through ``podium.client``; files go to the organization's home
(``podium.agent.node.NodeConfig``) where its agent serves them.

Public surface::

    Client(node) / Client.from_env()       register_function, register_data_manager,
                                           register_data_samples, register_plan, status, wait,
                                           tasks, performances, failure_report, logs,
                                           output_models, download_model, cancel
    Task, TaskInput, TaskOutput, OutputRef, data_inputs      tasks to register
    Input, Output, Permissions, Signature                    function declarations
    TRAIN, AGGREGATE, PREDICT, METRIC                        signatures of the FedAvg roles
    fedavg(...), OrgData                                     the FedAvg task list
    FEDAVG_ROLES                                             (role, signature) in fedavg's order
    PlanStatus, PlanState, derive_status                     a plan's derived status
    PerformanceRow                                           rows of ``performances``
    archive_project, directory_checksum                      the exact file rules
    verify_channel, event_from_message                       the ledger, checked from the wire
    SdkError and subclasses                                  what the SDK refuses
"""

from podium.client.ledger import event_from_message
from podium.sdk.client import Client
from podium.sdk.errors import AssetUnavailable, ChecksumMismatch, InvalidProject, SdkError, WaitTimeout
from podium.sdk.files import archive_project, directory_checksum
from podium.sdk.ledger import channel_head, verify_channel
from podium.sdk.progress import ProgressBar, describe
from podium.sdk.results import PerformanceRow
from podium.sdk.status import PlanState, PlanStatus, derive_status
from podium.sdk.tasks import (
    AGGREGATE,
    METRIC,
    PREDICT,
    TRAIN,
    Input,
    Output,
    OutputRef,
    Permissions,
    Signature,
    Task,
    TaskInput,
    TaskOutput,
    data_inputs,
)
from podium.sdk.topology import FEDAVG_ROLES, OrgData, fedavg

__all__ = [
    "AGGREGATE",
    "FEDAVG_ROLES",
    "METRIC",
    "PREDICT",
    "TRAIN",
    "AssetUnavailable",
    "ChecksumMismatch",
    "Client",
    "Input",
    "InvalidProject",
    "OrgData",
    "Output",
    "OutputRef",
    "PerformanceRow",
    "Permissions",
    "PlanState",
    "PlanStatus",
    "ProgressBar",
    "SdkError",
    "Signature",
    "Task",
    "TaskInput",
    "TaskOutput",
    "WaitTimeout",
    "archive_project",
    "channel_head",
    "data_inputs",
    "derive_status",
    "describe",
    "directory_checksum",
    "event_from_message",
    "fedavg",
    "verify_channel",
]
