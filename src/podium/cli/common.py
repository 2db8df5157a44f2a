"""What the data scientist's and operator's commands share: identity flags (each with its
``PODIUM_*`` variable), opening the SDK client, and turning failures into a message and an exit code.

Exit codes: 0 success; 1 the orchestrator or the SDK refused or failed (message says what to do);
2 the settings are missing or contradictory.
"""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from podium.agent import node as node_settings
from podium.agent.node import NodeConfig, NodeConfigError
from podium.cli.output import error_console
from podium.client import (
    AlreadyExists,
    ClientConfigError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    OrchestratorClient,
    OrchestratorError,
    PermissionDenied,
    RetrySettings,
    TransientError,
    Unauthenticated,
)
from podium.sdk import Client, SdkError

EXIT_FAILED = 1
EXIT_SETTINGS = 2

Org = Annotated[
    str | None,
    typer.Option("--org", envvar=node_settings.ENV_ORGANIZATION, help="Your organization's MSP id."),
]
Channel = Annotated[
    str | None, typer.Option("--channel", envvar=node_settings.ENV_CHANNEL, help="Channel name.")
]
Orchestrator = Annotated[
    str | None,
    typer.Option("--orchestrator", envvar=node_settings.ENV_ORCHESTRATOR, help="Orchestrator host:port."),
]
Home = Annotated[
    Path | None, typer.Option("--home", envvar=node_settings.ENV_HOME, help="Organization home directory.")
]
Insecure = Annotated[
    bool,
    typer.Option("--insecure", envvar=node_settings.ENV_INSECURE, help="Plain-text gRPC (development only)."),
]
TlsCa = Annotated[
    Path | None, typer.Option("--tls-ca", envvar=node_settings.ENV_TLS_CA, help="CA bundle (PEM).")
]
TlsCert = Annotated[
    Path | None,
    typer.Option("--tls-cert", envvar=node_settings.ENV_TLS_CERT, help="Organization certificate (PEM)."),
]
TlsKey = Annotated[
    Path | None, typer.Option("--tls-key", envvar=node_settings.ENV_TLS_KEY, help="Its private key (PEM).")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]

CLI_RETRY = RetrySettings(max_attempts=3, initial_backoff=0.2, max_backoff=1.0, total_timeout=10.0)
"""A command gives up quickly: a person is waiting, and can run it again."""


@dataclasses.dataclass(frozen=True)
class Identity:
    """The identity flags of a command, resolved into a ``NodeConfig`` by ``node``."""

    org: str | None = None
    channel: str | None = None
    orchestrator: str | None = None
    home: Path | None = None
    insecure: bool = False
    tls_ca: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None

    def node(self) -> NodeConfig:
        """The organization's settings: flags over ``PODIUM_*`` variables over defaults.

        Raises:
            NodeConfigError: a missing or contradictory setting.
        """
        return NodeConfig.from_env(
            None,
            organization=self.org,
            channel=self.channel,
            orchestrator=self.orchestrator,
            home=self.home,
            insecure=self.insecure or None,
            tls_ca=self.tls_ca,
            tls_cert=self.tls_cert,
            tls_key=self.tls_key,
        )


@contextmanager
def sdk_client(identity: Identity, channel: str | None = None) -> Iterator[Client]:
    """An SDK client for the command; every failure inside becomes a message and an exit code."""
    with failures():
        node = identity.node()
        if channel:
            node = dataclasses.replace(node, channel=channel)
        config = dataclasses.replace(node.client_config(), retry=CLI_RETRY, call_timeout=30.0)
        with OrchestratorClient(config) as orchestrator:
            yield Client(node, orchestrator=orchestrator)


def fail(message: str, hint: str = "", code: int = EXIT_FAILED) -> NoReturn:
    """Print ``error: message`` (and a hint) on stderr and exit with ``code``."""
    error_console().print(f"[bold red]error:[/] {message}", highlight=False)
    if hint:
        error_console().print(f"[dim]hint:[/] {hint}", highlight=False)
    raise typer.Exit(code)


def _hint(error: OrchestratorError) -> str:
    if isinstance(error, NotFound):
        return "check the key (list keys with `podium plan list` or `podium task list PLAN`)"
    if isinstance(error, TransientError):
        return (
            "is the orchestrator running there? set --orchestrator / PODIUM_ORCHESTRATOR_TARGET, "
            "and --insecure or the TLS files to match the server"
        )
    if isinstance(error, PermissionDenied | Unauthenticated):
        return (
            "check --org and --channel (the organization must be a member of the channel) and the certificate"
        )
    if isinstance(error, InvalidArgument | FailedPrecondition | AlreadyExists):
        return "the orchestrator refused the request as it stands; the message says which rule"
    return ""


@contextmanager
def failures() -> Iterator[None]:
    """Turn the failures of a command into ``error: …`` on stderr and an exit code (no traceback)."""
    try:
        yield
    except (NodeConfigError, ClientConfigError) as error:
        fail(
            str(error),
            "see `podium <command> --help` for the flags and their PODIUM_* variables",
            EXIT_SETTINGS,
        )
    except OrchestratorError as error:
        code = getattr(error.code, "name", str(error.code))
        prefix = f"{error.oe_code}: " if error.oe_code else ""
        fail(f"{code}: {prefix}{error.message}", _hint(error))
    except SdkError as error:
        fail(str(error))
