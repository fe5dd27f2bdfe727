"""What ClipBOT remembers between webhook deliveries (in the database, shared by processes).

One small Protocol per concern, so each service names only the memory it uses; ``BotStore``
is all of them together, which is what the adapters implement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from clipnet.domain.clipbot.model import ChannelLink, Cooldown, ReplyTarget
from clipnet.domain.shared.platforms import Platform


class DeliveryClaims(Protocol):
    """Webhook deliveries already handled (platforms redeliver; each has its effect once)."""

    def claim(self, platform: Platform, delivery_id: str, at: datetime) -> bool:
        """Record a webhook delivery; False when it was recorded before (a redelivery).

        Concurrent claims of one id have exactly one winner (a primary key decides).
        """

    def release(self, platform: Platform, delivery_id: str) -> None:
        """Forget a claim whose work failed, so the platform's redelivery is handled."""


class ChannelLinks(Protocol):
    """Which chat channel cuts its ``!clip`` commands from which source."""

    def save_link(self, link: ChannelLink) -> None:
        """Insert or replace the link of ``(link.platform, link.channel)``."""

    def find_link(self, platform: Platform, channel: str) -> ChannelLink | None:
        """The channel's link, if it has one."""

    def links_for_source(self, source_id: str) -> list[ChannelLink]:
        """Every channel linked to the source."""

    def all_links(self) -> list[ChannelLink]:
        """Every link, by platform and channel."""

    def remove_link(self, platform: Platform, channel: str) -> bool:
        """Forget the channel's link; False when it had none."""


class ClipRequests(Protocol):
    """Who asked for which clip in chat, so its notifications find their way back."""

    def remember_request(self, clip_id: str, target: ReplyTarget) -> None:
        """Who asked for a clip in chat, so its notifications find their way back."""

    def request_for(self, clip_id: str) -> ReplyTarget | None:
        """Where the clip was asked for, if it came from chat."""


class SentMessages(Protocol):
    """The ledger of messages (and platform clips) already sent, by idempotency key."""

    def sent_message(self, key: str) -> str | None:
        """The platform message id sent under an idempotency key, if it was sent."""

    def record_sent(self, key: str, message_id: str) -> None:
        """Remember that the message under ``key`` went out (a second record is ignored)."""


class CommandCooldowns(Protocol):
    """When each user and channel may next use a command."""

    def take_cooldowns(self, slots: Sequence[Cooldown], now: datetime) -> float:
        """Use every slot at ``now`` and return 0, or none and return the seconds still to wait.

        All or nothing and atomic, so two processes cannot both get through one slot.
        """


class EventSubscriptions(Protocol):
    """The platforms' event subscriptions that were revoked, and why."""

    def revoke_subscription(
        self, platform: Platform, subscription_id: str, reason: str, at: datetime
    ) -> None:
        """Mark a platform's event subscription revoked (idempotent)."""

    def revoked_subscriptions(self, platform: Platform) -> dict[str, str]:
        """Revoked subscription id -> the platform's reason."""


class BotStore(
    DeliveryClaims,
    ChannelLinks,
    ClipRequests,
    SentMessages,
    CommandCooldowns,
    EventSubscriptions,
    Protocol,
):
    """All of ClipBOT's memory. Every method is its own transaction; the claims rely on
    uniqueness constraints."""


class ChatSendError(Exception):
    """A chat platform refused or failed a message.

    ``permanent`` is True when sending again cannot help (bad channel, revoked token).
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
