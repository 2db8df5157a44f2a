"""``podium demo``: a real federated training on a local network, with one command."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from podium.demo.network import NetworkError
from podium.sdk.status import PlanState


def demo(
    orgs: Annotated[int, typer.Option("--orgs", min=2, max=8, help="How many organizations.")] = 3,
    rounds: Annotated[int, typer.Option("--rounds", min=1, max=50, help="FedAvg rounds.")] = 5,
    workdir: Annotated[
        Path, typer.Option("--workdir", help="Where the network lives (emptied first).")
    ] = Path("podium-demo"),
    keep: Annotated[bool, typer.Option("--keep", help="Leave the network running at the end.")] = False,
    inject_failure: Annotated[
        bool, typer.Option("--inject-failure", help="Make one training task of the last organization fail.")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the plan.")] = 900.0,
    dashboard: Annotated[
        bool, typer.Option("--dashboard/--no-dashboard", help="Serve the web dashboard (prints its URL).")
    ] = True,
) -> None:
    """Start an orchestrator and ORGS organizations (agents and workers) on this machine with mTLS,
    train a model on scikit-learn's digits with federated averaging, and compare it with central
    training."""
    # Imported here: the demo's data loading pulls in scikit-learn, which every other command of the
    # ``podium`` CLI would otherwise pay for at start-up (seconds).
    from podium.demo.run import DemoOptions, run_demo

    console = Console()
    options = DemoOptions(orgs, rounds, workdir, keep, inject_failure, timeout, dashboard)
    try:
        result = run_demo(options, console)
    except KeyboardInterrupt:
        console.print("\ninterrupted: every process of the demo was stopped")
        raise typer.Exit(130) from None
    except NetworkError as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from None
    expected = PlanState.FAILED if inject_failure else PlanState.DONE
    if result.state is not expected:
        console.print(f"[red]the plan ended {result.state.value}, expected {expected.value}[/]")
        raise typer.Exit(1)
    console.print(f"[green]the plan ended {result.state.value}[/]")
