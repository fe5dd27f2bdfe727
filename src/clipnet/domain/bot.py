"""Chat commands that viewers and streamers send to ClipBOT."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from clipnet.domain.converters import strings
from clipnet.domain.metadata import Platform


class CommandName(enum.StrEnum):
    CLIP = "clip"
    VOTE = "vote"
    UNVOTE = "unvote"
    TOP = "top"
    STATUS = "status"
    HELP = "help"


@attrs.frozen
class BotCommand:
    """One chat command, the same whatever platform it came from."""

    platform: Platform
    channel: str
    """The platform's channel (Twitch broadcaster, Discord channel, X conversation)."""
    user: str
    """The platform user id of the sender."""
    name: CommandName
    args: tuple[str, ...] = attrs.field(converter=strings, default=())
    message_id: str = ""
    """The platform's id of the message, used to de-duplicate redeliveries."""
    received_at: datetime | None = None
