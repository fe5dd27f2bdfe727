"""Publishing finished clips on video platforms (YouTube, TikTok)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import attrs

from clipnet.domain.metadata import ClipMetadata, Platform
from clipnet.domain.users import OAuthAccount


@attrs.frozen
class Published:
    remote_id: str
    url: str


class Publisher(Protocol):
    platform: Platform

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
    ) -> Published:
        """Upload the clip. Calling twice with one key must not create two posts."""
