"""Small constructors of domain objects with sensible defaults, for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from clipnet.domain.accounts.model import OAuthAccount, User
from clipnet.domain.clips.model import Clip
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.publishing.model import Post
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import Source, SourceKind

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def a_user(user_id: str = "user-1", **changes: Any) -> User:
    return User(**{"id": user_id, "email": f"{user_id}@example.com", "created_at": T0, **changes})


def a_source(source_id: str = "source-1", owner_id: str = "user-1", **changes: Any) -> Source:
    fields = {
        "id": source_id,
        "owner_id": owner_id,
        "kind": SourceKind.UPLOAD,
        "location": f"sources/{source_id}.mp4",
        "created_at": T0,
        "duration": 600.0,
        "channel": "channel-1",
    }
    return Source(**{**fields, **changes})


def a_clip(clip_id: str = "clip-1", source_id: str = "source-1", **changes: Any) -> Clip:
    fields = {
        "id": clip_id,
        "source_id": source_id,
        "owner_id": "user-1",
        "span": TimeSpan(10, 40),
        "created_at": T0,
    }
    return Clip(**{**fields, **changes})


def a_job(job_id: str = "job-1", key: str = "", **changes: Any) -> Job:
    fields = {
        "id": job_id,
        "type": JobType.CLIP_PROCESS,
        "idempotency_key": key or f"key-{job_id}",
        "created_at": T0,
        "payload": {"clip_id": "clip-1"},
    }
    return Job(**{**fields, **changes})


def a_post(post_id: str = "post-1", clip_id: str = "clip-1", **changes: Any) -> Post:
    fields = {
        "id": post_id,
        "clip_id": clip_id,
        "platform": Platform.YOUTUBE,
        "idempotency_key": f"post:{clip_id}:{post_id}",
        "created_at": T0,
    }
    return Post(**{**fields, **changes})


def an_account(user_id: str = "user-1", **changes: Any) -> OAuthAccount:
    fields = {
        "id": f"acct-{user_id}",
        "user_id": user_id,
        "provider": Platform.TWITCH,
        "provider_user_id": f"tw-{user_id}",
        "access_token": "access-secret-token",
        "refresh_token": "refresh-secret-token",
        "created_at": T0,
        "expires_at": at(3600),
        "scopes": ("chat:read", "clips:edit"),
    }
    return OAuthAccount(**{**fields, **changes})
