"""A small real gRPC server on 127.0.0.1 that answers a few ``orchestrator`` RPCs from canned data.

It is the seam the client's tests own (a fake *server*, reached over real loopback gRPC): every call
is recorded with its headers, and failures can be scripted per method, consumed in order, before the
normal answer.
"""

# ruff: noqa: N802

import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc

from podium.api.generated import (
    computetask_pb2,
    computetask_pb2_grpc,
    event_pb2,
    event_pb2_grpc,
    info_pb2,
    info_pb2_grpc,
    organization_pb2,
    organization_pb2_grpc,
)

STREAM_LIMIT_SECONDS = 20.0
"""A live stream never outlives this, whatever the test does."""


@dataclass(frozen=True)
class Failure:
    """A scripted answer: ``code`` with ``message``, optionally after ``delay`` seconds; with ``code``
    None, only the delay (then the normal answer)."""

    code: grpc.StatusCode | None
    message: str = ""
    delay: float = 0.0


@dataclass(frozen=True)
class Call:
    method: str
    headers: dict[str, list[str]]
    request: Any


@dataclass
class FakeState:
    """What the fake server knows and saw."""

    calls: list[Call] = field(default_factory=list)
    script: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    tasks: list[computetask_pb2.ComputeTask] = field(default_factory=list)
    events: list[event_pb2.Event] = field(default_factory=list)
    registered: set[str] = field(default_factory=set)
    repeat_token: bool = False
    stream_ended: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, method: str, *failures: Failure) -> None:
        """The next calls of ``method`` answer ``failures``, in order."""
        self.script[method].extend(failures)

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def begin(self, method: str, request: Any, context: grpc.ServicerContext) -> None:
        headers: dict[str, list[str]] = defaultdict(list)
        for key, value in context.invocation_metadata():
            headers[key].append(value)
        with self.lock:
            self.calls.append(Call(method, dict(headers), request))
            failure = self.script[method].popleft() if self.script[method] else None
        if failure is not None:
            if failure.delay:
                threading.Event().wait(failure.delay)
            if failure.code is not None:
                context.abort(failure.code, failure.message)


class Tasks(computetask_pb2_grpc.ComputeTaskServiceServicer):
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def GetTask(self, request: Any, context: Any) -> Any:
        self.state.begin("GetTask", request, context)
        for task in self.state.tasks:
            if task.key == request.key:
                return task
        context.abort(grpc.StatusCode.NOT_FOUND, f'OE0002: computetask with key "{request.key}" not found')
        return None

    def GetTaskInputAssets(self, request: Any, context: Any) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in the fake")

    def DisableOutput(self, request: Any, context: Any) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in the fake")

    def RegisterTasks(self, request: Any, context: Any) -> Any:
        self.state.begin("RegisterTasks", request, context)
        keys = [task.key for task in request.tasks]
        if self.state.registered.intersection(keys):
            context.abort(grpc.StatusCode.ALREADY_EXISTS, 'OE0006: computetask with key "x" already exists')
        self.state.registered.update(keys)
        created = [computetask_pb2.ComputeTask(key=key) for key in keys]
        return computetask_pb2.RegisterTasksResponse(tasks=created)

    def ApplyTaskAction(self, request: Any, context: Any) -> Any:
        self.state.begin("ApplyTaskAction", request, context)
        return computetask_pb2.ApplyTaskActionResponse()

    def QueryTasks(self, request: Any, context: Any) -> Any:
        self.state.begin("QueryTasks", request, context)
        offset = int(request.page_token or "0")
        size = request.page_size or 50
        wanted = [
            task
            for task in self.state.tasks
            if task.worker == request.filter.worker or not request.filter.worker
        ]
        page = wanted[offset : offset + size]
        more = offset + size < len(wanted)
        token = ("1" if self.state.repeat_token else str(offset + size)) if more else ""
        return computetask_pb2.QueryTasksResponse(tasks=page, next_page_token=token)


class Organizations(organization_pb2_grpc.OrganizationServiceServicer):
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def RegisterOrganization(self, request: Any, context: Any) -> Any:
        self.state.begin("RegisterOrganization", request, context)
        return organization_pb2.Organization(id="Org1MSP", address=request.address)

    def GetAllOrganizations(self, request: Any, context: Any) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in the fake")


class Events(event_pb2_grpc.EventServiceServicer):
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def QueryEvents(self, request: Any, context: Any) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in the fake")

    def SubscribeToEvents(self, request: Any, context: Any) -> Iterator[Any]:
        self.state.begin("SubscribeToEvents", request, context)
        try:
            ids = [event.id for event in self.state.events]
            start = ids.index(request.start_event_id) + 1 if request.start_event_id in ids else 0
            yield from self.state.events[start:]
            # Then "follow live": nothing more comes until the client goes away.
            done = threading.Event()
            context.add_callback(done.set)
            done.wait(STREAM_LIMIT_SECONDS)
        finally:
            self.state.stream_ended.set()


class Info(info_pb2_grpc.InfoServiceServicer):
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def QueryVersion(self, request: Any, context: Any) -> Any:
        self.state.begin("QueryVersion", request, context)
        return info_pb2.QueryVersionResponse(orchestrator="fake-1.0")


def start_fake_server(state: FakeState) -> tuple[grpc.Server, int]:
    """Start the fake server on an ephemeral loopback port; the caller stops it."""
    server = grpc.server(ThreadPoolExecutor(max_workers=8))
    computetask_pb2_grpc.add_ComputeTaskServiceServicer_to_server(Tasks(state), server)
    organization_pb2_grpc.add_OrganizationServiceServicer_to_server(Organizations(state), server)
    event_pb2_grpc.add_EventServiceServicer_to_server(Events(state), server)
    info_pb2_grpc.add_InfoServiceServicer_to_server(Info(state), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port
