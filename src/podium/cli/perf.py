"""``podium perf PLAN``: the performances of a plan, by round and organization."""

from typing import Annotated

import typer

from podium.cli.common import (
    Channel,
    Home,
    Identity,
    Insecure,
    Json,
    Orchestrator,
    Org,
    TlsCa,
    TlsCert,
    TlsKey,
    sdk_client,
)
from podium.cli.output import console, print_json, print_table


def perf(
    plan_key: Annotated[str, typer.Argument(help="The plan key.")],
    *,
    json_output: Json = False,
    org: Org = None,
    channel: Channel = None,
    orchestrator: Orchestrator = None,
    home: Home = None,
    insecure: Insecure = False,
    tls_ca: TlsCa = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
) -> None:
    """Show the performances a plan's tasks registered (round, rank, organization, value)."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        client.orchestrator.get_plan(plan_key)  # an unknown plan is an error, not an empty table
        rows = client.performances(plan_key)
    if json_output:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        console().print(f"plan {plan_key} has no performance yet")
        return
    print_table(
        f"performances of plan {plan_key}",
        ("round", "rank", "organization", "identifier", "value", "task"),
        ([row.round, row.rank, row.worker, row.identifier, f"{row.value:.4f}", row.task_key] for row in rows),
    )
