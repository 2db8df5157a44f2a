"""Validation rules of the contract (reference §14), one ``check_*`` per command.

Each command of ``podium.domain.commands`` calls its check from ``__post_init__``. A check returns
``None`` or raises a ``DomainError``, and only a ``DomainError``, whatever it is given (wrong types
included), because commands are built from untrusted wire input:

- ``InvalidAsset`` (``OE0101``) with ``<resource> is not valid: <field>: <problem>.`` for a malformed
  field (for example ``computetask is not valid: key: must be a valid UUID.``);
- ``BadRequest`` (``OE0003``) for empty batches, unsupported actions and bad page requests;
- ``AlreadyExists`` (``OE0006``) for a key repeated inside one batch; ``Unimplemented`` (``OE0010``) for
  plan actions other than cancel.

podium validates what Substra 1.0 leaves to database errors (§14.2 "implicit limits"): identifiers,
owners and workers are at most 100 characters, storage addresses at most 200, and every stored text is
valid UTF-8 without NUL characters (PostgreSQL refuses NUL in text and JSON).
"""

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from podium.domain.assets import (
    Addressable,
    FunctionInput,
    FunctionOutput,
    NewPermissions,
    NewTaskOutput,
    ParentTaskOutputRef,
    TaskInput,
)
from podium.domain.errors import AlreadyExists, BadRequest, InvalidAsset, Unimplemented
from podium.domain.kinds import (
    AssetKind,
    ErrorType,
    FailedAssetKind,
    FunctionAction,
    PlanAction,
    TaskAction,
)

if TYPE_CHECKING:  # commands imports this module: only the type checker may import it back
    from podium.domain import commands

DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 10_000
MAX_PAGE_OFFSET: Final = 2**63 - 1
"""Largest page offset: a PostgreSQL ``bigint``."""

MAX_ID_LENGTH: Final = 100
"""Keys, organization ids, identifiers, names, tags and profiling steps (characters)."""
MAX_ADDRESS_LENGTH: Final = 200
"""Storage addresses and organization addresses (characters)."""
MAX_METADATA_BYTES: Final = 100
"""Each metadata key and value, in UTF-8 bytes."""
MAX_UINT32: Final = 2**32 - 1
MAX_FLOAT32: Final = 3.4028234663852886e38

_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CHECKSUM: Final = re.compile(r"[0-9a-fA-F]{64}")
_DECIMAL: Final = re.compile(r"[0-9]{1,19}")
_QUOTED_MAX: Final = 100

_FUNCTION_INPUT_KINDS: Final = (AssetKind.MODEL, AssetKind.DATA_SAMPLE, AssetKind.DATA_MANAGER)
_FUNCTION_OUTPUT_KINDS: Final = (AssetKind.MODEL, AssetKind.PERFORMANCE)
_FAILURE_TYPES_WITH_LOGS: Final = (ErrorType.BUILD, ErrorType.EXECUTION)


