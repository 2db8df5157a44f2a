"""No drift between the charts and the code: the migrations Job runs ``podium migrate``, the Deployment
runs ``podium serve``, and every ``PODIUM_*`` variable the chart sets is one that command really reads
(found by introspecting the command line, the single source of the variable names) and is documented
in docs/configuration.md; the organization chart sets only variables of ``podium.agent.node``."""

import re
from pathlib import Path

import pytest
import typer

from podium.agent import node
from podium.api.settings import Settings
from podium.cli.main import app
from tests.deploy.charts import (
    ORCHESTRATOR,
    ORGANIZATION,
    ROOT,
    env_names,
    podium_container,
    render,
    value_sets,
)


def read_by(subcommand: str) -> set[str]:
    """The environment variables ``podium <subcommand>`` reads, from its click parameters."""
    group = typer.main.get_command(app)
    names: set[str] = set()
    for parameter in group.commands[subcommand].params:  # type: ignore[attr-defined]
        envvar = parameter.envvar
        names.update([envvar] if isinstance(envvar, str) else envvar or [])
    return names


def documented() -> set[str]:
    return set(re.findall(r"`(PODIUM_[A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text()))


def test_the_command_line_reads_one_variable_per_setting() -> None:
    # The introspection below is only meaningful if it sees the settings: each field has its variable.
    expected = {f"PODIUM_{name.upper()}" for name in Settings.__dataclass_fields__}
    assert expected <= read_by("serve")
    assert read_by("migrate") == {"PODIUM_DATABASE_URL"}


@pytest.mark.parametrize("value_set", value_sets(ORCHESTRATOR), ids=lambda s: s.name)
def test_the_chart_sets_only_variables_the_code_reads(helm: Path, value_set: object) -> None:
    documents = render(helm, ORCHESTRATOR, value_set.path)  # type: ignore[attr-defined]
    job, migrate = podium_container(documents, "migrate")
    deployment, serve = podium_container(documents, "serve")
    assert job["kind"] == "Job"
    assert deployment["kind"] == "Deployment"
    assert migrate["args"] == ["migrate"]
    assert serve["args"] == ["serve"]
    for container, subcommand in ((migrate, "migrate"), (serve, "serve")):
        podium_vars = {name for name in env_names(container) if name.startswith("PODIUM_")}
        assert podium_vars, subcommand
        assert podium_vars - read_by(subcommand) == set(), f"podium {subcommand} does not read these"
        assert podium_vars - documented() == set(), "docs/configuration.md does not document these"


@pytest.mark.parametrize("value_set", value_sets(ORGANIZATION), ids=lambda s: s.name)
def test_the_organization_chart_sets_only_variables_the_node_reads(helm: Path, value_set: object) -> None:
    documents = render(helm, ORGANIZATION, value_set.path)  # type: ignore[attr-defined]
    for subcommand in ("agent", "worker"):
        _, container = podium_container(documents, subcommand)
        podium_vars = {name for name in env_names(container) if name.startswith("PODIUM_")}
        assert podium_vars, subcommand
        assert podium_vars - set(node.ALL_VARIABLES) == set(), f"podium {subcommand} does not read these"


@pytest.mark.parametrize("subcommand", ["agent", "worker"])
def test_the_organization_commands_exist(subcommand: str) -> None:
    group = typer.main.get_command(app)
    if subcommand not in group.commands:  # type: ignore[attr-defined]
        pytest.skip(f"`podium {subcommand}` is not written yet")
    parameters = group.commands[subcommand].params  # type: ignore[attr-defined]
    assert any("--org" in getattr(parameter, "opts", []) for parameter in parameters)
