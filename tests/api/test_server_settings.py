"""Settings checks, and the configurable message size over a real server."""

from dataclasses import replace
from pathlib import Path

import grpc
import pytest

from podium.api.settings import Settings, SettingsError, ensure_sqlite_directory, split_address
from tests.api.conftest import call

TLS = {"tls_cert": Path("c.pem"), "tls_key": Path("k.pem")}


@pytest.mark.parametrize(
    ("settings", "variable"),
    [
        (Settings(), "PODIUM_INSECURE"),
        (Settings(insecure=True, **TLS), "PODIUM_INSECURE"),
        (Settings(insecure=True, listen="nowhere"), "PODIUM_LISTEN"),
        (Settings(insecure=True, http_listen="host:port"), "PODIUM_HTTP_LISTEN"),
        (Settings(mtls=True, **TLS), "PODIUM_MTLS"),
        (Settings(verify_client_msp_id=True, **TLS), "PODIUM_VERIFY_CLIENT_MSP_ID"),
        (Settings(insecure=True, listen="0.0.0.0:9000"), "PODIUM_CHANNEL_CONFIG"),
        (Settings(insecure=True, max_message_bytes=0), "PODIUM_MAX_MESSAGE_BYTES"),
        (Settings(insecure=True, processes=0), "PODIUM_PROCESSES"),
        (Settings(insecure=True, tx_retry_budget_seconds=-1), "PODIUM_TX_RETRY_BUDGET_SECONDS"),
        (Settings(insecure=True, log_level="chatty"), "PODIUM_LOG_LEVEL"),
    ],
)
def test_invalid_combinations_name_the_variable(settings: Settings, variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        settings.check()


def test_defaults_on_loopback_with_explicit_plain_text_are_accepted() -> None:
    settings = Settings(insecure=True).check()
    assert settings.max_message_bytes == 64 * 1024 * 1024
    options = dict(settings.grpc_options())
    assert options["grpc.max_receive_message_length"] == options["grpc.max_send_message_length"]
    assert options["grpc.so_reuseport"] == 0
    assert dict(replace(settings, processes=3).grpc_options())["grpc.so_reuseport"] == 1


def test_addresses_parse_ipv6_and_refuse_junk() -> None:
    assert split_address("[::1]:9000", "X") == ("::1", 9000)
    with pytest.raises(SettingsError):
        split_address("127.0.0.1:99999", "X")


def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    ensure_sqlite_directory(f"sqlite:///{tmp_path}/var/sub/podium.db")
    assert (tmp_path / "var" / "sub").is_dir()


def test_message_size_limit_is_configurable(start_server) -> None:
    running, _ = start_server(max_message_bytes=8 * 1024 * 1024)
    with grpc.insecure_channel(
        f"127.0.0.1:{running.port}", options=[("grpc.max_receive_message_length", 32 * 1024 * 1024)]
    ) as opened:
        assert call(opened, "EchoSize", b"x" * (6 * 1024 * 1024)) == str(6 * 1024 * 1024).encode()
        with pytest.raises(grpc.RpcError) as too_big:
            call(opened, "EchoSize", b"x" * (9 * 1024 * 1024))
        assert too_big.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        with pytest.raises(grpc.RpcError) as answer_too_big:
            call(opened, "BigAnswer", str(9 * 1024 * 1024).encode())
        assert answer_too_big.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
