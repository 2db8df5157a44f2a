"""``podium migrate``: bring the database schema to the code's revision (or, with ``--status``, show
where it stands)."""

import typer

from podium.store import migrate as migrations


def migrate(
    database_url: str = typer.Option(
        ...,
        "--database-url",
        envvar="PODIUM_DATABASE_URL",
        help="Database URL: postgresql://… or sqlite:///file.db.",
    ),
    status: bool = typer.Option(False, "--status", help="Only show the current and pending revisions."),
) -> None:
    """Bring the database schema to the code's version."""
    try:
        current = migrations.current_revision(database_url)
        todo = migrations.pending(database_url)
    except migrations.SchemaNewerThanCode as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from error
    typer.echo(f"current revision: {current or 'none (empty database)'}")
    typer.echo(f"code revision:    {migrations.head_revision()}")
    typer.echo(f"pending:          {', '.join(todo) if todo else 'none'}")
    if status or not todo:
        return
    migrations.upgrade(database_url)
    typer.echo(f"upgraded to {migrations.current_revision(database_url)}")
