"""Events: replay of N stored events to one subscriber (events/s; ceiling: a bare gRPC stream of as many
messages of the same size) and live fan-out to 10 / 100 subscribers (commit-to-delivery p50/p99).

Fan-out latency: the publisher records, per event, the instant its ApplyTaskAction returned (the commit
is acknowledged; it happened before), the subscribers the instant they received it, both on the
system-wide monotonic clock of this one machine. A delivery may precede the acknowledgement (negative
latency); the figures keep it.
"""

import json
import queue
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import Manager
from threading import Thread
from typing import Any, Final

import grpc
import psycopg

from bench import bare
from bench.infra import CHANNEL, metadata
from bench.load import load_context
from bench.report import Context, Row
from bench.stats import latency_ms, summary
from bench.workload import CHANNEL_OPTIONS, act, connect, prepare, register, task_batch
from podium.api.generated import common_pb2, event_pb2, event_pb2_grpc

NAME = "events"
PUBLISH_INTERVAL_S: Final = 0.02
STREAM_TIMEOUT_S: Final = 120.0


def _last_event_id(address: str) -> str:
    stubs = connect(address)
    try:
        page = stubs.call(
            stubs.events.QueryEvents,
            event_pb2.QueryEventsParam(page_size=1, sort=common_pb2.SortOrder.Value("DESCENDING")),
        )
        return str(page.events[0].id)
    finally:
        stubs.channel.close()


def seed_events(url: str, count: int) -> None:
    """Append ``count`` copies of the channel's last event (fresh ids, next positions) with COPY and
    move the channel head past them: rows the server reads and converts like real ones."""
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        head = cur.execute(
            "SELECT position FROM channel_heads WHERE channel = %s FOR UPDATE", (CHANNEL,)
        ).fetchone()
        assert head is not None
        row = cur.execute(
            "SELECT timestamp, asset_kind, event_kind, asset_key, asset, metadata, hash FROM events "
            "WHERE channel = %s AND position = %s",
            (CHANNEL, head[0]),
        ).fetchone()
        assert row is not None
        timestamp, asset_kind, event_kind, asset_key, asset, meta, hash_ = row
        asset_text, meta_text = json.dumps(asset), json.dumps(meta)
        with cur.copy(
            "COPY events (channel, position, id, timestamp, asset_kind, event_kind, asset_key, asset,"
            " metadata, hash) FROM STDIN"
        ) as copy:
            for position in range(head[0] + 1, head[0] + count + 1):
                copy.write_row(
                    (
                        CHANNEL,
                        position,
                        f"seed-{position}",
                        timestamp,
                        asset_kind,
                        event_kind,
                        asset_key,
                        asset_text,
                        meta_text,
                        hash_,
                    )
                )
        cur.execute("UPDATE channel_heads SET position = %s WHERE channel = %s", (head[0] + count, CHANNEL))
        conn.commit()


def _replay(address: str, start_id: str, count: int) -> tuple[float, int]:
    """Seconds to receive ``count`` events after ``start_id``, and the size of one message."""
    channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
    stream = event_pb2_grpc.EventServiceStub(channel).SubscribeToEvents(
        event_pb2.SubscribeToEventsParam(start_event_id=start_id),
        metadata=metadata(),
        timeout=STREAM_TIMEOUT_S,
    )
    size = 0
    began = time.perf_counter()
    for received, event in enumerate(stream, 1):
        size = size or event.ByteSize()
        if received >= count:
            break
    elapsed = time.perf_counter() - began
    stream.cancel()
    channel.close()
    return elapsed, size


def _bare_stream(address: str, count: int, size: int) -> float:
    channel = grpc.insecure_channel(address)
    stream = channel.unary_stream(bare.STREAM)(f"{count},{size}".encode(), timeout=STREAM_TIMEOUT_S)
    began = time.perf_counter()
    received = sum(1 for _ in stream)
    elapsed = time.perf_counter() - began
    channel.close()
    assert received == count
    return elapsed


@dataclass(frozen=True)
class Subscription:
    """What each subscriber thread of a fan-out run does: stream from ``start_id``, report the warm-up
    event on ``ready``, record the receipt time of ``wanted`` events (or until ``deadline``)."""

    address: str
    start_id: str
    warm_key: str
    wanted: int
    deadline: float


