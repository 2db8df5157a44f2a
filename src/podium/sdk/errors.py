"""The SDK's own errors; refusals of the orchestrator stay ``podium.client.OrchestratorError``.

SdkError                  base of what the SDK itself refuses or cannot do
├── InvalidProject        a function/opener directory or a data-sample directory is unusable
├── WaitTimeout           ``Client.wait`` ran out of time (``.status``: the last status seen)
├── AssetUnavailable      a file (model, log) cannot be found or fetched
└── ChecksumMismatch      a file's bytes are not the registered ones
"""

from typing import Any


class SdkError(Exception):
    """Something the SDK refused or could not do; the message says what and what to do."""


class InvalidProject(SdkError):
    pass


class WaitTimeout(SdkError):
    def __init__(self, message: str, status: Any) -> None:
        super().__init__(message)
        self.status = status


class AssetUnavailable(SdkError):
    pass


class ChecksumMismatch(SdkError):
    pass
