"""Getting a registered file (a model, a log) to the caller, checked against its registered SHA-256:
from this organization's storage when it owns the file, else from the owner's asset server over
HTTPS, presenting this organization's certificate."""

import hashlib
import os
import ssl
import tempfile
from contextlib import suppress
from pathlib import Path

from podium.agent.assets.download import ChecksumMismatch as FetchChecksumMismatch
from podium.agent.assets.download import FetchError, fetch
from podium.agent.assets.identity import client_context
from podium.agent.node import NodeConfig
from podium.agent.storage import FileKind, LocalStorage
from podium.sdk.errors import AssetUnavailable, ChecksumMismatch

_CHUNK = 1024 * 1024


def _tls(node: NodeConfig) -> ssl.SSLContext:
    if node.tls_ca and node.tls_cert and node.tls_key:
        return client_context([node.tls_ca], node.tls_cert, node.tls_key)
    return ssl.create_default_context()  # plain-text setups: only http:// addresses can work


def retrieve(
    node: NodeConfig,
    storage: LocalStorage,
    *,
    kind: FileKind,
    key: str,
    owner: str,
    url: str,
    checksum: str,
    dest: Path,
) -> Path:
    """Write the file ``(kind, key)`` registered at ``url`` with ``checksum`` to ``dest``.

    Raises:
        AssetUnavailable: the file is neither local nor fetchable (the message says why).
        ChecksumMismatch: the bytes are not the registered ones; ``dest`` is not written.
    """
    if owner == node.organization and storage.exists(kind, key):
        _copy_checked(storage.path(kind, key), dest, checksum)
        return dest
    if not url:
        raise AssetUnavailable(f"{kind.value} {key} has no registered address")
    try:
        fetch(url, dest, checksum, tls=_tls(node), attempts=3)
    except FetchChecksumMismatch as error:
        raise ChecksumMismatch(str(error)) from error
    except FetchError as error:
        raise AssetUnavailable(f"cannot fetch {url} from {owner}: {error}") from error
    return dest


def _copy_checked(source: Path, dest: Path, checksum: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        digest = hashlib.sha256()
        with os.fdopen(descriptor, "wb") as out, source.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != checksum.lower():
            raise ChecksumMismatch(
                f"{source}: sha256 {digest.hexdigest()} differs from the registered {checksum}"
            )
        os.replace(temporary, dest)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
