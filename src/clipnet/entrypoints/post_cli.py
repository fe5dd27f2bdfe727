"""``clipnet post`` and ``clipnet trim``: the API's publish and trim, from the command line.

The command line is the operator's (like ``clipnet jobs``): it reaches every user's clips and
posts with the clip owner's linked account. Both call the same domain services as the API.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated

import typer

from clipnet.domain.publishing.model import PostOptions
from clipnet.domain.publishing.service import PostRequest
from clipnet.domain.shared.access import Actor, Role
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.command_container import command_container

OPERATOR = Actor("operator", Role.ADMIN)
"""Who the command line acts as: the operator, who may see every clip."""

_RELATIVE = re.compile(r"^\+(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
POSTABLE_PLATFORMS = ("youtube", "tiktok")


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """``+30s``/``+10m``/``+2h``/``+1d`` from now, or an ISO 8601 time (without a timezone:
    this machine's local time). ``InvalidInput`` naming the forms otherwise."""
    now = now or datetime.now().astimezone()
    relative = _RELATIVE.match(text.strip())
    if relative:
        amount, unit = float(relative.group(1)), _UNITS[relative.group(2)]
        return now + timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"--at {text!r} is not a time: give e.g. 2026-12-24T18:00:00+01:00, "
            "2026-12-24 18:00 (local time) or +10m"
        ) from None
    return moment if moment.utcoffset() is not None else moment.astimezone()


def post(
    clip_id: Annotated[str, typer.Argument(help="The clip's id (see GET /clips).")],
    to: Annotated[
        str, typer.Option("--to", help="Where to post: youtube or tiktok.", show_default=False)
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Post then instead of now: an ISO 8601 time (no timezone: local time) or "
            "+30s, +10m, +2h, +1d. Until then the post is scheduled and can be cancelled.",
        ),
    ] = None,
    privacy: Annotated[
        str,
        typer.Option(
            help="The platform's own word: YouTube public/unlisted/private; TikTok "
            "public_to_everyone, follower_of_creator, mutual_follow_friends, self_only. "
            "Default: the configured one."
        ),
    ] = "",
    title: Annotated[str, typer.Option(help="This post's title instead of the clip's.")] = "",
    again: Annotated[
        bool, typer.Option("--again", help="Post once more although it was posted there.")
    ] = False,
) -> None:
    """Publish a ready clip on YouTube or TikTok, now or at a time (the owner's linked account
    posts it; the worker sends it: `clipnet worker`, or `clipnet serve` when embedded)."""
    with command_container() as container:
        platform = _platform(to)
        wanted = PostRequest(
            platform=platform,
            options=PostOptions(privacy=privacy),
            publish_at=parse_when(at) if at else None,
            title=title,
            again=again,
        )
        answer = container.publishing_service().request(OPERATOR, clip_id, wanted)
    made = answer.post
    if not answer.created:
        typer.echo(f"clip {clip_id} already has post {made.id} on {to}: {made.status.value}")
        return
    when = f" at {made.publish_at.isoformat()}" if made.publish_at else ""
    typer.echo(f"post {made.id}: clip {clip_id} goes to {to}{when} ({made.status.value})")


def trim(
    clip_id: Annotated[str, typer.Argument(help="The clip's id (see GET /clips).")],
    start: Annotated[
        float, typer.Option(help="New start, seconds in the source.", show_default=False)
    ],
    end: Annotated[float, typer.Option(help="New end, seconds in the source.", show_default=False)],
) -> None:
    """Trim (or extend, within the source) a ready clip and render it again."""
    with command_container() as container:
        if end <= start:
            raise InvalidInput(f"--end ({end:g}) must be after --start ({start:g})")
        change = container.clips_service().update(OPERATOR, clip_id, span=TimeSpan(start, end))
    clip = change.clip
    state = "rendering again" if change.rerendering else clip.status.value
    typer.echo(f"clip {clip.id} now {clip.span.start:g}-{clip.span.end:g} s: {state}")


def _platform(name: str) -> Platform:
    if name.lower() not in POSTABLE_PLATFORMS:
        raise InvalidInput(f"--to {name!r}: ClipNET posts to {' or '.join(POSTABLE_PLATFORMS)}")
    return Platform(name.lower())
