"""The container for one CLI command: built from the environment, closed when the command ends,
and any bad setting or refused request reported as one line instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from clipnet.container import Container, build_container
from clipnet.domain.shared.errors import DomainError, ServiceUnavailable
from clipnet.settings import ConfigError, load_settings


@contextmanager
def command_container() -> Iterator[Container]:
    """Exit status 2 for a configuration error, 1 for a domain error or a service that is down
    (the database, Redis), each as one line on stderr."""
    container: Container | None = None
    try:
        container = build_container(load_settings())
        yield container
    except ConfigError as error:
        typer.echo(f"clipnet: configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    except (DomainError, ServiceUnavailable) as error:
        typer.echo(f"clipnet: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        if container is not None:
            container.shutdown_resources()
