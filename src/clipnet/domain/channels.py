"""What ClipBOT knows about the chats it lives in: linked channels and where to answer."""

from __future__ import annotations

from datetime import datetime

import attrs

from clipnet.domain.metadata import Platform

#: Discord answers to a slash command go to the interaction's webhook, named by its token.
INTERACTION_PREFIX = "interaction:"


@attrs.define(slots=False, eq=False)
class ChannelLink:
    """A platform channel tied to the ClipNET source its ``!clip`` commands cut from."""

    platform: Platform
    channel: str
    """The platform's channel id (Twitch broadcaster id, Discord channel id, X account id)."""
    owner_id: str
    """The ClipNET user who owns the clips made from this channel."""
    source_id: str
    """The live stream or VOD that ``!clip`` cuts from."""
    live_since: datetime | None = None
    """When the linked live stream began; ``None`` means a VOD: ``!clip`` takes its end."""
    vote_threshold: int | None = None
    """Net votes for auto-posting in this channel; ``None`` means the global setting."""


@attrs.frozen
class ReplyTarget:
    """Where an answer goes: a channel, optionally as a reply to one message."""

    platform: Platform
    channel: str
    reply_to: str = ""
    """The message answered (a chat message or tweet id, or ``interaction:<token>``)."""
    user: str = ""
    """The platform user who asked (for mentions in later notifications)."""

    @property
    def is_interaction(self) -> bool:
        return self.reply_to.startswith(INTERACTION_PREFIX)

    def in_channel(self) -> ReplyTarget:
        """The same channel without the (short-lived) interaction token."""
        reply_to = "" if self.is_interaction else self.reply_to
        return attrs.evolve(self, reply_to=reply_to)


@attrs.frozen
class ChatMessage:
    """One chat message addressed to ClipBOT, whatever platform it came from."""

    target: ReplyTarget
    """Where it was said (and so where the answer goes); ``target.user`` is the sender."""
    text: str
    delivery_id: str
    """The platform's id of this delivery; a redelivery carries the same id."""
    received_at: datetime | None = None

    @property
    def platform(self) -> Platform:
        return self.target.platform


@attrs.frozen
class Cooldown:
    """One rate-limit slot: a key that may be used once per ``seconds``."""

    key: str
    seconds: float


@attrs.frozen
class PlatformClip:
    """A clip the streaming platform made itself (Twitch's own clips)."""

    id: str
    channel: str
    """The broadcaster whose stream it was cut from."""
    url: str = ""
    """The clip's page on the platform."""
    title: str = ""
    duration: float = 0.0
    """Seconds."""
