"""A federation of three organizations, each with ``podium agent`` and ``podium worker`` processes,
around one ``podium serve``; module-scoped (start-up and function builds are the slow part)."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from podium.api.generated import function_pb2
from tests.agent.e2e.harness import Orchestrator, Org, Pki, wait_for

A, B, C = "MyOrgAMSP", "MyOrgBMSP", "MyOrgCMSP"

OPENER = """
import json

def open_samples(sample_dirs):
    return [json.loads((d / "value.json").read_text()) for d in sample_dirs]
"""

TRAIN = """
import json, os, time
from pathlib import Path

def train(inputs, outputs, context):
    meta = context.metadata
    if "runlog" in meta:
        with open(meta["runlog"], "a") as log:
            log.write(context.task_key + "\\n")
    if "pidfile" in meta:
        Path(meta["pidfile"]).write_text(str(os.getpid()))
    print("training", context.task_key, flush=True)
    time.sleep(float(meta.get("sleep", "0")))
    if meta.get("raise"):
        raise RuntimeError("the function is broken")
    start = json.loads(inputs.path("model").read_text())["weight"] if "model" in inputs else 0.0
    values = inputs["datasamples"]
    weight = start + sum(values) / len(values)
    outputs["model"].write_text(json.dumps({"weight": weight, "by": context.organization}))
"""

AGGREGATE = """
import json

def aggregate(inputs, outputs, context):
    weights = [json.loads(path.read_text())["weight"] for path in inputs.paths("models")]
    weight = sum(weights) / len(weights)
    outputs["model"].write_text(json.dumps({"weight": weight, "by": context.organization}))
"""

SCORE = """
import json

def score(inputs, outputs, context):
    weight = json.loads(inputs.path("model").read_text())["weight"]
    outputs.write_performance("performance", min(1.0, round(weight) / 8))
"""

DATA = {
    "opener": {"kind": "ASSET_DATA_MANAGER"},
    "datasamples": {"kind": "ASSET_DATA_SAMPLE", "multiple": True},
}
MODEL = {"kind": "ASSET_MODEL"}


@dataclass
class Federation:
    orchestrator: Orchestrator
    orgs: dict[str, Org]
    train: str
    aggregate: str
    score: str
    datasets: dict[str, tuple[str, list[str]]]
    work: Path

    def data_inputs(self, org: str) -> list[dict[str, object]]:
        manager, samples = self.datasets[org]
        return [{"identifier": "opener", "asset_key": manager}] + [
            {"identifier": "datasamples", "asset_key": sample} for sample in samples
        ]


def start_federation(root: Path, broker_url: str = "") -> Federation:
    pki = Pki(root / "pki")
    orchestrator = Orchestrator(root / "orchestrator")
    orgs: dict[str, Org] = {}
    try:
        for name in (A, B, C):
            orgs[name] = Org(name, root, orchestrator, pki, broker_url)
        orgs[A].client.wait_for_ready(timeout=60)
        for org in orgs.values():
            org.start_agent()
            org.start_worker()
        work = root / "work"
        wait_for(lambda: len(orgs[A].client.get_all_organizations()) == 3, 60, "the three agents registered")
        train = orgs[A].register_function(
            TRAIN, "train", {**DATA, "model": {**MODEL, "optional": True}}, {"model": MODEL}, work=work
        )
        aggregate = orgs[B].register_function(
            AGGREGATE, "aggregate", {"models": {**MODEL, "multiple": True}}, {"model": MODEL}, work=work
        )
        score = orgs[A].register_function(
            SCORE,
            "score",
            {**DATA, "model": MODEL},
            {"performance": {"kind": "ASSET_PERFORMANCE"}},
            work=work,
        )
        datasets = {
            name: org.register_dataset(OPENER, [1.0 + index, 3.0 + index], work=work, authorized=[A, B, C])
            for index, (name, org) in enumerate(orgs.items())
        }
        for key in (train, aggregate, score):
            wait_for(
                lambda key=key: orgs[A].client.get_function(key).status == function_pb2.FUNCTION_STATUS_READY,
                60,
                f"function {key} READY",
            )
    except BaseException:
        for org in orgs.values():
            org.stop()
        orchestrator.stop()
        raise
    return Federation(orchestrator, orgs, train, aggregate, score, datasets, work)


def stop_federation(federation: Federation) -> None:
    for org in federation.orgs.values():
        org.stop()
    federation.orchestrator.stop()


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    federation = start_federation(tmp_path_factory.mktemp("federation"))
    try:
        yield federation
    finally:
        stop_federation(federation)
