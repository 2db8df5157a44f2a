"""``podium worker``: a Celery worker on the organization's queue (``podium.agent.worker``)."""

from pathlib import Path
from typing import Annotated

import typer

from podium.agent.jobs import TASK_TIMEOUT
from podium.agent.node import ENV_HOME, ENV_ORGANIZATION
from podium.agent.worker import run_worker
from podium.cli.agent import configure_logging, load_config


def worker(
    org: Annotated[str | None, typer.Option("--org", envvar=ENV_ORGANIZATION, help="The MSP id.")] = None,
    home: Annotated[
        Path | None, typer.Option("--home", envvar=ENV_HOME, help="The node's directory.")
    ] = None,
    concurrency: Annotated[
        int, typer.Option(envvar="PODIUM_WORKER_CONCURRENCY", help="Tasks run at once.", min=1)
    ] = 1,
    task_timeout: Annotated[
        float, typer.Option(envvar="PODIUM_TASK_TIMEOUT_SECONDS", help="Time limit of one task.")
    ] = TASK_TIMEOUT,
    log_level: Annotated[str, typer.Option(envvar="PODIUM_LOG_LEVEL")] = "info",
) -> None:
    """Run the organization's tasks and function builds until SIGTERM (warm shutdown)."""
    configure_logging(log_level)
    config = load_config(org, home, None)
    raise typer.Exit(run_worker(config, concurrency=concurrency, task_timeout=task_timeout))
