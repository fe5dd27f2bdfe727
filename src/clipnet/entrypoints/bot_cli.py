"""``clipnet bot``: tie chat channels to the sources their ``!clip`` commands cut from."""

from __future__ import annotations

from typing import Annotated

import typer

from clipnet.container import build_container
from clipnet.domain.errors import DomainError
from clipnet.domain.metadata import Platform
from clipnet.settings import ConfigError, load_settings

CHAT_PLATFORMS = (Platform.TWITCH, Platform.DISCORD, Platform.X)

bot_app = typer.Typer(
    name="bot",
    help="ClipBOT: link chat channels (Twitch, Discord, X) to sources.",
    no_args_is_help=True,
)


@bot_app.command("link")
def link(
    platform: Annotated[str, typer.Argument(help="twitch, discord or x")],
    channel: Annotated[
        str,
        typer.Argument(help="Twitch broadcaster id, Discord channel id, or the X account id"),
    ],
    source_id: Annotated[str, typer.Argument(help="The source !clip cuts from")],
    live: Annotated[
        bool, typer.Option("--live", help="The source is a stream that is live now.")
    ] = False,
    vote_threshold: Annotated[
        int | None,
        typer.Option(help="Net votes for auto-posting this channel's clips (else the global)."),
    ] = None,
) -> None:
    """Link a chat channel to a source; its !clip commands make clips of that source."""
    chosen = _platform(platform)
    try:
        container = build_container(load_settings())
        made = container.clipbot().link_source(
            chosen, channel, source_id, live=live, vote_threshold=vote_threshold
        )
    except ConfigError as error:
        typer.echo(f"clipnet: configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    except DomainError as error:
        typer.echo(f"clipnet: {error}", err=True)
        raise typer.Exit(1) from None
    kind = "live stream" if made.live_since else "VOD"
    typer.echo(
        f"linked {made.platform.value} channel {made.channel} to {kind} {made.source_id} "
        f"(clips belong to user {made.owner_id})"
    )


def _platform(name: str) -> Platform:
    for platform in CHAT_PLATFORMS:
        if platform.value == name.strip().lower():
            return platform
    typer.echo(f"clipnet: unknown chat platform {name[:20]!r}; use twitch, discord or x", err=True)
    raise typer.Exit(2)
