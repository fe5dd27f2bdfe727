"""What the chat platforms tell ClipBOT, as domain events (the adapters translate into these)."""

from __future__ import annotations

from datetime import datetime

import attrs

from clipnet.domain.clipbot.model import ChatMessage
from clipnet.domain.shared.platforms import Platform


@attrs.frozen
class StreamStarted:
    """A channel went live (Twitch ``stream.online``)."""

    platform: Platform
    channel: str
    delivery_id: str
    started_at: datetime


@attrs.frozen
class StreamEnded:
    """A channel went offline (Twitch ``stream.offline``)."""

    platform: Platform
    channel: str
    delivery_id: str


@attrs.frozen
class SubscriptionRevoked:
    """The platform stopped an event subscription (Twitch ``revocation``)."""

    platform: Platform
    subscription_id: str
    reason: str


PresenceEvent = StreamStarted | StreamEnded | SubscriptionRevoked
BotEvent = ChatMessage | PresenceEvent
"""Everything a webhook delivery can carry into ClipBOT."""
