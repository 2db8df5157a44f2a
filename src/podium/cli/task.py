"""``podium task list|show|logs``: the tasks of a plan, one task in detail, a failed task's log."""

from typing import Annotated

import typer

from podium.api.generated import computetask_pb2, failure_report_pb2
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
    fail,
    sdk_client,
)
from podium.cli.output import console, message_dict, print_json, print_table, short_status, when
from podium.cli.plan import TASK_COLUMNS, task_rows
from podium.client import NotFound
from podium.domain.kinds import TaskStatus

app = typer.Typer(help="Compute tasks: list, show, logs.", no_args_is_help=True)

TaskKey = Annotated[str, typer.Argument(help="The task key.")]


@app.command("list")
def list_tasks(
    plan_key: Annotated[str, typer.Argument(help="The plan whose tasks to list.")],
    *,
    status: Annotated[
        str | None, typer.Option(help="Only tasks in this status (e.g. done, executing, failed).")
    ] = None,
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
    """List the tasks of a plan (parents before children)."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    wanted = _status(status)
    with sdk_client(identity) as client:
        client.orchestrator.get_plan(plan_key)  # an unknown plan is an error, not an empty list
        tasks = [
            task
            for task in client.tasks(plan_key)
            if wanted is None or computetask_pb2.ComputeTaskStatus.Name(task.status) == wanted
        ]
    if json_output:
        print_json([message_dict(task) for task in tasks])
        return
    print_table(f"tasks of plan {plan_key}", TASK_COLUMNS, task_rows(tasks))


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    name = value.upper()
    name = name if name.startswith("STATUS_") else f"STATUS_{name}"
    if name not in {member.value for member in TaskStatus}:
        choices = ", ".join(
            short_status(member.value) for member in TaskStatus if member is not TaskStatus.UNKNOWN
        )
        raise typer.BadParameter(f"unknown status {value!r}; choose one of {choices}", param_hint="--status")
    return name


@app.command("show")
def show(
    task_key: TaskKey,
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
    """Show a task: where it runs, its inputs and outputs, and its failure report if it failed."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        task = client.orchestrator.get_task(task_key)
        report = None
        if task.status == computetask_pb2.STATUS_FAILED:
            try:
                report = client.failure_report(task_key)
            except NotFound:
                report = None
    if json_output:
        data = message_dict(task)
        data["failure_report"] = message_dict(report) if report is not None else None
        print_json(data)
        return
    out = console()
    status = short_status(computetask_pb2.ComputeTaskStatus.Name(task.status))
    out.print(f"[bold]task[/] {task.key}  [bold]status[/] {status}  [bold]rank[/] {task.rank}")
    out.print(f"[bold]plan[/] {task.compute_plan_key}  [bold]worker[/] {task.worker}")
    out.print(f"[bold]function[/] {task.function_key}")
    out.print(f"[bold]created[/] {when(task.creation_date)}  [bold]metadata[/] {dict(task.metadata)}")
    print_table(
        "inputs",
        ("identifier", "from"),
        (
            [
                item.identifier,
                item.asset_key
                or f"{item.parent_task_output.parent_task_key}.{item.parent_task_output.output_identifier}",
            ]
            for item in task.inputs
        ),
    )
    print_table(
        "outputs",
        ("identifier", "transient", "download by"),
        (
            [
                name,
                output.transient,
                "everyone"
                if output.permissions.download.public
                else ", ".join(output.permissions.download.authorized_ids),
            ]
            for name, output in sorted(task.outputs.items())
        ),
    )
    if report is not None:
        error_type = short_status(failure_report_pb2.ErrorType.Name(report.error_type))
        out.print(f"[bold red]failed[/] ({error_type}) — read the log with `podium task logs {task.key}`")


@app.command("logs")
def logs(
    task_key: TaskKey,
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
    """Print the log of a failed task (checked against its registered SHA-256)."""
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        task = client.orchestrator.get_task(task_key)
        try:
            text = client.logs(task_key)
        except NotFound:
            status = short_status(computetask_pb2.ComputeTaskStatus.Name(task.status))
            fail(
                f"task {task_key} has no failure report (it is {status})", "only failed tasks keep a log here"
            )
    typer.echo(text, nl=not text.endswith("\n"))
