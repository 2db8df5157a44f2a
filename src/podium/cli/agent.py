"""``podium agent``: run an organization's agent; ``podium agent skip-event``: the operator's way past a
poison event. Settings are the ``PODIUM_*`` variables of ``podium.agent.node`` (docs/organization.md);
flags win over them."""

import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from podium.agent.consumer import request_skip
from podium.agent.cursor import CursorStore
from podium.agent.node import ENV_CHANNEL, ENV_HOME, ENV_ORGANIZATION, NodeConfig, NodeConfigError
from podium.agent.service import run_agent

app = typer.Typer(name="agent", help="The organization's agent.", add_completion=False)

Org = Annotated[str | None, typer.Option("--org", envvar=ENV_ORGANIZATION, help="The MSP id.")]
Home = Annotated[Path | None, typer.Option("--home", envvar=ENV_HOME, help="The node's directory.")]
Channel = Annotated[str | None, typer.Option("--channel", envvar=ENV_CHANNEL, help="The channel.")]


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"
    )


def load_config(org: str | None, home: Path | None, channel: str | None) -> NodeConfig:
    try:
        return NodeConfig.from_env(organization=org, home=home, channel=channel)
    except NodeConfigError as error:
        typer.echo(f"podium: {error}", err=True)
        raise typer.Exit(2) from error


@app.callback(invoke_without_command=True)
def agent(
    context: typer.Context,
    org: Org = None,
    home: Home = None,
    channel: Channel = None,
    log_level: Annotated[str, typer.Option(envvar="PODIUM_LOG_LEVEL")] = "info",
) -> None:
    """Follow the channel's events and schedule this organization's work, until SIGTERM/SIGINT."""
    if context.invoked_subcommand is not None:
        return
    configure_logging(log_level)
    config = load_config(org, home, channel)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logging.getLogger("podium.agent").info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    raise typer.Exit(run_agent(config, stop))


@app.command("skip-event")
def skip_event(
    event_id: Annotated[str, typer.Option("--event-id", help="The id of the event to skip.")],
    org: Org = None,
    home: Home = None,
    channel: Channel = None,
) -> None:
    """Let the agent move past a poison event the next time handling it fails (logged at ERROR)."""
    config = load_config(org, home, channel)
    path = request_skip(CursorStore(config.cursors_dir), event_id)
    typer.echo(f"skip requested for event {event_id} ({path})")
