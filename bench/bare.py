"""The bare gRPC ceiling: a server with one trivial unary handler and one stream handler, no database.

Run as ``python -m bench.bare PORT THREADS``; it serves on 127.0.0.1 until SIGTERM. ``Echo`` answers a
fixed message; ``Stream`` sends ``count`` copies of a message of ``size`` bytes (request: ``b"count,size"``).
"""

import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import grpc

SERVICE: Final = "bench.Bare"
ECHO: Final = f"/{SERVICE}/Echo"
STREAM: Final = f"/{SERVICE}/Stream"
REPLY: Final = b"\x08\x01"  # a tiny protobuf-shaped answer, like ApplyTaskAction's empty response


def _identity(data: bytes) -> bytes:
    return data


def _echo(request: bytes, context: Any) -> bytes:
    return REPLY


def _stream(request: bytes, context: Any) -> Iterator[bytes]:
    count_text, size_text = request.decode().split(",")
    message = b"x" * int(size_text)
    for _ in range(int(count_text)):
        yield message


def serve(port: int, threads: int) -> None:
    """Serve until SIGTERM/SIGINT (checked every 0.5 s)."""
    server = grpc.server(ThreadPoolExecutor(max_workers=threads))
    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(_echo, _identity, _identity),
        "Stream": grpc.unary_stream_rpc_method_handler(_stream, _identity, _identity),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    server.stop(2).wait(5)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
