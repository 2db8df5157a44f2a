"""Channel membership: which organizations (MSP ids) may call in which channel.

The configuration is a YAML file of Substra's shape::

    channels:
      mychannel: [MyOrg1MSP, MyOrg2MSP]
      yourchannel: [MyOrg2MSP]

It is validated when loaded (``ChannelConfigError`` names the problem) and can be reloaded while the
server runs (``ChannelRegistry.reload``, wired to SIGHUP by ``podium serve``): a new file that fails
validation is logged and the previous configuration stays in force.

Without a file, ``ChannelConfig.open_default()`` opens the single channel ``mychannel`` to any
organization. ``podium serve`` allows that only on a loopback listen address (see
docs/configuration.md), so that an exposed server always has an explicit membership list.
"""

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from podium.domain.errors import PermissionDenied

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL: Final = "mychannel"


class ChannelConfigError(ValueError):
    """The channel configuration file is unreadable or not of the expected shape."""


@dataclass(frozen=True)
class ChannelConfig:
    """Members of each channel. ``members[channel] is None`` means any organization may call."""

    members: Mapping[str, frozenset[str] | None]

    @classmethod
    def open_default(cls) -> "ChannelConfig":
        """The embedded default: ``mychannel`` open to any organization."""
        return cls({DEFAULT_CHANNEL: None})

    @classmethod
    def parse(cls, document: object, source: str = "<channel config>") -> "ChannelConfig":
        """Validate a loaded YAML document. Raises ``ChannelConfigError`` naming ``source``."""
        if not isinstance(document, dict) or set(document) != {"channels"}:
            raise ChannelConfigError(f"{source}: expected a mapping with the single key 'channels'")
        channels = document["channels"]
        if not isinstance(channels, dict) or not channels:
            raise ChannelConfigError(f"{source}: 'channels' must map channel names to lists of MSP ids")
        members: dict[str, frozenset[str] | None] = {}
        for name, organizations in channels.items():
            if not isinstance(name, str) or not name:
                raise ChannelConfigError(f"{source}: channel names must be non-empty strings, got {name!r}")
            if not isinstance(organizations, list) or not organizations:
                raise ChannelConfigError(f"{source}: channel {name!r} must list at least one MSP id")
            for organization in organizations:
                if not isinstance(organization, str) or not organization.strip():
                    raise ChannelConfigError(
                        f"{source}: channel {name!r} has an invalid MSP id {organization!r}"
                    )
            if len(set(organizations)) != len(organizations):
                raise ChannelConfigError(f"{source}: channel {name!r} lists an MSP id twice")
            members[name] = frozenset(organizations)
        return cls(members)

    @classmethod
    def load(cls, path: Path) -> "ChannelConfig":
        """Read and validate a YAML file. Raises ``ChannelConfigError``."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ChannelConfigError(f"{path}: cannot read: {error.strerror or error}") from error
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ChannelConfigError(f"{path}: invalid YAML: {error}") from error
        return cls.parse(document, str(path))

    def check_access(self, organization: str, channel: str) -> None:
        """Raise ``PermissionDenied`` unless ``organization`` may call in ``channel``."""
        if not any(members is None or organization in members for members in self.members.values()):
            raise PermissionDenied(f'organization "{organization}" is unknown')
        if channel not in self.members:
            raise PermissionDenied(f'organization "{organization}" has not access to channel "{channel}"')
        members = self.members[channel]
        if members is not None and organization not in members:
            raise PermissionDenied(f'organization "{organization}" has not access to channel "{channel}"')


class ChannelRegistry:
    """The configuration in force, swapped atomically on reload; safe to read from any thread."""

    def __init__(self, config: ChannelConfig, path: Path | None = None) -> None:
        self._config = config
        self._path = path
        self._lock = threading.Lock()

    @classmethod
    def from_path(cls, path: Path | None) -> "ChannelRegistry":
        """Load ``path``, or the open default when ``None``. Raises ``ChannelConfigError``."""
        if path is None:
            return cls(ChannelConfig.open_default())
        return cls(ChannelConfig.load(path), path)

    @property
    def config(self) -> ChannelConfig:
        """The configuration in force."""
        return self._config

    def check_access(self, organization: str, channel: str) -> None:
        """Raise ``PermissionDenied`` unless ``organization`` may call in ``channel``."""
        self._config.check_access(organization, channel)

    def reload(self) -> bool:
        """Read the file again. On error, log it and keep the current configuration.

        Returns:
            True when the new configuration is in force; False when it was refused or there is no file.
        """
        if self._path is None:
            logger.info("no channel configuration file to reload")
            return False
        try:
            config = ChannelConfig.load(self._path)
        except ChannelConfigError as error:
            logger.error("channel configuration not reloaded, keeping the previous one: %s", error)
            return False
        with self._lock:
            self._config = config
        logger.info("channel configuration reloaded from %s: %s", self._path, sorted(config.members))
        return True
