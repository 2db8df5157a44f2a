"""The Starlette application: HTML pages, the JSON endpoints behind them, the live event stream (SSE)
and the static assets (served by the app itself: nothing is fetched from elsewhere).

- ``/`` plans list; JSON ``/api/plans``
- ``/plans/{key}`` task graph (or aggregate); JSON ``/api/plans/{key}``
- ``/plans/{key}/performances`` a chart per metric; JSON ``/api/plans/{key}/performances``
- the plan page's task details: JSON ``/api/tasks/{key}``; ``/api/tasks/{key}/logs`` the log (text)
- ``/ledger`` heads, POST ``/ledger/verify`` with the result; JSON ``/api/ledger``, POST
  ``/api/ledger/verify``; ``/api/stream`` the hub's state
- ``/events`` server-sent events: every event of the channel, live

Sync endpoints run in Starlette's thread pool (the client is blocking and thread-safe).
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from podium.client import NotFound, OrchestratorError
from podium.dashboard import pages, views
from podium.dashboard.hub import EventHub
from podium.dashboard.reader import DashboardReader
from podium.sdk import SdkError

STATIC: Final = Path(__file__).parent / "static"
KEEPALIVE_SECONDS: Final = 15.0
"""A comment line is sent this often on an idle event stream, so proxies and browsers keep it."""


def create_app(reader: DashboardReader, hub: EventHub) -> Starlette:
    """The dashboard for ``reader``'s organization, with live events from ``hub`` (started and closed
    by the caller)."""

    def html(title: str, body: str, data: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
        document = pages.page(
            title,
            body,
            organization=reader.organization,
            channel=reader.channel,
            data={"statuses": views.status_names(), **(data or {})},
        )
        return HTMLResponse(document, status_code=status)

    def guarded(handler: Callable[[Request], Response], *, as_json: bool) -> Callable[[Request], Response]:
        """Map refusals: NotFound → 404, other orchestrator or SDK errors → 502, with the message."""

        def endpoint(request: Request) -> Response:
            try:
                return handler(request)
            except (OrchestratorError, SdkError) as error:
                status = 404 if isinstance(error, NotFound) else 502
                message = str(error)
                if as_json:
                    return JSONResponse({"error": message}, status_code=status)
                return html("Error", pages.error_page(message), status=status)

        return endpoint

    def plans(request: Request) -> Response:
        return html("Compute plans", pages.plans_page(reader.plans()), {"page": "plans"})

    def plan(request: Request) -> Response:
        key = request.path_params["key"]
        view = reader.plan(key)
        title = f"Plan {view['plan']['name'] or key[:8]}"
        data = {"page": "plan", "plan_key": key, "aggregated": "aggregate" in view}
        return html(title, pages.plan_page(view), data)

    def performances(request: Request) -> Response:
        key = request.path_params["key"]
        _, metrics = reader.metrics(key)
        data = {"page": "performances", "plan_key": key}
        return html("Performances", pages.performances_page(key, metrics), data)

    def ledger(request: Request) -> Response:
        return html("Ledger", pages.ledger_page(reader.ledger(), None), {"page": "ledger"})

    def ledger_verify(request: Request) -> Response:
        result = reader.verify()
        return html("Ledger", pages.ledger_page(reader.ledger(), result), {"page": "ledger"})

    def api(handler: Callable[[Request], Any]) -> Callable[[Request], Response]:
        return guarded(lambda request: JSONResponse(handler(request)), as_json=True)

    def logs(request: Request) -> Response:
        return PlainTextResponse(reader.logs(request.path_params["key"]))

    async def events(request: Request) -> Response:
        return StreamingResponse(
            _event_stream(hub, request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    def page_route(
        path: str, handler: Callable[[Request], Response], methods: list[str] | None = None
    ) -> Route:
        return Route(path, guarded(handler, as_json=False), methods=methods)

    routes = [
        page_route("/", plans),
        page_route("/plans/{key}", plan),
        page_route("/plans/{key}/performances", performances),
        page_route("/ledger", ledger),
        page_route("/ledger/verify", ledger_verify, ["POST"]),
        Route("/api/plans", api(lambda r: reader.plans())),
        Route("/api/plans/{key}", api(lambda r: reader.plan(r.path_params["key"]))),
        Route("/api/plans/{key}/performances", api(lambda r: reader.performances(r.path_params["key"]))),
        Route("/api/tasks/{key}", api(lambda r: reader.task(r.path_params["key"]))),
        Route("/api/tasks/{key}/logs", guarded(logs, as_json=True)),
        Route("/api/ledger", api(lambda r: reader.ledger())),
        Route("/api/ledger/verify", api(lambda r: reader.verify()), methods=["POST"]),
        Route("/api/stream", api(lambda r: _stream_state(hub))),
        Route("/events", events),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes)


def _stream_state(hub: EventHub) -> dict[str, Any]:
    return {
        "connected": hub.connected,
        "subscriptions": hub.subscriptions,
        "browsers": hub.subscriber_count,
        "last_event_id": hub.last_event_id,
    }


async def _event_stream(hub: EventHub, request: Request) -> AsyncIterator[str]:
    """One browser's server-sent events: the hub's messages until the browser leaves, falls behind
    (dropped: the stream ends and ``EventSource`` reconnects) or the hub closes."""
    subscriber = hub.subscribe(asyncio.get_running_loop())
    try:
        yield "retry: 2000\n\n"
        while True:
            try:
                message = await asyncio.wait_for(subscriber.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                yield ": keepalive\n\n"
                continue
            if message is None or subscriber.dropped:
                return
            yield f"event: {message['type']}\ndata: {json.dumps(message)}\n\n"
    finally:
        hub.unsubscribe(subscriber)
