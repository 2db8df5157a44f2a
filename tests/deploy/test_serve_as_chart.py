"""The chart's containers run on this machine exactly as rendered (kubelet.py) against a fresh
PostgreSQL database: the server refuses the empty schema, the migrations Job's command brings it up to
date, then the Deployment's command serves and its gRPC health (what the probes ask) answers SERVING."""

import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import make_url

from tests.api.certs import Issued, issue, make_ca
from tests.conftest import PostgresServer
from tests.deploy.charts import ORCHESTRATOR, find, podium_container, render
from tests.deploy.kubelet import LocalContainer, Secrets, free_port, prepare

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SERVER_TLS = "podium-podium-orchestrator-server-tls"
VALUE_SETS = {
    "plaintext": ORCHESTRATOR / "ci" / "plaintext-bundled-postgresql-values.yaml",
    "mtls": ORCHESTRATOR / "ci" / "mtls-cert-manager-values.yaml",
}


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"podium_deploy_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


def _run(container: LocalContainer, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        container.argv,
        env=container.env,
        cwd=container.cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _health(channel: grpc.Channel) -> int:
    """The overall health status; polls up to 60 s (bounded in time and count) while the port opens."""
    stub = health_pb2_grpc.HealthStub(channel)
    deadline = time.monotonic() + 60
    for _ in range(300):
        try:
            return int(stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2).status)
        except grpc.RpcError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    raise AssertionError("health never answered")


@dataclass(frozen=True)
class Cluster:
    """What the chart refers to but does not create: the database and the secrets (with the pairs
    the client needs to call an mTLS server)."""

    sets: dict[str, str]
    secrets: Secrets
    ca: Issued
    client: Issued


def make_cluster(database_url: str) -> Cluster:
    """Values pointing the chart at ``database_url`` as an external database, and the secrets."""
    url = make_url(database_url)
    sets = {
        "postgresql.enabled": "false",
        "database.external.host": url.host or "127.0.0.1",
        "database.external.port": str(url.port or 5432),
        "database.external.username": url.username or "postgres",
        "database.external.database": url.database or "",
    }
    secrets: Secrets = {}
    if url.password:
        secrets["db"] = {"password": url.password.encode()}
        sets["database.external.passwordSecret.name"] = "db"
    ca = make_ca("podium test CA")
    server_pair = issue(ca, "localhost", server=True)
    org_ca = make_ca("MyOrg1 CA", "MyOrg1MSP")
    # SERVER_TLS is what cert-manager would write for the Certificate the mTLS value set declares.
    secrets[SERVER_TLS] = {
        "tls.crt": server_pair.cert_pem,
        "tls.key": server_pair.key_pem,
        "ca.crt": ca.cert_pem,
    }
    secrets["podium-orchestrator-server-tls"] = {"ca.crt": ca.cert_pem}
    secrets["org1-ca"] = {"ca.crt": org_ca.cert_pem}
    secrets["org2-ca"] = {"ca.pem": make_ca("MyOrg2 CA", "MyOrg2MSP").cert_pem}
    client = issue(org_ca, "org1 client", organizations=("MyOrg1MSP",))
    return Cluster(sets, secrets, ca, client)


def _channel(variant: str, target: str, cluster: Cluster) -> grpc.Channel:
    if variant == "plaintext":
        return grpc.insecure_channel(target)
    credentials = grpc.ssl_channel_credentials(
        cluster.ca.cert_pem, cluster.client.key_pem, cluster.client.cert_pem
    )
    return grpc.secure_channel(target, credentials, options=[("grpc.ssl_target_name_override", "localhost")])


def _stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM by pid, then the exit code (killed after 60 s, which fails the test)."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        raise


@pytest.mark.parametrize("variant", sorted(VALUE_SETS))
def test_the_chart_commands_migrate_then_serve_healthy(
    helm: Path, variant: str, database_url: str, tmp_path: Path
) -> None:
    cluster = make_cluster(database_url)
    documents = render(helm, ORCHESTRATOR, VALUE_SETS[variant], sets=cluster.sets)
    if variant == "mtls":
        assert find(documents, "Certificate")["spec"]["secretName"] == SERVER_TLS
    grpc_port, http_port = free_port(), free_port()
    listen = {"PODIUM_LISTEN": f"127.0.0.1:{grpc_port}", "PODIUM_HTTP_LISTEN": f"127.0.0.1:{http_port}"}
    job, migrate_spec = podium_container(documents, "migrate")
    deployment, serve_spec = podium_container(documents, "serve")
    # No `command`: the image's ENTRYPOINT (podium) runs with the container's args.
    assert "command" not in migrate_spec
    assert "command" not in serve_spec
    migrate = prepare(job, migrate_spec, documents, secrets=cluster.secrets, scratch=tmp_path / "job")
    serve = prepare(
        deployment,
        serve_spec,
        documents,
        secrets=cluster.secrets,
        scratch=tmp_path / "server",
        overrides=listen,
    )

    refused = _run(serve, timeout=60)
    assert refused.returncode != 0, "the server must refuse a database that was never migrated"
    assert "podium migrate" in refused.stderr

    migrated = _run(migrate, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    assert _run(migrate, timeout=120).returncode == 0, "migrating an up-to-date schema must succeed"

    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            serve.argv, env=serve.env, cwd=serve.cwd, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            with _channel(variant, f"127.0.0.1:{grpc_port}", cluster) as channel:
                assert _health(channel) == health_pb2.HealthCheckResponse.SERVING
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=10) as answer:
                assert answer.status == 200
        finally:
            code = _stop(process)
    assert code == 0, log_path.read_text()[-4000:]
