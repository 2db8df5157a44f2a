"""The web dashboard: compute plans, their task graph live, performances and the ledger.

Rule: reads as ONE organization (its ``NodeConfig``), through ``podium.sdk`` and ``podium.client``
only — never the database, never the API's internals. Writes nothing to the orchestrator; the only
action it offers is verifying the ledger, which reads.

Public surface::

    create_app(reader, hub) -> Starlette        the application (pages, JSON, server-sent events)
    DashboardReader(client)                     what the pages show, read through the SDK
    EventHub(client)                            one event subscription fanned out to every browser
    DashboardServer(node, listen)               uvicorn in a thread: start(), url, stop()
    views                                       pure view-model functions (status, layout, aggregate)
"""

from podium.dashboard.app import create_app
from podium.dashboard.hub import EventHub
from podium.dashboard.reader import DashboardReader
from podium.dashboard.server import DashboardServer

__all__ = ["DashboardReader", "DashboardServer", "EventHub", "create_app"]