def _subscriber(job: Subscription, ready: Any, out: list[tuple[str, float]]) -> None:
    channel = grpc.insecure_channel(job.address)
    stream = event_pb2_grpc.EventServiceStub(channel).SubscribeToEvents(
        event_pb2.SubscribeToEventsParam(start_event_id=job.start_id),
        metadata=metadata(),
        timeout=STREAM_TIMEOUT_S,
    )
    try:
        for event in stream:
            now = time.monotonic()
            if event.asset_key == job.warm_key:
                ready.put(1)
                continue
            out.append((event.asset_key, now))
            if len(out) >= job.wanted or now > job.deadline:
                break
    except grpc.RpcError:
        pass
    finally:
        stream.cancel()
        channel.close()


def _subscriber_process(job: Subscription, threads: int, ready: Any) -> list[list[tuple[str, float]]]:
    outs: list[list[tuple[str, float]]] = [[] for _ in range(threads)]
    workers = [Thread(target=_subscriber, args=(job, ready, out)) for out in outs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(max(1.0, job.deadline - time.monotonic() + 10))
    return outs


def _fan_out(address: str, subscribers: int, events: int) -> dict[str, Any]:
    stubs = connect(address)
    setup = prepare(stubs)
    warm, *keys = register(stubs, task_batch(setup, events + 1))
    start_id = _last_event_id(address)
    deadline = time.monotonic() + 60
    processes = min(2, subscribers)
    with Manager() as manager, ProcessPoolExecutor(processes, mp_context=load_context()) as pool:
        ready = manager.Queue()
        job = Subscription(address, start_id, warm, events, deadline)
        futures = [
            pool.submit(_subscriber_process, job, subscribers // processes, ready) for _ in range(processes)
        ]
        # Streams start before the warm-up event, so each subscriber sees it, live or replayed; once all
        # have, every stream is open and following live.
        act(stubs, warm, "EXECUTING")
        seen = 0
        while seen < subscribers and time.monotonic() < deadline:
            try:
                seen += ready.get(timeout=1)
            except queue.Empty:
                continue
        acknowledged: dict[str, float] = {}
        for key in keys:
            act(stubs, key, "EXECUTING")
            acknowledged[key] = time.monotonic()
            time.sleep(PUBLISH_INTERVAL_S)
        received = [out for future in futures for out in future.result(timeout=120)]
    stubs.channel.close()
    latencies = [t - acknowledged[key] for out in received for key, t in out if key in acknowledged]
    expected = subscribers * events
    return {**latency_ms(latencies), "delivered": len(latencies), "expected": expected}


def run(ctx: Context) -> list[Row]:
    replay_count = 5_000 if ctx.quick else 100_000
    fan_events = 30 if ctx.quick else 200
    rows: list[Row] = []
    with ctx.server(threads=160) as server:
        stubs = connect(server.address)
        register(stubs, task_batch(prepare(stubs), 1))
        stubs.channel.close()
        start_id = _last_event_id(server.address)
        seed_events(ctx.postgres.url, replay_count)
        replays = [_replay(server.address, start_id, replay_count) for _ in range(ctx.repeats)]
        size = replays[0][1]
        fan = {n: [_fan_out(server.address, n, fan_events) for _ in range(ctx.repeats)] for n in (10, 100)}
    with ctx.bare() as bare_server:
        ceiling = [
            replay_count / _bare_stream(bare_server.address, replay_count, size) for _ in range(ctx.repeats)
        ]
    rows.append(
        Row(
            NAME,
            f"replay {replay_count:,} events, 1 subscriber",
            "events/s",
            summary([replay_count / elapsed for elapsed, _ in replays]),
            "bare gRPC stream",
            summary(ceiling),
            extra={"message_bytes": size},
        )
    )
    for n, runs in fan.items():
        extra = {"delivered": [r["delivered"] for r in runs], "expected": [r["expected"] for r in runs]}
        for name in ("p50_ms", "p99_ms"):
            rows.append(
                Row(
                    NAME,
                    f"fan-out to {n} subscribers, {fan_events} events",
                    f"commit→delivery {name[:3]} ms",
                    summary([r[name] for r in runs]),
                    higher_is_better=False,
                    extra=extra,
                )
            )
    return rows
