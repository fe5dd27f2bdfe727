"""Stream presence: a linked channel going live or offline, and subscriptions revoked."""

from __future__ import annotations

from datetime import datetime

from clipnet.domain.clipbot.events import (
    PresenceEvent,
    StreamEnded,
    StreamStarted,
)
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ChannelLinks, DeliveryClaims, EventSubscriptions
from clipnet.ports.clock import Clock


class StreamPresence:
    """Keeps each linked channel's live clock, so ``!clip`` cuts "the last 30 s up to now"."""

    def __init__(
        self,
        claims: DeliveryClaims,
        links: ChannelLinks,
        subscriptions: EventSubscriptions,
        clock: Clock,
    ) -> None:
        self._claims = claims
        self._links = links
        self._subscriptions = subscriptions
        self._clock = clock

    def handle(self, event: PresenceEvent) -> None:
        if isinstance(event, StreamStarted):
            self.stream_started(event.platform, event.channel, event.delivery_id, event.started_at)
        elif isinstance(event, StreamEnded):
            self.stream_ended(event.platform, event.channel, event.delivery_id)
        else:
            self.subscription_revoked(event.platform, event.subscription_id, event.reason)

    def stream_started(
        self, platform: Platform, channel: str, delivery_id: str, started_at: datetime
    ) -> bool:
        """A linked channel went live: ``!clip`` now cuts from the live stream's clock."""
        return self._set_live(platform, channel, delivery_id, started_at)

    def stream_ended(self, platform: Platform, channel: str, delivery_id: str) -> bool:
        return self._set_live(platform, channel, delivery_id, None)

    def subscription_revoked(self, platform: Platform, subscription_id: str, reason: str) -> None:
        self._subscriptions.revoke_subscription(
            platform, subscription_id, reason, self._clock.now()
        )

    def _set_live(
        self, platform: Platform, channel: str, delivery_id: str, since: datetime | None
    ) -> bool:
        if not self._claims.claim(platform, delivery_id, self._clock.now()):
            return False  # a redelivery: the clock was already moved
        link = self._links.find_link(platform, channel)
        if link is not None:
            link.live_since = since
            self._links.save_link(link)
        return True
