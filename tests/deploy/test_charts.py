"""The Helm charts lint, render for every CI value set, and validate offline against the Kubernetes
schemas; the rendered objects carry the properties docs/operations.md promises."""

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.charts import (
    CUSTOM_RESOURCES,
    KUBERNETES_VERSION,
    ORCHESTRATOR,
    ORGANIZATION,
    ValueSet,
    env_names,
    find,
    helm_run,
    pod_spec,
    podium_container,
    render,
    value_sets,
)

ALL_SETS = value_sets()


def _by_name(name: str) -> Path:
    return next(s.path for s in ALL_SETS if s.name == name)


@pytest.mark.parametrize("chart", [ORCHESTRATOR, ORGANIZATION], ids=lambda c: c.name)
def test_every_value_set_lints_strictly(helm: Path, chart: Path) -> None:
    for value_set in value_sets(chart):
        done = helm_run(helm, "lint", "--strict", str(chart), "--values", str(value_set.path))
        assert done.returncode == 0, f"{value_set.name}:\n{done.stdout}\n{done.stderr}"


def test_orchestrator_lints_with_its_defaults(helm: Path) -> None:
    done = helm_run(helm, "lint", "--strict", str(ORCHESTRATOR))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_ci_value_sets_cover_the_required_configurations() -> None:
    names = {s.name for s in ALL_SETS}
    assert {
        "podium-orchestrator:plaintext-bundled-postgresql",
        "podium-orchestrator:tls-secret-ingress",
        "podium-orchestrator:mtls-cert-manager",
        "podium-orchestrator:external-database",
        "podium-orchestrator:three-replicas",
        "podium-organization:bundled-redis",
        "podium-organization:external-broker",
    } <= names


@pytest.mark.parametrize("value_set", ALL_SETS, ids=lambda s: s.name)
def test_every_rendered_object_validates_strictly(helm: Path, value_set: ValueSet) -> None:
    documents = render(helm, value_set.chart, value_set.path)
    assert documents
    for document in documents:
        required = CUSTOM_RESOURCES.get((document["apiVersion"], document["kind"]))
        if required is not None:
            # No schema ships for custom resources: check the fields their controllers need.
            assert document["metadata"]["name"]
            assert all(document["spec"].get(key) for key in required), document
            continue
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_schema_rejects_an_unknown_value(helm: Path) -> None:
    done = helm_run(helm, "template", "podium", str(ORCHESTRATOR), "--set", "replicas=3")
    assert done.returncode != 0
    assert "replicas" in done.stderr


