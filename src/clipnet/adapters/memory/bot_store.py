"""ClipBOT's memory in a dict, with the same atomicity promises as the SQL store."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

import attrs

from clipnet.domain.clipbot.cooldowns import seconds_left
from clipnet.domain.clipbot.model import ChannelLink, Cooldown, ReplyTarget
from clipnet.domain.shared.platforms import Platform


class InMemoryBotStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[tuple[Platform, str], datetime] = {}
        self._links: dict[tuple[Platform, str], ChannelLink] = {}
        self._requests: dict[str, ReplyTarget] = {}
        self._sent: dict[str, str] = {}
        self._cooldowns: dict[str, datetime] = {}
        self._revoked: dict[tuple[Platform, str], str] = {}

    def claim(self, platform: Platform, delivery_id: str, at: datetime) -> bool:
        with self._lock:
            if (platform, delivery_id) in self._claims:
                return False
            self._claims[(platform, delivery_id)] = at
            return True

    def release(self, platform: Platform, delivery_id: str) -> None:
        with self._lock:
            self._claims.pop((platform, delivery_id), None)

    def save_link(self, link: ChannelLink) -> None:
        with self._lock:
            self._links[(link.platform, link.channel)] = attrs.evolve(link)

    def find_link(self, platform: Platform, channel: str) -> ChannelLink | None:
        with self._lock:
            link = self._links.get((platform, channel))
            return None if link is None else attrs.evolve(link)

    def links_for_source(self, source_id: str) -> list[ChannelLink]:
        return [x for x in self.all_links() if x.source_id == source_id]

    def all_links(self) -> list[ChannelLink]:
        with self._lock:
            found = [attrs.evolve(x) for x in self._links.values()]
        return sorted(found, key=lambda x: (x.platform.value, x.channel))

    def remove_link(self, platform: Platform, channel: str) -> bool:
        with self._lock:
            return self._links.pop((platform, channel), None) is not None

    def remember_request(self, clip_id: str, target: ReplyTarget) -> None:
        with self._lock:
            self._requests[clip_id] = target

    def request_for(self, clip_id: str) -> ReplyTarget | None:
        with self._lock:
            return self._requests.get(clip_id)

    def sent_message(self, key: str) -> str | None:
        with self._lock:
            return self._sent.get(key)

    def record_sent(self, key: str, message_id: str) -> None:
        with self._lock:
            self._sent.setdefault(key, message_id)

    def take_cooldowns(self, slots: Sequence[Cooldown], now: datetime) -> float:
        with self._lock:
            wait = max(
                (seconds_left(self._cooldowns.get(s.key), now, s.seconds) for s in slots),
                default=0.0,
            )
            if wait > 0:
                return wait
            for slot in slots:
                self._cooldowns[slot.key] = now
            return 0.0

    def revoke_subscription(
        self, platform: Platform, subscription_id: str, reason: str, at: datetime
    ) -> None:
        with self._lock:
            self._revoked.setdefault((platform, subscription_id), reason)

    def revoked_subscriptions(self, platform: Platform) -> dict[str, str]:
        with self._lock:
            return {sid: why for (p, sid), why in self._revoked.items() if p is platform}