class _FieldError(Exception):
    """One rule failed on one field; becomes the ``<details>`` of an ``InvalidAsset``."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}.")


class _validating:  # noqa: N801 - used as a function: ``with _validating("computetask"):``
    """Turn a ``_FieldError`` raised in the block into the resource's ``InvalidAsset``. A class rather
    than ``@contextmanager``: it runs once per task of a registration, and costs a third as much."""

    __slots__ = ("_resource",)

    def __init__(self, resource: str) -> None:
        self._resource = resource

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, _FieldError):
            raise InvalidAsset.of(self._resource, str(error)) from None


def _quote(text: str) -> str:
    """``text`` in double quotes, cut so that error messages stay small whatever the input."""
    if len(text) > _QUOTED_MAX:
        text = text[:_QUOTED_MAX] + "..."
    return f'"{text}"'


# --- field rules: each raises _FieldError(field, problem) -------------------------------------------------


def _stored_text(field: str, value: object) -> str:
    """A string that a database can store: valid UTF-8 and no NUL character."""
    if not isinstance(value, str):
        raise _FieldError(field, "must be a string")
    if "\x00" in value:
        raise _FieldError(field, "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _FieldError(field, "must be valid UTF-8") from None
    return value


def _name(field: str, value: object, max_length: int = MAX_ID_LENGTH) -> str:
    """Required text of 1..``max_length`` characters."""
    text = _stored_text(field, value)
    if not text:
        raise _FieldError(field, "cannot be blank")
    if len(text) > max_length:
        raise _FieldError(field, f"the length must be between 1 and {max_length}")
    return text


def _optional_text(field: str, value: object, max_length: int = MAX_ID_LENGTH) -> str:
    text = _stored_text(field, value)
    if len(text) > max_length:
        raise _FieldError(field, f"the length must be no more than {max_length}")
    return text


def _uuid(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise _FieldError(field, "must be a string")
    if not value:
        raise _FieldError(field, "cannot be blank")
    if _UUID.fullmatch(value) is None:
        raise _FieldError(field, "must be a valid UUID")
    return value


def _sequence(field: str, value: object) -> Sequence[object]:
    if type(value) is tuple or type(value) is list:  # the usual case, without the ABC checks below
        return value
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise _FieldError(field, "must be a list")
    return value


def _mapping(field: str, value: object) -> Mapping[object, object]:
    if type(value) is dict:  # the usual case, without the ABC check below
        return value
    if not isinstance(value, Mapping):
        raise _FieldError(field, "must be a map")
    return value


def _uuids(field: str, value: object, *, required: bool = False, distinct: bool = False) -> None:
    keys = _sequence(field, value)
    if required and not keys:
        raise _FieldError(field, "cannot be blank")
    for index, key in enumerate(keys):
        _uuid(f"{field}[{index}]", key)
    # Repeated keys would break the unique (sample, manager) link a store keeps per pair.
    if distinct and len(set(keys)) != len(keys):
        raise _FieldError(field, "must not contain duplicates")


def _metadata(value: object) -> None:
    for raw_key, raw_item in _mapping("metadata", value).items():
        key = _stored_text("metadata", raw_key)
        item = _stored_text("metadata", raw_item)
        if len(key.encode("utf-8")) > MAX_METADATA_BYTES:
            raise _FieldError("metadata", f"metadata key {_quote(key)} is too long")
        if len(item.encode("utf-8")) > MAX_METADATA_BYTES:
            raise _FieldError("metadata", f"metadata value for key {_quote(key)} is too long")


def _url(field: str, value: object, schemes: tuple[str, ...] = ()) -> None:
    """An absolute URL (scheme and host) of at most ``MAX_ADDRESS_LENGTH`` characters."""
    text = _stored_text(field, value)
    if not text:
        raise _FieldError(field, "cannot be blank")
    if len(text) > MAX_ADDRESS_LENGTH:
        raise _FieldError(field, f"the length must be no more than {MAX_ADDRESS_LENGTH}")
    if any(char.isspace() or not char.isprintable() for char in text):
        raise _FieldError(field, "must be a valid URL")
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise _FieldError(field, "must be a valid URL") from None
    if not parts.scheme or not parts.netloc or not parts.hostname:
        raise _FieldError(field, "must be a valid URL")
    if schemes and parts.scheme.lower() not in schemes:
        raise _FieldError(field, f"must be a URL with scheme {' or '.join(schemes)}")


def _addressable(field: str, value: object) -> None:
    """A required ``Addressable``: 64 hexadecimal characters of checksum and an absolute URL."""
    if value is None:
        raise _FieldError(field, "cannot be blank")
    if not isinstance(value, Addressable):
        raise _FieldError(field, "must be an addressable")
    checksum = value.checksum
    if not isinstance(checksum, str):
        raise _FieldError(f"{field}.checksum", "must be a string")
    if not checksum:
        raise _FieldError(f"{field}.checksum", "cannot be blank")
    if _CHECKSUM.fullmatch(checksum) is None:
        raise _FieldError(f"{field}.checksum", "must be 64 hexadecimal characters")
    _url(f"{field}.storage_address", value.storage_address)


def _new_permissions(field: str, value: object) -> None:
    """A required ``NewPermissions``; whether the ids are registered is checked at creation."""
    if value is None:
        raise _FieldError(field, "cannot be blank")
    if not isinstance(value, NewPermissions):
        raise _FieldError(field, "must be permissions")
    if not isinstance(value.public, bool):
        raise _FieldError(f"{field}.public", "must be a boolean")
    for index, organization in enumerate(_sequence(f"{field}.authorized_ids", value.authorized_ids)):
        _name(f"{field}.authorized_ids[{index}]", organization)


def _bool(field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise _FieldError(field, "must be a boolean")


# --- organizations and functions ----------------------------------------------------------------------


def check_register_organization(command: "commands.RegisterOrganization") -> None:
    """``address`` is empty or an http(s) URL of at most 200 characters (Substra: any request URL)."""
    with _validating("organization"):
        if command.address != "":
            _url("address", command.address, schemes=("http", "https"))


def _function_inputs(value: object) -> None:
    inputs = _mapping("inputs", value)
    data_managers = data_samples = 0
    for identifier, spec in inputs.items():
        _name("inputs.identifier", identifier)
        field = f"inputs[{_quote(str(identifier))}]"
        if not isinstance(spec, FunctionInput):
            raise _FieldError(field, "must be a function input")
        _bool(f"{field}.multiple", spec.multiple)
        _bool(f"{field}.optional", spec.optional)
        if not isinstance(spec.kind, AssetKind) or spec.kind not in _FUNCTION_INPUT_KINDS:
            raise _FieldError(
                f"{field}.kind", "must be one of ASSET_MODEL, ASSET_DATA_SAMPLE, ASSET_DATA_MANAGER"
            )
        if spec.kind is AssetKind.DATA_MANAGER:
            data_managers += 1
            if spec.multiple or spec.optional:
                raise _FieldError(field, "a data manager input cannot be multiple or optional")
        elif spec.kind is AssetKind.DATA_SAMPLE:
            data_samples += 1
    if data_managers > 1:
        raise _FieldError("inputs", "at most one input can be a data manager")
    if (data_managers == 0) != (data_samples == 0):
        raise _FieldError(
            "inputs", "a data manager input is required if and only if a data sample input exists"
        )


def _function_outputs(value: object) -> None:
    for identifier, spec in _mapping("outputs", value).items():
        _name("outputs.identifier", identifier)
        field = f"outputs[{_quote(str(identifier))}]"
        if not isinstance(spec, FunctionOutput):
            raise _FieldError(field, "must be a function output")
        _bool(f"{field}.multiple", spec.multiple)
        if not isinstance(spec.kind, AssetKind) or spec.kind not in _FUNCTION_OUTPUT_KINDS:
            raise _FieldError(f"{field}.kind", "must be one of ASSET_MODEL, ASSET_PERFORMANCE")
        if spec.kind is AssetKind.PERFORMANCE and spec.multiple:
            raise _FieldError(field, "a performance output cannot be multiple")


def check_new_function(command: "commands.NewFunction") -> None:
    with _validating("function"):
        _uuid("key", command.key)
        _name("name", command.name)
        _addressable("description", command.description)
        _addressable("archive", command.archive)
        _metadata(command.metadata)
        _new_permissions("new_permissions", command.new_permissions)
        _function_inputs(command.inputs)
        _function_outputs(command.outputs)


def check_update_function(command: "commands.UpdateFunction") -> None:
    """The image is validated when it will replace the current one (a non-empty checksum)."""
    with _validating("function"):
        _uuid("key", command.key)
        _name("name", command.name)
        image = command.image
        if image is not None and not (isinstance(image, Addressable) and image.checksum == ""):
            _addressable("image", image)


def check_apply_function_action(command: "commands.ApplyFunctionAction") -> None:
    with _validating("function"):
        _uuid("function_key", command.function_key)
    if not isinstance(command.action, FunctionAction) or command.action is FunctionAction.UNKNOWN:
        raise BadRequest("unsupported action")


# --- data managers, data samples, plans ---------------------------------------------------------------


def check_new_data_manager(command: "commands.NewDataManager") -> None:
    with _validating("datamanager"):
        _uuid("key", command.key)
        _name("name", command.name)
        _new_permissions("new_permissions", command.new_permissions)
        _addressable("description", command.description)
        _addressable("opener", command.opener)
        _metadata(command.metadata)
        _new_permissions("logs_permission", command.logs_permission)


def check_update_named(
    command: "commands.UpdateDataManager | commands.UpdateComputePlan", resource: str
) -> None:
    """Updates that carry a key and a new name (data managers, compute plans)."""
    with _validating(resource):
        _uuid("key", command.key)
        _name("name", command.name)


def check_new_data_sample(command: "commands.NewDataSample") -> None:
    with _validating("datasample"):
        _uuid("key", command.key)
        _uuids("data_manager_keys", command.data_manager_keys, distinct=True)
        checksum = _stored_text("checksum", command.checksum)
        if not checksum:
            raise _FieldError("checksum", "cannot be blank")
        if _CHECKSUM.fullmatch(checksum) is None:
            raise _FieldError("checksum", "must be 64 hexadecimal characters")


def check_update_data_samples(command: "commands.UpdateDataSamples") -> None:
    with _validating("datasample"):
        _uuids("keys", command.keys, required=True, distinct=True)
        _uuids("data_manager_keys", command.data_manager_keys, distinct=True)


def check_new_compute_plan(command: "commands.NewComputePlan") -> None:
    with _validating("computeplan"):
        _uuid("key", command.key)
        _optional_text("tag", command.tag)
        _name("name", command.name)
        _metadata(command.metadata)


def check_apply_plan_action(command: "commands.ApplyPlanAction") -> None:
    with _validating("computeplan"):
        _uuid("key", command.key)
    if command.action is not PlanAction.CANCELED:
        raise Unimplemented("plan action unimplemented")


# --- compute tasks ------------------------------------------------------------------------------------


def _task_inputs(value: object) -> None:
    for index, task_input in enumerate(_sequence("inputs", value)):
        field = f"inputs[{index}]"
        if not isinstance(task_input, TaskInput):
            raise _FieldError(field, "must be a task input")
        _name(f"{field}.identifier", task_input.identifier)
        asset_key, parent = task_input.asset_key, task_input.parent_task_output
        if (asset_key is None) == (parent is None):
            raise _FieldError(field, "exactly one of asset_key and parent_task_output must be set")
        if asset_key is not None:
            _uuid(f"{field}.asset_key", asset_key)
        elif not isinstance(parent, ParentTaskOutputRef):
            raise _FieldError(f"{field}.parent_task_output", "must be a parent task output reference")
        else:
            _uuid(f"{field}.parent_task_output.parent_task_key", parent.parent_task_key)
            _name(f"{field}.parent_task_output.output_identifier", parent.output_identifier)


def _task_outputs(value: object) -> None:
    for identifier, output in _mapping("outputs", value).items():
        _name("outputs.identifier", identifier)
        field = f"outputs[{_quote(str(identifier))}]"
        if output is None:
            raise _FieldError(f"{field}.permissions", "cannot be blank")
        if not isinstance(output, NewTaskOutput):
            raise _FieldError(field, "must be a task output")
        _new_permissions(f"{field}.permissions", output.permissions)
        _bool(f"{field}.transient", output.transient)


def check_new_compute_task(command: "commands.NewComputeTask") -> None:
    with _validating("computetask"):
        _uuid("key", command.key)
        _uuid("function_key", command.function_key)
        _uuid("compute_plan_key", command.compute_plan_key)
        _optional_text("worker", command.worker)
        _metadata(command.metadata)
        _task_inputs(command.inputs)
        _task_outputs(command.outputs)


def check_register_tasks(command: "commands.RegisterTasks") -> None:
    """Non-empty, and no key twice: a repeated key is ``AlreadyExists`` (Substra: a database crash)."""
    from podium.domain.commands import NewComputeTask

    with _validating("computetask"):
        tasks = _sequence("tasks", command.tasks)
        if not tasks:
            raise BadRequest("no task to register")
        seen: set[str] = set()
        for index, task in enumerate(tasks):
            if not isinstance(task, NewComputeTask):
                raise _FieldError(f"tasks[{index}]", "must be a compute task")
            if task.key in seen:
                raise AlreadyExists("computetask", task.key)
            seen.add(task.key)


def check_apply_task_action(command: "commands.ApplyTaskAction") -> None:
    """Build actions pass here: the use case refuses them as a permission matter (§9.3)."""
    with _validating("computetask"):
        _uuid("compute_task_key", command.compute_task_key)
        _stored_text("log", command.log)
    if not isinstance(command.action, TaskAction) or command.action is TaskAction.UNKNOWN:
        raise BadRequest("unsupported action")


def check_disable_output(command: "commands.DisableOutput") -> None:
    with _validating("computetask"):
        _uuid("compute_task_key", command.compute_task_key)
        _name("identifier", command.identifier)


# --- outputs of tasks: models, performances, failure reports, profiling -----------------------------


def check_new_model(command: "commands.NewModel") -> None:
    with _validating("model"):
        _uuid("key", command.key)
        _uuid("compute_task_key", command.compute_task_key)
        _name("compute_task_output_identifier", command.compute_task_output_identifier)
        _addressable("address", command.address)


def check_register_models(command: "commands.RegisterModels") -> None:
    """Non-empty, every model of one task, no model key twice."""
    from podium.domain.commands import NewModel

    with _validating("model"):
        models = _sequence("models", command.models)
        if not models:
            raise BadRequest("no model to register")
        seen: set[str] = set()
        for index, model in enumerate(models):
            if not isinstance(model, NewModel):
                raise _FieldError(f"models[{index}]", "must be a model")
            if model.compute_task_key != getattr(models[0], "compute_task_key", None):
                raise BadRequest("All models should be part of the same task")
            if model.key in seen:
                raise AlreadyExists("model", model.key)
            seen.add(model.key)


def check_new_performance(command: "commands.NewPerformance") -> None:
    """The value must be finite and fit the wire's 32-bit float (Substra: unconstrained)."""
    with _validating("performance"):
        _uuid("compute_task_key", command.compute_task_key)
        _name("compute_task_output_identifier", command.compute_task_output_identifier)
        value: Any = command.performance_value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _FieldError("performance_value", "must be a number")
        if not math.isfinite(value) or abs(value) > MAX_FLOAT32:
            raise _FieldError("performance_value", "must be a finite 32-bit float")


