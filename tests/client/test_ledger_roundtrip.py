"""An event sealed by the server, sent on the wire and rebuilt by a client hashes the same: for every
asset kind, with the awkward values (non-ASCII text, binary32 floats, unset optional fields)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from podium.api.convert import event_message
from podium.client.ledger import event_from_message
from podium.domain.assets import (
    Addressable,
    ComputeTaskOutputAsset,
    FailureReport,
    Organization,
    Performance,
    ProfilingStep,
)
from podium.domain.events import Event
from podium.domain.kinds import AssetKind, ErrorType, EventKind, FailedAssetKind
from podium.domain.ledger import GENESIS_HASH, seal, verify_chain
from tests.domain import builders

NOW = datetime(2026, 11, 28, 21, 30, 1, 123456, tzinfo=UTC)
PLAN = replace(builders.plan(), cancelation_date=NOW)
ASSETS = [
    (AssetKind.ORGANIZATION, Organization("ÖrgMSP", "https://örg.example", NOW)),
    (AssetKind.FUNCTION, builders.function()),
    (AssetKind.DATA_MANAGER, builders.data_manager()),
    (AssetKind.DATA_SAMPLE, builders.data_sample()),
    (AssetKind.COMPUTE_PLAN, PLAN),
    (
        AssetKind.COMPUTE_TASK,
        replace(builders.task(7), inputs=builders.train_inputs(), metadata={"round_idx": "1", "__tag__": ""}),
    ),
    (AssetKind.MODEL, builders.model(3, task_number=7)),
    (AssetKind.MODEL, builders.model(4, task_number=7, disabled=True)),
    (AssetKind.PERFORMANCE, Performance(builders.key(1), "accuracy", 0.8999999761581421, NOW)),
    (
        AssetKind.FAILURE_REPORT,
        FailureReport(
            builders.key(1), ErrorType.INTERNAL, None, NOW, "OrgAMSP", FailedAssetKind.COMPUTE_TASK
        ),
    ),
    (
        AssetKind.FAILURE_REPORT,
        FailureReport(
            builders.key(1),
            ErrorType.EXECUTION,
            Addressable("a" * 64, "https://x/logs"),
            NOW,
            "OrgAMSP",
            FailedAssetKind.FUNCTION,
        ),
    ),
    (
        AssetKind.COMPUTE_TASK_OUTPUT_ASSET,
        ComputeTaskOutputAsset(builders.key(1), "model", AssetKind.MODEL, builders.key(2)),
    ),
    (AssetKind.PROFILING_STEP, ProfilingStep(1200, builders.key(1), "build_image")),
]


def sealed(position: int, kind: AssetKind, asset: object, previous: str) -> Event:
    event = Event(
        id=builders.key(900 + position),
        channel="mychannel",
        position=position,
        timestamp=NOW,
        asset_kind=kind,
        event_kind=EventKind.UPDATED,
        asset_key=builders.key(position),
        asset=asset.snapshot(),  # type: ignore[attr-defined]
        metadata={"reason": "Last parent task é done"},
        hash="",
    )
    return seal(previous, event)


@pytest.mark.parametrize(("kind", "asset"), ASSETS, ids=[f"{k.name}-{i}" for i, (k, _) in enumerate(ASSETS)])
def test_a_wire_event_rebuilds_into_what_the_server_hashed(kind: AssetKind, asset: object) -> None:
    original = sealed(1, kind, asset, GENESIS_HASH)
    rebuilt = event_from_message(event_message(original))
    assert rebuilt == original
    assert verify_chain([rebuilt]).ok


def test_a_whole_chain_of_every_kind_verifies_after_the_wire() -> None:
    previous, chain = GENESIS_HASH, []
    for position, (kind, asset) in enumerate(ASSETS, start=1):
        event = sealed(position, kind, asset, previous)
        chain.append(event_from_message(event_message(event)))
        previous = event.hash
    assert verify_chain(chain).ok
