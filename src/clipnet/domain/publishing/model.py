"""Posts: a clip published on a platform."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from clipnet.domain.shared.platforms import Platform


class PostStatus(enum.StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    FAILED = "failed"


@attrs.define(slots=False, eq=False)
class Post:
    """One clip on one platform. ``idempotency_key`` makes a redelivered job post once."""

    id: str
    clip_id: str
    platform: Platform
    idempotency_key: str
    created_at: datetime
    status: PostStatus = PostStatus.PENDING
    remote_id: str = ""
    url: str = ""
    last_error: str = ""
    version: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Post) and self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    def mark_posted(self, remote_id: str, url: str) -> None:
        self.status, self.remote_id, self.url, self.last_error = (
            PostStatus.POSTED,
            remote_id,
            url,
            "",
        )
