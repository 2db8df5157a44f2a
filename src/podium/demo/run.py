"""What ``podium demo`` does, step by step: start a local network, register data and functions with
the SDK, run a FedAvg plan with a live display, and report the figures next to central training."""

import shutil
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from podium.agent.cursor import CursorStore
from podium.api.generated import failure_report_pb2
from podium.demo import data, project
from podium.demo.functions.fedlr_model import INJECT_FAILURE
from podium.demo.network import CHANNEL, Network, free_port, wait_for
from podium.domain.kinds import TaskStatus
from podium.sdk import FEDAVG_ROLES, Client, OrgData, fedavg
from podium.sdk.ledger import verify_channel
from podium.sdk.status import PlanState, PlanStatus, derive_status, task_status

STATUS_COLUMNS = (
    (
        "waiting",
        (TaskStatus.WAITING_FOR_BUILDER_SLOT, TaskStatus.BUILDING, TaskStatus.WAITING_FOR_PARENT_TASKS),
    ),
    ("to do", (TaskStatus.WAITING_FOR_EXECUTOR_SLOT,)),
    ("doing", (TaskStatus.EXECUTING,)),
    ("done", (TaskStatus.DONE,)),
    ("failed", (TaskStatus.FAILED,)),
    ("canceled", (TaskStatus.CANCELED,)),
)


@dataclass(frozen=True)
class DemoOptions:
    organizations: int = 3
    rounds: int = 5
    workdir: Path = Path("podium-demo")
    keep: bool = False
    inject_failure: bool = False
    timeout: float = 900.0
    dashboard: bool = True


@dataclass(frozen=True)
class DemoResult:
    state: PlanState
    plan_key: str
    federated: dict[int, float]
    central: list[float]
    per_organization: dict[int, dict[str, float]]


