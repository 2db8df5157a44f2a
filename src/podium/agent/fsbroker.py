"""The embedded broker: kombu's filesystem transport with messages that appear whole.

kombu's own filesystem channel creates a message file under its final name and then writes it; a
worker listing the folder meanwhile can take the file while it is still empty or half written: it
moves it away (the message is lost) and fails to decode it, which ends the worker. Here a message is
written and flushed to disk under a hidden temporary name that no queue matches, then renamed to its
final name in one step (``os.replace`` within one folder is atomic), so a reader sees either no
message or all of it.

Celery selects it with ``broker_transport = TRANSPORT`` and a ``filesystem://`` broker URL.
"""

import os
import uuid
from contextlib import suppress
from time import monotonic
from typing import Any, Final

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

TRANSPORT: Final = "podium.agent.fsbroker:AtomicFilesystemTransport"
"""The transport's ``module:Class`` name, for Celery's ``broker_transport``."""

TEMPORARY_PREFIX: Final = ".incoming-"
"""Names of messages being written: no queue matches them (kombu matches ``<id>.<queue>.msg``)."""


class AtomicFilesystemChannel(filesystem.Channel):
    """``filesystem.Channel`` whose ``_put`` publishes a message file only once it is complete."""

    # kombu's own base classes disagree on the second parameter's name (message / payload).
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Put ``payload`` on ``queue``: write a temporary file, flush it to disk, rename it."""
        folder = self.data_folder_out
        final = os.path.join(folder, f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg")
        temporary = os.path.join(folder, f"{TEMPORARY_PREFIX}{uuid.uuid4()}")
        try:
            with open(temporary, "wb") as stream:
                stream.write(str_to_bytes(dumps(payload)))  # type: ignore[no-untyped-call]
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, final)
        except OSError as error:
            with suppress(OSError):
                os.unlink(temporary)
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class AtomicFilesystemTransport(filesystem.Transport):
    """kombu's filesystem transport with ``AtomicFilesystemChannel``."""

    Channel = AtomicFilesystemChannel
