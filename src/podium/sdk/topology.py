"""Task lists of the common federated topologies.

``fedavg`` builds federated averaging: in each round every organization trains on its own data from
the previous round's aggregate, the aggregator combines the trained models, and, every
``evaluate_every`` rounds (and at the last), every organization predicts on its test data with the
aggregate and scores the predictions. The functions must have the ``TRAIN``, ``AGGREGATE``,
``PREDICT`` and ``METRIC`` signatures of ``podium.sdk.tasks``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from podium.sdk.tasks import (
    AGGREGATE,
    METRIC,
    PERFORMANCE,
    PREDICT,
    PREDICTIONS,
    ROUND,
    SHARED,
    TRAIN,
    OutputRef,
    Permissions,
    Signature,
    Task,
    TaskOutput,
    data_inputs,
)

FEDAVG_ROLES: Final[tuple[tuple[str, Signature], ...]] = (
    ("train", TRAIN),
    ("aggregate", AGGREGATE),
    ("predict", PREDICT),
    ("metric", METRIC),
)
"""The four FedAvg roles, in ``fedavg``'s argument order, with their function signatures."""


@dataclass(frozen=True)
class OrgData:
    """One organization's dataset: its data manager and the samples to train and to test on."""

    data_manager_key: str
    train_sample_keys: Sequence[str]
    test_sample_keys: Sequence[str]


def fedavg(
    train_function: str,
    aggregate_function: str,
    predict_function: str,
    metric_function: str,
    *,
    datasets_by_org: Mapping[str, OrgData],
    rounds: int,
    aggregator_org: str,
    evaluate_every: int = 1,
) -> list[Task]:
    """The tasks of ``rounds`` rounds of federated averaging, parents before children.

    Per round ``r`` (1-based, in the tasks' ``round_idx`` metadata): one train task per organization
    (input ``shared`` from round ``r - 1``'s aggregate, none in round 1), one aggregate task at
    ``aggregator_org``; then, if ``r`` is a multiple of ``evaluate_every`` or the last round, one
    predict and one metric task per organization. Models are readable by every participant; train
    outputs and predictions are transient (dropped once used); performances are public.

    Raises:
        ValueError: no organization, ``rounds < 1`` or ``evaluate_every < 1``.
    """
    if not datasets_by_org:
        raise ValueError("fedavg needs at least one organization with data")
    if rounds < 1 or evaluate_every < 1:
        raise ValueError(f"rounds and evaluate_every must be >= 1, got {rounds} and {evaluate_every}")
    everyone = Permissions(False, tuple(sorted({*datasets_by_org, aggregator_org})))
    kept, transient = TaskOutput(everyone), TaskOutput(everyone, transient=True)
    tasks: list[Task] = []
    previous: OutputRef | None = None
    for round_number in range(1, rounds + 1):
        metadata = {ROUND: str(round_number)}
        trained: list[OutputRef] = []
        for org, data in datasets_by_org.items():
            inputs = data_inputs(data.data_manager_key, data.train_sample_keys)
            if previous is not None:
                inputs.append(previous.as_input(SHARED))
            train = Task(train_function, org, tuple(inputs), {SHARED: transient}, metadata)
            tasks.append(train)
            trained.append(train.output(SHARED))
        aggregate = Task(
            aggregate_function,
            aggregator_org,
            tuple(ref.as_input(SHARED) for ref in trained),
            {SHARED: kept},
            metadata,
        )
        tasks.append(aggregate)
        previous = aggregate.output(SHARED)
        if round_number % evaluate_every == 0 or round_number == rounds:
            tasks.extend(_evaluation(predict_function, metric_function, datasets_by_org, previous, metadata))
    return tasks


def _evaluation(
    predict_function: str,
    metric_function: str,
    datasets_by_org: Mapping[str, OrgData],
    model: OutputRef,
    metadata: Mapping[str, str],
) -> list[Task]:
    tasks: list[Task] = []
    for org, data in datasets_by_org.items():
        test_data = data_inputs(data.data_manager_key, data.test_sample_keys)
        predict = Task(
            predict_function,
            org,
            (*test_data, model.as_input(SHARED)),
            {PREDICTIONS: TaskOutput(Permissions(False, (org,)), transient=True)},
            metadata,
        )
        metric = Task(
            metric_function,
            org,
            (*test_data, predict.output(PREDICTIONS).as_input(PREDICTIONS)),
            {PERFORMANCE: TaskOutput(Permissions(public=True))},
            metadata,
        )
        tasks += [predict, metric]
    return tasks
