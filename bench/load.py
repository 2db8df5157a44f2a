"""Load generators: client threads in separate processes, so that the client's Python does not share the
server's interpreter (on this 2-core machine they still share the cores; the document says so).

Each worker process runs ``threads`` clients, each with its own gRPC channel, and starts at a common
instant. Every loop is bounded by a deadline and by the work it was given.
"""

import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from threading import Thread
from typing import Any, Final

import grpc

from bench import bare
from bench.stats import latency_ms
from bench.workload import act, connect

MAX_PROCESSES: Final = 2
START_DELAY_S: Final = 0.5


@dataclass(frozen=True)
class Job:
    """The work of one worker process: per-thread task keys (``podium``) or op counts (``bare``)."""

    address: str
    target: str
    shares: tuple[tuple[str, ...], ...]
    ops_per_thread: int
    start_at: float
    deadline: float


def _podium_client(address: str, keys: Sequence[str], deadline: float, out: list[float]) -> None:
    stubs = connect(address)
    try:
        for key in keys:
            for action in ("EXECUTING", "DONE"):
                if time.monotonic() > deadline:
                    return
                began = time.perf_counter()
                act(stubs, key, action)
                out.append(time.perf_counter() - began)
    finally:
        stubs.channel.close()


def _bare_client(address: str, count: int, deadline: float, out: list[float]) -> None:
    channel = grpc.insecure_channel(address)
    echo = channel.unary_unary(bare.ECHO)
    try:
        for _ in range(count):
            if time.monotonic() > deadline:
                return
            began = time.perf_counter()
            echo(b"", timeout=30)
            out.append(time.perf_counter() - began)
    finally:
        channel.close()


def _run_job(job: Job) -> tuple[list[float], float, float]:
    """Run one process's clients; answer (latencies, first start, last end) on the monotonic clock."""
    results: list[list[float]] = [[] for _ in job.shares]
    threads = []
    for share, out in zip(job.shares, results, strict=True):
        if job.target == "podium":
            args: tuple[Any, ...] = (job.address, share, job.deadline, out)
            threads.append(Thread(target=_podium_client, args=args))
        else:
            threads.append(
                Thread(target=_bare_client, args=(job.address, job.ops_per_thread, job.deadline, out))
            )
    time.sleep(max(0.0, job.start_at - time.monotonic()))
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, job.deadline - time.monotonic() + 30))
    return [x for out in results for x in out], began, time.monotonic()


def _noop() -> None:
    return None


def load_context() -> BaseContext:
    """Fresh load-generator processes, forked from a server that imported this module (and grpc) once:
    a spawned interpreter would import them again for every run, seconds each time. The fork server
    creates no gRPC channel, so its children start with none."""
    context = get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def run_clients(
    address: str,
    target: str,
    clients: int,
    *,
    keys: Sequence[str] = (),
    ops_per_client: int = 0,
    max_seconds: float = 20.0,
) -> dict[str, Any]:
    """``clients`` concurrent clients against ``address``; answer ops/s and p50/p99.

    Args:
        address: host:port.
        target: ``"podium"`` (EXECUTING then DONE on each of ``keys``, shared out between clients) or
            ``"bare"`` (``ops_per_client`` Echo calls each).
        clients: concurrent clients (threads, spread over up to ``MAX_PROCESSES`` processes).
        keys: tasks in To do, for ``podium``.
        ops_per_client: calls per client, for ``bare``.
        max_seconds: deadline after which clients stop issuing calls.
    """
    processes = min(clients, MAX_PROCESSES)
    per_client = [tuple(keys[i::clients]) for i in range(clients)]
    with ProcessPoolExecutor(processes, mp_context=load_context()) as pool:
        for warm in [pool.submit(_noop) for _ in range(processes)]:
            warm.result(timeout=60)
        start_at = time.monotonic() + START_DELAY_S
        deadline = start_at + max_seconds
        jobs = [
            Job(address, target, tuple(per_client[p::processes]), ops_per_client, start_at, deadline)
            for p in range(processes)
        ]
        outcomes = [
            future.result(timeout=max_seconds + 120) for future in [pool.submit(_run_job, j) for j in jobs]
        ]
    latencies = [x for outcome in outcomes for x in outcome[0]]
    elapsed = max(o[2] for o in outcomes) - min(o[1] for o in outcomes)
    return {"ops": len(latencies), "ops_per_s": round(len(latencies) / elapsed, 1), **latency_ms(latencies)}
