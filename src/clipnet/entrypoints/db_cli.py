"""``clipnet db``: the database schema's migrations (upgrade, current, downgrade)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from alembic.util.exc import CommandError

from clipnet.adapters.sqlalchemy import DatabaseUnavailable, SqlDatabase
from clipnet.container import Container
from clipnet.container.core import database_backend
from clipnet.settings import ConfigError, load_settings

T = TypeVar("T")

db_app = typer.Typer(
    name="db",
    help="The database schema: apply migrations and show the current revision.",
    no_args_is_help=True,
)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """A bad setting or an unreachable database ends the command with one line, not a trace."""
    try:
        yield
    except ConfigError as error:
        typer.echo(f"clipnet: configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    except DatabaseUnavailable as error:
        typer.echo(f"clipnet: {error}", err=True)
        raise typer.Exit(1) from None
    except CommandError as error:
        typer.echo(f"clipnet: migration error: {error}", err=True)
        raise typer.Exit(2) from None


def _with_database(action: Callable[[SqlDatabase], T]) -> T:
    with _one_line_errors():
        settings = load_settings()
        if database_backend(settings.database.url) == "memory":
            typer.echo("clipnet: CLIPNET_DATABASE_URL is memory://, which has no schema", err=True)
            raise typer.Exit(2)
        container = Container(settings=settings)
        try:
            return action(container.database())
        finally:
            container.shutdown_resources()  # closes the connection pool


def _describe(database: SqlDatabase) -> str:
    current, head = database.current_revision(), database.head_revision()
    if current is None:
        return f"database {database.where} is empty (run `clipnet db upgrade`)"
    state = "the newest" if current == head else f"not the newest ({head})"
    return f"database {database.where} is at revision {current}, {state}"


@db_app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the migrations up to REVISION (default: the newest). Safe to run again."""

    def run(database: SqlDatabase) -> str:
        database.upgrade(revision)
        return _describe(database)

    typer.echo(_with_database(run))


@db_app.command()
def current() -> None:
    """Print the schema's revision and whether it is the newest."""
    typer.echo(_with_database(_describe))


@db_app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base (drops all).")],
) -> None:
    """Undo migrations down to REVISION. Data in dropped tables is lost."""

    def run(database: SqlDatabase) -> str:
        database.downgrade(revision)
        return _describe(database)

    typer.echo(_with_database(run))
