"""``podium dashboard``: the web dashboard of one organization (plans, task graph live, performances,
ledger), on loopback by default. See docs/dashboard.md."""

from typing import Annotated

import typer

from podium.cli.common import (
    EXIT_SETTINGS,
    Channel,
    Home,
    Identity,
    Insecure,
    Orchestrator,
    Org,
    TlsCa,
    TlsCert,
    TlsKey,
    fail,
    failures,
)
from podium.cli.output import console
from podium.dashboard.server import DEFAULT_LISTEN, DashboardServer


def dashboard(
    *,
    listen: Annotated[
        str,
        typer.Option(
            "--listen", envvar="PODIUM_DASHBOARD_LISTEN", help="host:port to serve on (loopback by default)."
        ),
    ] = DEFAULT_LISTEN,
    org: Org = None,
    channel: Channel = None,
    orchestrator: Orchestrator = None,
    home: Home = None,
    insecure: Insecure = False,
    tls_ca: TlsCa = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
) -> None:
    """Serve the web dashboard, reading as ORG; stops on Ctrl-C."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with failures():
        node = identity.node()
        try:
            server = DashboardServer(node, listen)
        except (ValueError, OSError) as error:
            fail(f"cannot listen on {listen}: {error}", code=EXIT_SETTINGS)
        console().print(f"podium dashboard of {node.organization} on {server.url}", highlight=False)
        server.serve()
