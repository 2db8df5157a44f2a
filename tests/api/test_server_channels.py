"""Channel configuration: validation on load, reload keeping the old config when the new is bad."""

import logging
from pathlib import Path

import grpc
import pytest

from podium.api.channels import ChannelConfig, ChannelConfigError, ChannelRegistry
from podium.domain.errors import PermissionDenied
from tests.api.conftest import ORG1, ORG2, call


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[]", "single key 'channels'"),
        ("channels: {}\nextra: 1", "single key 'channels'"),
        ("channels: []", "must map channel names"),
        ("channels: {}", "must map channel names"),
        ("channels: {c: []}", "at least one MSP id"),
        ("channels: {c: Org1MSP}", "at least one MSP id"),
        ("channels: {c: [Org1MSP, 3]}", "invalid MSP id 3"),
        ("channels: {c: [Org1MSP, Org1MSP]}", "twice"),
        ("channels: {c: [a]\n", "invalid YAML"),
    ],
)
def test_invalid_files_are_refused_with_a_clear_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text(text)
    with pytest.raises(ChannelConfigError, match=problem) as raised:
        ChannelConfig.load(path)
    assert str(path) in str(raised.value)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ChannelConfigError, match="cannot read"):
        ChannelConfig.load(tmp_path / "absent.yaml")


def test_open_default_admits_any_organization_in_mychannel_only() -> None:
    config = ChannelConfig.open_default()
    config.check_access("AnyOrgMSP", "mychannel")
    with pytest.raises(PermissionDenied, match='has not access to channel "other"'):
        config.check_access("AnyOrgMSP", "other")


def test_reload_applies_a_valid_file_and_keeps_the_old_one_otherwise(
    channels_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = ChannelRegistry.from_path(channels_file)
    registry.check_access(ORG1, "mychannel")
    channels_file.write_text(f"channels:\n  mychannel: [{ORG2}]\n")
    assert registry.reload()
    with pytest.raises(PermissionDenied):
        registry.check_access(ORG1, "mychannel")
    channels_file.write_text("channels: nonsense")
    with caplog.at_level(logging.ERROR, logger="podium.api.channels"):
        assert not registry.reload()
    assert "keeping the previous one" in caplog.text
    registry.check_access(ORG2, "mychannel")


def test_reload_reaches_a_running_server(start_server, channels_file: Path) -> None:
    running, _ = start_server()
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as opened:
        assert call(opened, "Whoami").startswith(ORG1.encode())
        channels_file.write_text(f"channels:\n  mychannel: [{ORG2}]\n")
        assert running.channels.reload()
        with pytest.raises(grpc.RpcError) as raised:
            call(opened, "Whoami")
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
