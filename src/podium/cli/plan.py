"""``podium plan list|show|wait|cancel``: compute plans as their owner and participants see them."""

from typing import Annotated

import typer

from podium.api.generated import computeplan_pb2, computetask_pb2
from podium.cli.common import (
    EXIT_FAILED,
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
    fail,
    sdk_client,
)
from podium.cli.output import console, print_json, print_table, short_status, when
from podium.sdk import Client, PlanState, PlanStatus, WaitTimeout, describe
from podium.sdk.tasks import ROUND

app = typer.Typer(help="Compute plans: list, show, wait for, cancel.", no_args_is_help=True)

PlanKey = Annotated[str, typer.Argument(help="The plan key.")]


def _plan_row(plan: computeplan_pb2.ComputePlan, status: PlanStatus) -> dict[str, object]:
    return {
        "key": plan.key,
        "name": plan.name,
        "owner": plan.owner,
        "created": when(plan.creation_date),
        "status": status.as_dict(),
    }


def task_rows(tasks: list[computetask_pb2.ComputeTask]) -> list[list[object]]:
    """Table rows of tasks: key, round, rank, worker, function, status."""
    return [
        [
            task.key,
            task.metadata.get(ROUND, ""),
            task.rank,
            task.worker,
            task.function_key,
            short_status(computetask_pb2.ComputeTaskStatus.Name(task.status)),
        ]
        for task in tasks
    ]


TASK_COLUMNS = ("task", "round", "rank", "worker", "function", "status")


@app.command("list")
def list_plans(
    *,
    mine: Annotated[bool, typer.Option("--mine", help="Only the plans your organization owns.")] = False,
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
    """List the channel's compute plans with their status."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        owner = client.organization if mine else ""
        rows = [
            _plan_row(plan, client.status(plan.key)) for plan in client.orchestrator.query_plans(owner=owner)
        ]
    if json_output:
        print_json(rows)
        return
    print_table(
        f"compute plans in {client.node.channel}",
        ("plan", "name", "owner", "created", "status", "tasks done"),
        (
            [
                row["key"],
                row["name"],
                row["owner"],
                row["created"],
                status["state"],
                f"{_done(status)}/{status['total']}",
            ]
            for row in rows
            if isinstance(status := row["status"], dict)
        ),
    )


def _done(status: dict[str, object]) -> object:
    counts = status["counts"]
    return counts.get("STATUS_DONE", 0) if isinstance(counts, dict) else 0


@app.command("show")
def show(
    plan_key: PlanKey,
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
    """Show a plan, its status and its tasks."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        plan = client.orchestrator.get_plan(plan_key)
        tasks = client.tasks(plan_key)
        status = client.status(plan_key)
    if json_output:
        print_json({**_plan_row(plan, status), "metadata": dict(plan.metadata), "tasks": task_rows(tasks)})
        return
    out = console()
    out.print(f"[bold]plan[/] {plan.key}  [bold]name[/] {plan.name}  [bold]owner[/] {plan.owner}")
    out.print(f"[bold]status[/] {describe(status)}")
    if plan.HasField("cancelation_date"):
        out.print(f"[bold]canceled[/] {when(plan.cancelation_date)}")
    print_table("tasks", TASK_COLUMNS, task_rows(tasks))


@app.command("wait")
def wait(
    plan_key: PlanKey,
    *,
    timeout: Annotated[float, typer.Option(help="Seconds to wait at most.")] = 3600.0,
    poll: Annotated[float, typer.Option(help="Seconds between polls.")] = 2.0,
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
    """Wait until the plan is done, failed or canceled; exit 0 only when it is done."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        status = _wait(client, plan_key, timeout, poll, show_progress=not json_output)
    if json_output:
        print_json(status.as_dict())
    else:
        console().print(f"plan {plan_key}: {describe(status)}")
    if status.state is not PlanState.DONE:
        raise typer.Exit(EXIT_FAILED)


def _wait(client: Client, plan_key: str, timeout: float, poll: float, *, show_progress: bool) -> PlanStatus:
    try:
        return client.wait(plan_key, timeout, progress=show_progress, poll_interval=poll)
    except WaitTimeout as error:
        fail(str(error), "wait again, or look at the tasks with `podium task list PLAN`")


@app.command("cancel")
def cancel(
    plan_key: PlanKey,
    *,
    org: Org = None,
    channel: Channel = None,
    orchestrator: Orchestrator = None,
    home: Home = None,
    insecure: Insecure = False,
    tls_ca: TlsCa = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
) -> None:
    """Cancel a plan you own: every task of it that is not final is canceled, running ones included."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        canceled = client.cancel(plan_key)
    console().print(f"plan {plan_key} {'canceled' if canceled else 'had already ended (canceled or failed)'}")
