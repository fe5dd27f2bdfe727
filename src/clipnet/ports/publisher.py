"""Publishing finished clips on video platforms (YouTube, TikTok)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import attrs

from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.publishing.model import PostOptions
from clipnet.domain.shared.platforms import Platform


@attrs.frozen
class Published:
    remote_id: str
    url: str


class PublishError(Exception):
    """A platform refused or failed an upload.

    ``permanent`` is True when publishing again cannot help or could post twice (the platform
    refused the video, or took it and is still processing it).
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class TokenExpired(PublishError):
    """The platform refused the account's access token: refresh it (or link the account again)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class Publisher(Protocol):
    platform: Platform

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
        options: PostOptions | None = None,
    ) -> Published:
        """Upload the clip. Calling twice with one key must not create two posts.

        ``options``: the creator's choices for this post and the clip's thumbnail and
        duration; ``None`` (or any field left empty) takes the publisher's configured default.
        """


class UploadSessions(Protocol):
    """Resumable upload sessions by the post's idempotency key, kept where every worker sees
    them (the database).

    A worker killed after the platform took the whole video but before the post was recorded
    leaves only its session behind. The job's next run, in another process, asks that session
    where it stands and finds the video, instead of uploading a second one; a worker killed
    midway has its upload finished from where the platform stands.
    """

    def session_for(self, key: str) -> str | None:
        """The session (its URL) last kept under ``key``, if any."""

    def remember_session(self, key: str, session: str) -> None:
        """Keep ``session`` under ``key``, in place of an earlier one (which expired)."""
