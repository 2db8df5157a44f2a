"""The chart's containers run on this machine exactly as rendered (kubelet.py) against a fresh
PostgreSQL database: the server refuses the empty schema, the migrations Job's command brings it up to
date, then the Deployment's command serves and its gRPC health (what the probes ask) answers SERVING."""

import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import make_url

from tests.api.certs import issue, make_ca
from tests.conftest import PostgresServer
from tests.deploy.charts import ORCHESTRATOR, find, podium_container, render
from tests.deploy.kubelet import LocalContainer, free_port, prepare

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

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
        container.argv, env=container.env, cwd=container.cwd, capture_output=True, text=True,
        timeout=timeout, check=False,
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


@pytest.mark.parametrize("variant", sorted(VALUE_SETS))
def test_the_chart_commands_migrate_then_serve_healthy(
    helm: Path, variant: str, database_url: str, tmp_path: Path
) -> None:
    url = make_url(database_url)
    sets = {
        "postgresql.enabled": "false",
        "database.external.host": url.host or "127.0.0.1",
        "database.external.port": str(url.port or 5432),
        "database.external.username": url.username or "postgres",
        "database.external.database": url.database or "",
    }
    secrets: dict[str, dict[str, bytes]] = {}
    if url.password:
        secrets["db"] = {"password": url.password.encode()}
        sets |= {"database.external.passwordSecret.name": "db"}
    ca = make_ca("podium test CA")
    server_pair = issue(ca, "localhost", server=True)
    org_ca = make_ca("MyOrg1 CA", "MyOrg1MSP")
    client = issue(org_ca, "org1 client", organizations=("MyOrg1MSP",))
    secrets["podium-podium-orchestrator-server-tls"] = {
        "tls.crt": server_pair.cert_pem, "tls.key": server_pair.key_pem, "ca.crt": ca.cert_pem,
    }
    secrets["podium-orchestrator-server-tls"] = {"ca.crt": ca.cert_pem}
    secrets["org1-ca"] = {"ca.crt": org_ca.cert_pem}
    secrets["org2-ca"] = {"ca.pem": make_ca("MyOrg2 CA", "MyOrg2MSP").cert_pem}

    documents = render(helm, ORCHESTRATOR, VALUE_SETS[variant], sets=sets)
    if variant == "mtls":
        # cert-manager would write the server pair into the secret the Certificate names.
        assert find(documents, "Certificate")["spec"]["secretName"] == "podium-podium-orchestrator-server-tls"
    grpc_port, http_port = free_port(), free_port()
    listen = {"PODIUM_LISTEN": f"127.0.0.1:{grpc_port}", "PODIUM_HTTP_LISTEN": f"127.0.0.1:{http_port}"}
    job, migrate_spec = podium_container(documents, "migrate")
    deployment, serve_spec = podium_container(documents, "serve")
    assert "command" not in migrate_spec and "command" not in serve_spec  # the image's ENTRYPOINT runs
    migrate = prepare(job, migrate_spec, documents, secrets, tmp_path / "job")
    serve = prepare(deployment, serve_spec, documents, secrets, tmp_path / "server", listen)

    refused = _run(serve, timeout=60)
    assert refused.returncode != 0, "the server must refuse a database that was never migrated"

    migrated = _run(migrate, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    assert _run(migrate, timeout=120).returncode == 0, "migrating an up-to-date schema must succeed"

    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(serve.argv, env=serve.env, cwd=serve.cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        target = f"127.0.0.1:{grpc_port}"
        if variant == "plaintext":
            channel = grpc.insecure_channel(target)
        else:
            credentials = grpc.ssl_channel_credentials(ca.cert_pem, client.key_pem, client.cert_pem)
            channel = grpc.secure_channel(target, credentials, options=[("grpc.ssl_target_name_override", "localhost")])
        with channel:
            assert _health(channel) == health_pb2.HealthCheckResponse.SERVING
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=10) as answer:
            assert answer.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise
        finally:
            log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()[-4000:]

