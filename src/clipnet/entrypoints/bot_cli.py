"""``clipnet bot``: tie chat channels to the sources their ``!clip`` commands cut from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from clipnet.domain.clipbot.channel_admin import ChannelAdmin
from clipnet.domain.clipbot.model import ChannelLink
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.command_container import command_container

T = TypeVar("T")

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
    source_id: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="The source !clip cuts from: its id, or a VOD link (Twitch, YouTube, Kick, a "
            "media URL) to register for --owner",
        ),
    ],
    live: Annotated[
        bool, typer.Option("--live", help="The source is a stream that is live now.")
    ] = False,
    vote_threshold: Annotated[
        int | None,
        typer.Option(help="Net votes for auto-posting this channel's clips (else the global)."),
    ] = None,
    owner: Annotated[
        str,
        typer.Option(
            "--owner", metavar="EMAIL", help="For a VOD link: the user its clips belong to."
        ),
    ] = "",
) -> None:
    """Link a chat channel to a source; its !clip commands make clips of that source."""
    chosen = _platform(platform)
    if "://" not in source_id:
        made = _with_admin(
            lambda admin: admin.link_source(
                chosen, channel, source_id, live=live, vote_threshold=vote_threshold
            )
        )
    elif not owner or live:
        typer.echo("clipnet: a VOD link needs --owner EMAIL and is never --live", err=True)
        raise typer.Exit(2)
    else:
        made = _with_admin(
            lambda admin: admin.link_vod(
                chosen, channel, source_id, owner, vote_threshold=vote_threshold
            )
        )
    typer.echo(
        f"linked {made.platform.value} channel {made.channel} to {_kind(made)} {made.source_id} "
        f"(clips belong to user {made.owner_id})"
    )


@bot_app.command("links")
def links() -> None:
    """List the linked chat channels and the sources they cut from."""
    found = _with_admin(lambda admin: admin.links())
    if not found:
        typer.echo("no chat channel is linked yet; see: clipnet bot link --help")
        return
    rows = [("PLATFORM", "CHANNEL", "SOURCE", "KIND", "OWNER", "VOTES TO POST")]
    rows += [
        (
            x.platform.value,
            x.channel,
            x.source_id,
            _kind(x),
            x.owner_id,
            str(x.vote_threshold) if x.vote_threshold is not None else "global",
        )
        for x in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        typer.echo("  ".join(cells).rstrip())


@bot_app.command("unlink")
def unlink(
    platform: Annotated[str, typer.Argument(help="twitch, discord or x")],
    channel: Annotated[str, typer.Argument(help="The channel id given to `clipnet bot link`")],
) -> None:
    """Untie a chat channel from its source; its !clip commands are ignored from then on."""
    chosen = _platform(platform)
    _with_admin(lambda admin: admin.unlink(chosen, channel))
    typer.echo(f"unlinked {chosen.value} channel {channel}")


def _with_admin(work: Callable[[ChannelAdmin], T]) -> T:
    """``work`` done with this installation's channel admin; a bad setting or a refusal is one
    line."""
    with command_container() as container:
        return work(container.channel_admin())


def _kind(link: ChannelLink) -> str:
    return "live stream" if link.live_since else "VOD"


def _platform(name: str) -> Platform:
    for platform in CHAT_PLATFORMS:
        if platform.value == name.strip().lower():
            return platform
    typer.echo(f"clipnet: unknown chat platform {name[:20]!r}; use twitch, discord or x", err=True)
    raise typer.Exit(2)