def organization_names(count: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [f"Org{letters[i]}MSP" if i < len(letters) else f"Org{i}MSP" for i in range(count)]


def register_everything(
    network: Network, splits: list[data.Split], rounds: int, inject_failure: bool
) -> tuple[Client, str]:
    """Each organization registers its data; the first registers the functions and the plan."""
    organizations = network.organizations
    projects = project.write_projects(network.root / "projects")
    clients = {org: Client(network.nodes[org]) for org in organizations}
    datasets: dict[str, OrgData] = {}
    for split in splits:
        client = clients[split.organization]
        manager = client.register_data_manager(
            projects["opener"], f"digits of {split.organization}", organizations
        )
        sample_root = network.root / "samples" / split.organization
        train_dir = data.write_sample(sample_root / "train", split.x_train, split.y_train)
        test_dir = data.write_sample(sample_root / "test", split.x_test, split.y_test)
        train_key, test_key = client.register_data_samples(manager.key, [train_dir, test_dir])
        datasets[split.organization] = OrgData(manager.key, [train_key], [test_key])
    owner = clients[organizations[0]]
    keys = {
        role: owner.register_function(
            projects[role], role, spec.inputs, spec.outputs, permissions=organizations
        ).key
        for role, spec in FEDAVG_ROLES
    }
    tasks = fedavg(
        *(keys[role] for role, _ in FEDAVG_ROLES),
        datasets_by_org=datasets,
        rounds=rounds,
        aggregator_org=organizations[0],
    )
    if inject_failure:
        victim = next(
            i
            for i, t in enumerate(tasks)
            if (
                t.function_key == keys["train"]
                and t.worker == organizations[-1]
                and t.metadata.get("round_idx") == "2"
            )
            or (rounds == 1 and t.function_key == keys["train"] and t.worker == organizations[-1])
        )
        tasks[victim] = replace(tasks[victim], metadata={**tasks[victim].metadata, INJECT_FAILURE: "1"})
    plan = owner.register_plan("FedAvg on digits", tasks)
    for org, client in clients.items():
        if org != organizations[0]:
            client.close()
    return owner, plan.key


def progress_table(client: Client, plan_key: str, organizations: list[str]) -> tuple[Table, PlanStatus]:
    tasks = client.tasks(plan_key)
    counts: dict[str, Counter[TaskStatus]] = defaultdict(Counter)
    for task in tasks:
        counts[task.worker][task_status(task)] += 1
    status = derive_status(client.orchestrator.get_plan(plan_key), tasks)
    table = Table(
        title=f"plan {plan_key[:8]}… — {status.state.value}, {status.done}/{status.total} tasks done"
    )
    table.add_column("organization")
    for name, _ in STATUS_COLUMNS:
        table.add_column(name, justify="right")
    for organization in organizations:
        row = counts[organization]
        table.add_row(organization, *(str(sum(row[s] for s in statuses)) for _, statuses in STATUS_COLUMNS))
    return table, status


def follow(
    console: Console, client: Client, plan_key: str, organizations: list[str], timeout: float
) -> PlanStatus:
    deadline = time.monotonic() + timeout
    table, status = progress_table(client, plan_key, organizations)
    with Live(table, console=console, refresh_per_second=4) as live:
        while not status.finished and time.monotonic() < deadline:
            time.sleep(0.5)
            table, status = progress_table(client, plan_key, organizations)
            live.update(table)
    return status


def results(client: Client, plan_key: str, splits: list[data.Split], rounds: int) -> DemoResult:
    per_organization: dict[int, dict[str, float]] = defaultdict(dict)
    for row in client.performances(plan_key):
        per_organization[int(row.round)][row.worker] = row.value
    sizes = {s.organization: len(s.y_test) for s in splits}
    federated = {
        round_number: sum(values[o] * sizes[o] for o in values) / sum(sizes[o] for o in values)
        for round_number, values in per_organization.items()
    }
    status = client.status(plan_key)
    return DemoResult(
        status.state, plan_key, federated, data.central_accuracy(splits, rounds), dict(per_organization)
    )


def report(console: Console, network: Network, client: Client, result: DemoResult) -> None:
    organizations = network.organizations
    table = Table(
        title="accuracy on each organization's test data (FedAvg) vs. the same model trained centrally"
    )
    table.add_column("round", justify="right")
    for organization in organizations:
        table.add_column(organization, justify="right")
    table.add_column("federated (weighted)", justify="right")
    table.add_column("central", justify="right")
    for round_number in sorted(result.federated):
        values = result.per_organization[round_number]
        central = result.central[round_number - 1]
        table.add_row(
            str(round_number),
            *(f"{values[o]:.3f}" if o in values else "—" for o in organizations),
            f"{result.federated[round_number]:.3f}",
            f"{central:.3f}",
        )
    console.print(table)
    ledger = Table(title="ledger: the head each organization's agent verified")
    ledger.add_column("organization")
    ledger.add_column("position", justify="right")
    ledger.add_column("hash")
    cursors = {org: CursorStore(network.nodes[org].cursors_dir).load(org, CHANNEL) for org in organizations}
    for organization, cursor in cursors.items():
        head = cursor.head
        ledger.add_row(
            organization, str(head.position) if head else "—", head.hash[:16] + "…" if head else "—"
        )
    console.print(ledger)
    verification = verify_channel(client.orchestrator)
    console.print(f"podium verify: {'OK' if verification.ok else 'BROKEN'} — {verification.reason}")


def where(console: Console, network: Network, plan_key: str, keep: bool) -> None:
    first = network.nodes[network.organizations[0]]
    env_file = network.root / "cli.env"
    env_file.write_text(
        "".join(
            f"export {k}={v}\n" for k, v in network.node_env(first).items() if k != "PODIUM_ASSET_LISTEN"
        ),
        encoding="utf-8",
    )
    console.print(f"\nEverything is under [bold]{network.root}[/]:")
    console.print(
        f"  orchestrator database  {network.database}  (log: {network.root / 'orchestrator' / 'serve.log'})"
    )
    for organization in network.organizations:
        home = network.nodes[organization].home
        console.print(f"  {organization:<22} {home}  (storage/, agent.log, worker.log)")
    console.print(f"  certificates           {network.pki.root}")
    if keep:
        console.print("\nThe network is still running. Look at it with the CLI, as the first organization:")
        console.print(f"  source {env_file}")
        console.print(f"  podium plan show {plan_key}")
        console.print(f"  podium task list {plan_key}")
        console.print(f"  podium perf {plan_key}")
        console.print("  podium verify")
        pids = " ".join(str(p.popen.pid) for p in network.processes)
        console.print(f"Stop it with: kill {pids}")
    else:
        console.print("\nTo look around with the CLI, run the demo with --keep (the network stays up).")


def show_failure(console: Console, client: Client, plan_key: str) -> None:
    for task in client.tasks(plan_key):
        if task_status(task) is TaskStatus.FAILED:
            report = client.failure_report(task.key)
            kind = failure_report_pb2.ErrorType.Name(report.error_type)
            console.print(f"[red]task {task.key} failed at {task.worker}[/] ({kind}); the end of its log:")
            console.print(client.logs(task.key)[-2000:])
            console.print(f"see it with: podium task logs {task.key}")


def start_dashboard(network: Network) -> str:
    """Start ``podium dashboard`` as the first organization (a process of the network, stopped by pid
    with it) and return its URL once it answers."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {**network.node_env(network.nodes[network.organizations[0]]), "PODIUM_DASHBOARD_LISTEN": url[7:]}
    network._start("dashboard", ["dashboard"], env, network.root / "dashboard.log")

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url + "/api/stream", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    wait_for(answers, 30, "the dashboard", network.check)
    return url


def run_demo(options: DemoOptions, console: Console) -> DemoResult:
    """Run the whole demo; stop every process unless ``options.keep``. Raises on any failure to start."""
    organizations = organization_names(options.organizations)
    if options.workdir.exists():
        shutil.rmtree(options.workdir)
    network = Network(options.workdir.resolve(), organizations)
    console.print(f"Starting an orchestrator and {len(organizations)} organizations under {network.root} …")
    stop = not options.keep
    try:
        network.start()
        console.print(f"orchestrator on {network.target} (mTLS), organizations: {', '.join(organizations)}")
        if options.dashboard:
            console.print(f"dashboard (as {organizations[0]}): [bold]{start_dashboard(network)}[/]")
        splits = data.split_digits(organizations)
        sizes = ", ".join(f"{s.organization}: {len(s.y_train)} train / {len(s.y_test)} test" for s in splits)
        console.print(f"digits split unevenly — {sizes}")
        client, plan_key = register_everything(network, splits, options.rounds, options.inject_failure)
        try:
            status = follow(console, client, plan_key, organizations, options.timeout)
            console.print()
            result = results(client, plan_key, splits, options.rounds)
            if status.state is PlanState.FAILED:
                show_failure(console, client, plan_key)
            report(console, network, client, result)
            where(console, network, plan_key, options.keep)
            return result
        finally:
            client.close()
    except BaseException:
        stop = True
        raise
    finally:
        if stop:
            network.stop()
