"""Entry point of the ``podium`` command; each sub-command lives in its own module."""

import typer

from podium.cli import agent, dashboard, demo, migrate, perf, plan, serve, task, verify, worker

app = typer.Typer(
    name="podium",
    help="podium: a federated-learning orchestrator speaking Substra's orchestrator gRPC API.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("migrate")(migrate.migrate)
app.command("serve")(serve.serve)
app.add_typer(plan.app, name="plan")
app.add_typer(task.app, name="task")
app.command("perf")(perf.perf)
app.command("verify")(verify.verify)
app.add_typer(agent.app, name="agent")
app.command("worker")(worker.worker)
app.command("demo")(demo.demo)
app.command("dashboard")(dashboard.dashboard)


def main() -> None:
    """Run the ``podium`` command line."""
    app()