def _leaves(values: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        free_form = key in {
            "resources",
            "annotations",
            "labels",
            "podAnnotations",
            "nodeSelector",
            "affinity",
        }
        if isinstance(value, dict) and value and not free_form and not key.endswith("SecurityContext"):
            paths += _leaves(value, f"{path}.")
        else:
            paths.append(path)
    return paths


@pytest.mark.parametrize("chart", [ORCHESTRATOR, ORGANIZATION], ids=lambda c: c.name)
def test_every_value_is_documented_in_the_schema(chart: Path) -> None:
    values = yaml.safe_load((chart / "values.yaml").read_text())
    schema = json.loads((chart / "values.schema.json").read_text())
    undocumented = []
    for path in _leaves(values):
        node = schema
        for part in path.split("."):
            node = node.get("properties", {}).get(part, {})
        if not node.get("description"):
            undocumented.append(path)
    assert undocumented == []


def test_migrations_run_as_a_hook_before_an_upgrade_serves(helm: Path) -> None:
    bundled = find(render(helm, ORCHESTRATOR), "Job", "-migrations")
    external = find(render(helm, ORCHESTRATOR, _by_name("podium-orchestrator:external-database")), "Job")
    # The bundled database must exist before migrating a fresh install; an external one already does.
    assert bundled["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"
    assert external["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"


def test_probes_use_grpc_health_in_plain_text_and_healthz_under_tls(helm: Path) -> None:
    plain = podium_container(render(helm, ORCHESTRATOR), "serve")[1]
    tls = podium_container(
        render(helm, ORCHESTRATOR, _by_name("podium-orchestrator:mtls-cert-manager")), "serve"
    )[1]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert plain[probe]["grpc"] == {"port": 9000}
        assert tls[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"}


def test_mtls_mounts_one_ca_directory_per_organization(helm: Path) -> None:
    documents = render(helm, ORCHESTRATOR, _by_name("podium-orchestrator:mtls-cert-manager"))
    deployment, server = podium_container(documents, "serve")
    env = {item["name"]: item.get("value") for item in server["env"]}
    assert env["PODIUM_MTLS"] == "true"
    assert env["PODIUM_VERIFY_CLIENT_MSP_ID"] == "true"
    assert "PODIUM_INSECURE" not in env
    volume = next(v for v in pod_spec(deployment)["volumes"] if v["name"] == "client-ca")
    paths = [item["path"] for source in volume["projected"]["sources"] for item in source["secret"]["items"]]
    assert paths == ["MyOrg1MSP/ca.crt", "MyOrg2MSP/ca.crt"]
    certificate = find(documents, "Certificate")
    assert (
        certificate["spec"]["secretName"]
        == next(v for v in pod_spec(deployment)["volumes"] if v["name"] == "tls")["secret"]["secretName"]
    )


def test_tls_ingress_passes_ssl_through(helm: Path) -> None:
    ingress = find(render(helm, ORCHESTRATOR, _by_name("podium-orchestrator:tls-secret-ingress")), "Ingress")
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-passthrough"] == "true"


def test_network_policies_deny_by_default_and_guard_the_database(helm: Path) -> None:
    documents = render(helm, ORCHESTRATOR)
    deny = find(documents, "NetworkPolicy", "-default-deny")
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny["spec"]
    assert "egress" not in deny["spec"]
    database = find(documents, "NetworkPolicy", "-postgresql")
    allowed = [
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for peer in database["spec"]["ingress"][0]["from"]
    ]
    assert allowed == ["server", "migrations"]


def test_three_replicas_share_one_database(helm: Path) -> None:
    documents = render(helm, ORCHESTRATOR, _by_name("podium-orchestrator:three-replicas"))
    assert find(documents, "Deployment")["spec"]["replicas"] == 3
    assert find(documents, "StatefulSet", "-postgresql")["spec"]["replicas"] == 1


def test_containers_run_as_non_root_with_a_read_only_root(helm: Path) -> None:
    for value_set in ALL_SETS:
        for document in render(helm, value_set.chart, value_set.path):
            if document["kind"] not in {"Deployment", "StatefulSet", "Job"}:
                continue
            spec = pod_spec(document)
            assert spec["securityContext"]["runAsNonRoot"] is True
            assert spec["automountServiceAccountToken"] is False
            for container in spec["containers"]:
                assert container["securityContext"]["allowPrivilegeEscalation"] is False
                assert "resources" in container


def test_organization_runs_agent_and_workers_for_its_msp_id(helm: Path) -> None:
    documents = render(helm, ORGANIZATION, _by_name("podium-organization:bundled-redis"))
    agent_workload, agent = podium_container(documents, "agent")
    worker_workload, worker = podium_container(documents, "worker")
    assert agent["args"] == ["agent", "--org", "MyOrg1MSP"]
    assert worker["args"] == ["worker", "--org", "MyOrg1MSP"]
    assert agent_workload["spec"]["replicas"] == 1
    assert worker_workload["spec"]["replicas"] == 2
    expected = {
        "PODIUM_ORCHESTRATOR_TARGET",
        "PODIUM_ORGANIZATION",
        "PODIUM_CHANNEL",
        "PODIUM_BROKER_URL",
        "PODIUM_HOME",
        "PODIUM_TLS_CA",
        "PODIUM_TLS_CERT",
        "PODIUM_TLS_KEY",
        "PODIUM_ASSET_LISTEN",
        "PODIUM_ASSET_URL",
    }
    assert expected <= set(env_names(agent))
    assert "PODIUM_ORCHESTRATOR_INSECURE" not in env_names(agent)
    assert env_names(agent) == env_names(worker)
    assert find(documents, "Deployment", "-redis")


def test_organization_with_an_external_broker_reads_its_url_from_a_secret(helm: Path) -> None:
    documents = render(helm, ORGANIZATION, _by_name("podium-organization:external-broker"))
    _, worker = podium_container(documents, "worker")
    broker = next(item for item in worker["env"] if item["name"] == "PODIUM_BROKER_URL")
    assert broker["valueFrom"]["secretKeyRef"] == {"name": "org2-broker", "key": "url"}
    assert not [d for d in documents if d["metadata"]["name"].endswith("-redis")]
    insecure = next(item for item in worker["env"] if item["name"] == "PODIUM_ORCHESTRATOR_INSECURE")
    assert insecure["value"] == "true"
    assert "PODIUM_TLS_CERT" not in env_names(worker)


def test_organization_refuses_to_render_without_its_msp_id(helm: Path) -> None:
    done = helm_run(helm, "template", "org", str(ORGANIZATION), "--set", "orchestrator.target=o:9000")
    assert done.returncode != 0
    assert "organization.mspId is required" in done.stderr
