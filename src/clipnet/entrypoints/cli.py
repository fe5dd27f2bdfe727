"""The ``clipnet`` command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Annotated

import typer

from clipnet import __version__
from clipnet.domain.clipbot.replies import reply_summary
from clipnet.entrypoints.bot_cli import bot_app
from clipnet.entrypoints.clip_cli import clip, sample
from clipnet.entrypoints.db_cli import db_app
from clipnet.entrypoints.jobs_cli import jobs_app
from clipnet.entrypoints.logs import configure_logging
from clipnet.entrypoints.post_cli import post, trim
from clipnet.settings import ConfigError, Settings, load_settings

app = typer.Typer(
    name="clipnet",
    help="ClipNET: turn long stream recordings into short, scored, polished clips.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")
app.add_typer(bot_app, name="bot")
app.command()(clip)
app.command()(sample)
app.command()(post)
app.command()(trim)


def settings_or_exit(overrides: Mapping[str, str] | None = None) -> Settings:
    """The settings (``overrides`` replacing variables of the environment, as a command's
    options do), or a one-line message naming the bad variable and exit status 2."""
    try:
        return load_settings({**os.environ, **overrides} if overrides else None)
    except ConfigError as error:
        typer.echo(f"clipnet: configuration error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def version() -> None:
    """Print ClipNET's version."""
    typer.echo(f"clipnet {__version__}")


@app.command()
def config(
    show_docs: Annotated[
        bool, typer.Option("--docs", help="Also print what each setting is for.")
    ] = False,
) -> None:
    """Print the effective settings (secrets masked), one CLIPNET_* variable a line, then
    the chat platforms ClipBOT can answer on."""
    settings = settings_or_exit()
    rows = settings.describe()
    width = max(len(name) for name, _, _ in rows)
    for name, value, doc in rows:
        line = f"{name.ljust(width)}  {value}"
        typer.echo(f"{line.ljust(width + 40)}  # {doc}" if show_docs and doc else line)
    typer.echo(f"# {reply_summary(settings.bot.reply_platforms)}")


@app.command()
def worker(
    processes: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes [CLIPNET_WORKER_PROCESSES]"),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(min=1, help="Threads per queue group [CLIPNET_WORKER_CONCURRENCY]"),
    ] = None,
) -> None:
    """Run background jobs for the configured profile until SIGTERM or Ctrl-C."""
    options = {
        "CLIPNET_WORKER_PROCESSES": None if processes is None else str(processes),
        "CLIPNET_WORKER_CONCURRENCY": None if threads is None else str(threads),
    }
    settings = settings_or_exit({name: value for name, value in options.items() if value})
    configure_logging(settings)
    if settings.queue.processes > 1:
        from clipnet.entrypoints.worker_processes import supervise

        raise typer.Exit(supervise(settings.queue.processes, settings.queue.concurrency))

    from clipnet.container import build_container  # heavy: only this command needs it
    from clipnet.entrypoints.worker import WorkerUnavailable, serve_jobs

    try:
        serve_jobs(build_container(settings))
    except WorkerUnavailable as error:
        typer.echo(f"clipnet: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [CLIPNET_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [CLIPNET_PORT]")] = None,
) -> None:
    """Run the HTTP API (and, on the embedded profile, the job worker) until Ctrl-C."""
    from clipnet.entrypoints.serve import serve as run_server  # heavy: only this command

    # The options are the variables: read with them, so that a public URL that is not set
    # follows the address and port the server really listens on.
    options = {"CLIPNET_HOST": host, "CLIPNET_PORT": None if port is None else str(port)}
    settings = settings_or_exit({name: value for name, value in options.items() if value})
    configure_logging(settings)
    run_server(settings, settings.api.host, settings.api.port)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("clipnet: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