def check_new_failure_report(command: "commands.NewFailureReport") -> None:
    """``ERROR_TYPE_UNSPECIFIED`` is refused here (Substra: a database error); an unknown asset type
    is ``BadRequest`` once the fields are valid."""
    with _validating("failurereport"):
        _uuid("asset_key", command.asset_key)
        error_type = command.error_type
        if not isinstance(error_type, ErrorType) or error_type is ErrorType.UNSPECIFIED:
            raise _FieldError(
                "error_type", "must be one of ERROR_TYPE_BUILD, ERROR_TYPE_EXECUTION, ERROR_TYPE_INTERNAL"
            )
        if not isinstance(command.asset_type, FailedAssetKind):
            raise _FieldError("asset_type", "must be one of FAILED_ASSET_COMPUTE_TASK, FAILED_ASSET_FUNCTION")
        if error_type in _FAILURE_TYPES_WITH_LOGS:
            _addressable("logs_address", command.logs_address)
        elif command.logs_address is not None:
            raise _FieldError("logs_address", "must be blank")
    if command.asset_type is FailedAssetKind.UNKNOWN:
        raise BadRequest("can only register failure for asset_kind values function and compute task")


def check_profiling_step(command: "commands.NewProfilingStep") -> None:
    """``duration`` is a non-zero uint32 (microseconds)."""
    with _validating("profiling_step"):
        _uuid("asset_key", command.asset_key)
        _name("step", command.step)
        duration: object = command.duration
        if isinstance(duration, bool) or not isinstance(duration, int):
            raise _FieldError("duration", "must be an integer")
        if not 0 < duration <= MAX_UINT32:
            raise _FieldError("duration", f"must be between 1 and {MAX_UINT32}")


# --- reads --------------------------------------------------------------------------------------------


def check_page(command: "commands.PageRequest") -> None:
    """``page_token`` is '' or a decimal offset below 2**63; ``page_size`` is 0..``MAX_PAGE_SIZE``."""
    token: object = command.page_token
    if not isinstance(token, str) or (
        token != "" and (_DECIMAL.fullmatch(token) is None or int(token) > MAX_PAGE_OFFSET)
    ):
        raise BadRequest("page_token must be a decimal offset")
    size: object = command.page_size
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"page_size must be between 0 and {MAX_PAGE_SIZE}")
