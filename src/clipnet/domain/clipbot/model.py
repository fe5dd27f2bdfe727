"""What ClipBOT deals in: chat commands, the channels it lives in, viewers' votes."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

import attrs

from clipnet.domain.shared.converters import strings
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.secrets import SecretBox

# -- commands ------------------------------------------------------------------------------------


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


# -- channels ------------------------------------------------------------------------------------

#: Discord answers to a slash command go to the interaction's webhook, named by its token.
INTERACTION_PREFIX = "interaction:"
#: An interaction token sealed with the SecretBox: how it is kept in job payloads and the bot
#: store (a token lets anyone post as the bot for 15 minutes), opened only to send the answer.
SEALED_INTERACTION_PREFIX = INTERACTION_PREFIX + "sealed:"


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

    @property
    def is_sealed(self) -> bool:
        return self.reply_to.startswith(SEALED_INTERACTION_PREFIX)

    def sealed(self, box: SecretBox) -> ReplyTarget:
        """The target with its interaction token sealed (any other target as it is)."""
        if not self.is_interaction or self.is_sealed:
            return self
        token = self.reply_to.removeprefix(INTERACTION_PREFIX)
        return attrs.evolve(self, reply_to=SEALED_INTERACTION_PREFIX + box.seal(token))

    def opened(self, box: SecretBox) -> ReplyTarget:
        """The target with its interaction token readable again, to send the answer.

        Raises ``ValueError`` when the token was sealed with a key this box no longer holds.
        """
        if not self.is_sealed:
            return self
        token = box.open(self.reply_to.removeprefix(SEALED_INTERACTION_PREFIX))
        return attrs.evolve(self, reply_to=INTERACTION_PREFIX + token)


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


# -- votes ---------------------------------------------------------------------------------------


class Direction(enum.IntEnum):
    DOWN = -1
    UP = 1


@attrs.frozen
class VoterKey:
    """Who voted on what: one vote per (clip, platform, platform user)."""

    clip_id: str
    platform: Platform
    platform_user: str


@attrs.frozen
class Vote:
    """A viewer's current vote on a clip."""

    clip_id: str
    platform: Platform
    platform_user: str
    direction: Direction
    cast_at: datetime

    @property
    def key(self) -> VoterKey:
        return VoterKey(self.clip_id, self.platform, self.platform_user)


@attrs.frozen
class Tally:
    """The count of current votes on a clip."""

    up: int = 0
    down: int = 0

    @property
    def net(self) -> int:
        return self.up - self.down

    @property
    def voters(self) -> int:
        return self.up + self.down

    @classmethod
    def of(cls, votes: Iterable[Vote]) -> Tally:
        up = down = 0
        for vote in votes:
            if vote.direction is Direction.UP:
                up += 1
            else:
                down += 1
        return cls(up, down)
