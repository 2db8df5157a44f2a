"""Client settings: refused combinations and the channel arguments they give."""

from pathlib import Path

import pytest

from podium.client import ClientConfig, ClientConfigError, RetrySettings, open_channel


def test_contradictory_settings_are_refused(tmp_path: Path) -> None:
    pem = tmp_path / "ca.pem"
    base = ("127.0.0.1:9000", "Org1MSP", "mychannel")
    with pytest.raises(ClientConfigError, match="insecure"):
        ClientConfig(*base, insecure=True, ca_cert=pem)
    with pytest.raises(ClientConfigError, match="both"):
        ClientConfig(*base, client_cert=pem)
    with pytest.raises(ClientConfigError, match="empty"):
        ClientConfig(target="127.0.0.1:9000", mspid="", channel="mychannel")
    with pytest.raises(ClientConfigError, match="max_attempts"):
        ClientConfig(*base, retry=RetrySettings(max_attempts=0))


def test_channel_options_carry_sizes_keepalive_and_the_name_override() -> None:
    config = ClientConfig(
        "127.0.0.1:9000", "Org1MSP", "mychannel", max_message_bytes=1234, server_name="orch"
    )
    options = dict(config.channel_options())
    assert options["grpc.max_send_message_length"] == options["grpc.max_receive_message_length"] == 1234
    assert options["grpc.keepalive_time_ms"] == 60_000
    assert options["grpc.keepalive_permit_without_calls"] == 0
    assert options["grpc.ssl_target_name_override"] == "orch"


def test_an_unreadable_tls_file_is_named(tmp_path: Path) -> None:
    config = ClientConfig("127.0.0.1:9000", "Org1MSP", "mychannel", ca_cert=tmp_path / "missing.pem")
    with pytest.raises(ClientConfigError, match=r"missing\.pem"):
        open_channel(config)
