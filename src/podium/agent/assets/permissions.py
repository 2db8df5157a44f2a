"""Who may download which file: the ``PermissionSource`` port and its orchestrator-backed implementation.

| file kind | asset asked for | permission |
|---|---|---|
| functions | ``get_function(key)`` | ``permissions.download`` |
| openers | ``get_data_manager(key)`` | ``permissions.download`` |
| models | ``get_model(key)`` | ``permissions.download`` |
| logs | ``get_task(key)`` (a task's execution logs) | ``logs_permission`` |
| logs | else ``get_function(key)`` (a function's build logs) | ``permissions.download`` |
| performances | — | never served: performance values are on the orchestrator |

An organization is authorized by a permission that is public or lists it. An asset the orchestrator
does not know is refused.
"""

from typing import Protocol

from podium.agent.storage import FileKind
from podium.api.generated import common_pb2, computetask_pb2, datamanager_pb2, function_pb2, model_pb2
from podium.domain.errors import NotFound


class PermissionSource(Protocol):
    """Decides whether ``organization`` may download the file ``(kind, key)``.

    MUST return ``False`` for unknown assets; MAY raise when the source of truth is unreachable (the
    server then answers 503 and the caller retries).
    """

    def can_download(self, kind: FileKind, key: str, organization: str) -> bool: ...


class AssetLookup(Protocol):
    """The part of the orchestrator client ``OrchestratorPermissions`` needs; each method raises
    ``podium.domain.errors.NotFound`` for an unknown key."""

    def get_model(self, key: str) -> model_pb2.Model: ...
    def get_function(self, key: str) -> function_pb2.Function: ...
    def get_data_manager(self, key: str) -> datamanager_pb2.DataManager: ...
    def get_task(self, key: str) -> computetask_pb2.ComputeTask: ...


def allows(permission: common_pb2.Permission, organization: str) -> bool:
    """Whether ``permission`` (public, or listing ``organization``) authorizes ``organization``."""
    return permission.public or organization in permission.authorized_ids


class OrchestratorPermissions:
    """``PermissionSource`` reading permissions as the orchestrator records them (see the module table)."""

    def __init__(self, lookup: AssetLookup) -> None:
        self._lookup = lookup

    def can_download(self, kind: FileKind, key: str, organization: str) -> bool:
        try:
            return allows(self._permission(kind, key), organization)
        except NotFound:
            return False

    def _permission(self, kind: FileKind, key: str) -> common_pb2.Permission:
        if kind is FileKind.FUNCTION:
            return self._lookup.get_function(key).permissions.download
        if kind is FileKind.OPENER:
            return self._lookup.get_data_manager(key).permissions.download
        if kind is FileKind.MODEL:
            return self._lookup.get_model(key).permissions.download
        if kind is FileKind.LOG:
            try:
                return self._lookup.get_task(key).logs_permission
            except NotFound:
                return self._lookup.get_function(key).permissions.download
        return common_pb2.Permission()  # performances: nobody
