"""The SDK and ``podium verify`` over mTLS, with certificates made by the test."""

from pathlib import Path

from typer.testing import CliRunner

from podium.agent.node import NodeConfig
from podium.cli.main import app
from podium.sdk import TRAIN, Client
from tests.api.certs import issue, make_ca
from tests.sdk.world import CHANNEL, ORG_A, project, start_server


def test_sdk_and_verify_over_mtls(tmp_path: Path) -> None:
    server_ca = make_ca("test server CA")
    server_pem, server_key = issue(server_ca, "localhost", server=True).write(tmp_path, "server")
    server_ca_pem, _ = server_ca.write(tmp_path, "server-ca")
    org_ca = make_ca("OrgA CA", ORG_A)
    client_pem, client_key = issue(org_ca, "orga client", organizations=(ORG_A,)).write(tmp_path, "client")
    (tmp_path / "client-cas" / ORG_A).mkdir(parents=True)
    (tmp_path / "client-cas" / ORG_A / "ca.crt").write_bytes(org_ca.cert_pem)
    server = start_server(
        tmp_path,
        insecure=False,
        tls_cert=server_pem,
        tls_key=server_key,
        mtls=True,
        tls_client_ca_dir=tmp_path / "client-cas",
    )
    try:
        node = NodeConfig(
            organization=ORG_A,
            channel=CHANNEL,
            home=tmp_path / "home",
            orchestrator=f"localhost:{server.port}",
            tls_ca=server_ca_pem,
            tls_cert=client_pem,
            tls_key=client_key,
            asset_url="https://orga.example",
        ).check()
        with Client(node) as client:
            function = client.register_function(
                project(tmp_path / "fn"), "train", TRAIN.inputs, TRAIN.outputs
            )
            assert client.orchestrator.get_function(function.key).owner == ORG_A
        args = [
            "verify",
            "--org",
            ORG_A,
            "--orchestrator",
            f"localhost:{server.port}",
            "--tls-ca",
            str(server_ca_pem),
        ]
        result = CliRunner().invoke(app, [*args, "--tls-cert", str(client_pem), "--tls-key", str(client_key)])
        assert result.exit_code == 0, result.stderr
        assert "OK" in result.stdout
    finally:
        server.stop(grace=0)
