"""Entry point of the ``podium`` command; each sub-command lives in its own module."""

import typer

from podium.cli import migrate, serve

app = typer.Typer(
    name="podium",
    help="podium: a federated-learning orchestrator speaking Substra's orchestrator gRPC API.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("migrate")(migrate.migrate)
app.command("serve")(serve.serve)


def main() -> None:
    """Run the ``podium`` command line."""
    app()
