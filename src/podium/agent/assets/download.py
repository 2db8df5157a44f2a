"""Fetching a file from another organization's asset server, checked against its registered SHA-256.

The body is streamed to a temporary file next to the destination and hashed on the way; only a file
whose digest is the expected one is renamed to the destination. Connection errors, timeouts, cut
bodies and 502/503/504 answers are retried a bounded number of times with jittered exponential
backoff; a refusal (other 4xx/5xx), a TLS verification error or a checksum mismatch is not.

Exception tree::

    FetchError
     ├── DownloadRefused   the server answered an error status (``status``)
     ├── ChecksumMismatch  the bytes are not the registered ones (``expected``, ``actual``)
     └── PeerUnreachable   no complete answer after every attempt
"""

import hashlib
import http.client
import os
import random
import ssl
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_CHUNK: Final = 256 * 1024
_TRANSIENT_STATUSES: Final = frozenset({502, 503, 504})


class FetchError(Exception):
    """A file could not be fetched; nothing was written at the destination."""


class DownloadRefused(FetchError):
    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"{url}: the server answered {status}")
        self.status = status


class ChecksumMismatch(FetchError):
    def __init__(self, url: str, expected: str, actual: str) -> None:
        super().__init__(f"{url}: checksum mismatch: expected sha256 {expected}, got {actual}")
        self.expected = expected
        self.actual = actual


class PeerUnreachable(FetchError):
    pass


@dataclass(frozen=True)
class FetchResult:
    path: Path
    size: int
    sha256: str


def fetch(
    url: str,
    dest: Path,
    expected_sha256: str,
    *,
    tls: ssl.SSLContext,
    timeout: float = 30.0,
    attempts: int = 4,
    backoff: float = 0.5,
    max_bytes: int | None = None,
) -> FetchResult:
    """Download ``url`` to ``dest`` if and only if its SHA-256 is ``expected_sha256``.

    Args:
        tls: a client context (``client_context``) presenting this organization's certificate.
        timeout: seconds for connecting and for each read.
        attempts: tries in all for transient errors (at least 1).
        backoff: first retry delay in seconds, doubled each time, with full jitter.
        max_bytes: refuse bodies larger than this (counted as a mismatch).

    Raises:
        DownloadRefused, ChecksumMismatch, PeerUnreachable: see the module docstring; ``dest`` is left
            untouched in every case.
    """
    expected = expected_sha256.lower()
    last_error: Exception | None = None
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(random.uniform(0, backoff * 2 ** (attempt - 1)))
        try:
            return _fetch_once(url, dest, expected, tls=tls, timeout=timeout, max_bytes=max_bytes)
        except urllib.error.HTTPError as error:
            error.close()  # it holds the response and its socket
            if error.code not in _TRANSIENT_STATUSES:
                raise DownloadRefused(url, error.code) from None
            last_error = error
        except urllib.error.URLError as error:
            if isinstance(error.reason, ssl.SSLError):
                raise PeerUnreachable(f"{url}: TLS failure: {error.reason}") from error
            last_error = error
        except ssl.SSLError as error:  # e.g. the server refusing our certificate after the handshake
            raise PeerUnreachable(f"{url}: TLS failure: {error}") from error
        except (ConnectionError, TimeoutError, http.client.HTTPException) as error:
            last_error = error
    raise PeerUnreachable(f"{url}: unreachable after {max(1, attempts)} attempts: {last_error!r}")


def _fetch_once(
    url: str, dest: Path, expected: str, *, tls: ssl.SSLContext, timeout: float, max_bytes: int | None
) -> FetchResult:
    dest.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        digest = hashlib.sha256()
        size = 0
        with (
            os.fdopen(descriptor, "wb") as out,
            urllib.request.urlopen(url, context=tls, timeout=timeout) as response,
        ):
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ChecksumMismatch(url, expected, f"(more than {max_bytes} bytes)")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected:
            raise ChecksumMismatch(url, expected, actual)
        os.replace(temporary, dest)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return FetchResult(dest, size, actual)
