"""Whatever a command is given, validation refuses with a ``DomainError`` and nothing else."""

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podium.domain import commands as c
from podium.domain.assets import (
    Addressable,
    FunctionInput,
    FunctionOutput,
    NewPermissions,
    NewTaskOutput,
    ParentTaskOutputRef,
    TaskInput,
)
from podium.domain.errors import DomainError
from podium.domain.kinds import (
    AssetKind,
    ErrorType,
    FailedAssetKind,
    FunctionAction,
    PlanAction,
    TaskAction,
)

from .builders import CHECKSUM, key, new_task

COMMANDS: list[type[Any]] = [
    c.RegisterOrganization,
    c.NewFunction,
    c.UpdateFunction,
    c.ApplyFunctionAction,
    c.NewDataManager,
    c.UpdateDataManager,
    c.NewDataSample,
    c.UpdateDataSamples,
    c.NewComputePlan,
    c.UpdateComputePlan,
    c.ApplyPlanAction,
    c.NewComputeTask,
    c.RegisterTasks,
    c.ApplyTaskAction,
    c.DisableOutput,
    c.NewModel,
    c.RegisterModels,
    c.NewPerformance,
    c.NewFailureReport,
    c.NewProfilingStep,
    c.PageRequest,
]

ENUMS = (AssetKind, ErrorType, FailedAssetKind, FunctionAction, PlanAction, TaskAction)
texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=120)
uuids = st.uuids().map(str) | st.uuids().map(lambda value: str(value).upper())
urls = st.sampled_from(["http://h/x", "https://h:1/", "http://[::1", "s3://b/k", "http://h:0x/"]) | texts
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | texts
    | uuids
    | st.binary(max_size=10)
    | st.sampled_from([member for enum in ENUMS for member in enum])
    | st.sampled_from(["", "0", "10000", "99999999999999999999", CHECKSUM])
)
addressables = st.builds(Addressable, st.sampled_from([CHECKSUM, "", "zz"]) | texts, urls | scalars)
permissions = st.builds(NewPermissions, scalars, st.lists(texts | scalars, max_size=3).map(tuple) | scalars)
references = st.builds(ParentTaskOutputRef, uuids | scalars, texts | scalars)
task_inputs = st.builds(
    TaskInput, texts | scalars, st.none() | uuids | scalars, st.none() | references | scalars
)
specs = (
    st.builds(FunctionInput, st.sampled_from(AssetKind) | scalars, scalars, scalars)
    | st.builds(FunctionOutput, st.sampled_from(AssetKind) | scalars, scalars)
    | st.builds(NewTaskOutput, permissions | scalars, scalars)
)
valid_tasks = st.sampled_from([new_task(1, worker="o"), new_task(2, worker="o")])
valid_models = st.sampled_from([c.NewModel(key(1), key(9), "m", Addressable(CHECKSUM, "http://h/1"))])
elements = scalars | task_inputs | valid_tasks | valid_models | addressables
anything = (
    scalars
    | addressables
    | permissions
    | st.lists(elements, max_size=4).map(tuple)
    | st.dictionaries(texts | scalars.filter(lambda v: v.__hash__ is not None), specs | scalars, max_size=3)
)


@pytest.mark.parametrize("command", COMMANDS, ids=[command.__name__ for command in COMMANDS])
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_only_domain_errors_escape(command: type[Any], data: st.DataObject) -> None:
    arguments = {field.name: data.draw(anything, label=field.name) for field in dataclasses.fields(command)}
    refusal: DomainError | None = None
    try:
        command(**arguments)
    except DomainError as refused:
        refusal = refused
    if refusal is not None:
        assert refusal.code.startswith("OE0")
        assert len(str(refusal)) < 2_000  # whatever the input, messages stay small
