"""The embedded broker never hands out a message that is still being written (kombu's own filesystem
transport does: the reader takes an empty or half-written file, loses it and fails to decode it)."""

import multiprocessing
from pathlib import Path

import pytest
from kombu import Connection  # type: ignore[attr-defined]

from podium.agent.fsbroker import TEMPORARY_PREFIX, TRANSPORT

MESSAGES = 400
PAYLOAD_BYTES = 100_000  # large writes widen the window a reader could fall into
TRANSPORT_UNDER_TEST = TRANSPORT


def _connection(folder: Path) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "polling_interval": 0.0005}
    return Connection("filesystem://", transport=TRANSPORT_UNDER_TEST, transport_options=options)


def _send(folder: Path) -> None:
    with _connection(folder) as connection:
        queue = connection.SimpleQueue("q")
        for index in range(MESSAGES):
            queue.put({"index": index, "body": "x" * PAYLOAD_BYTES})
        queue.close()


@pytest.mark.slow
def test_a_reader_polling_while_another_process_sends_gets_every_message_whole(tmp_path: Path) -> None:
    writer = multiprocessing.get_context("fork").Process(target=_send, args=(tmp_path,))
    received: list[dict[str, object]] = []
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("q")
        writer.start()
        try:
            while len(received) < MESSAGES:
                message = queue.get(timeout=60)
                received.append(message.payload)
                message.ack()
        finally:
            queue.close()
            writer.join(60)
            if writer.is_alive():
                writer.kill()
    assert writer.exitcode == 0
    assert sorted(int(str(m["index"])) for m in received) == list(range(MESSAGES))
    assert all(m["body"] == "x" * PAYLOAD_BYTES for m in received)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMPORARY_PREFIX)]
