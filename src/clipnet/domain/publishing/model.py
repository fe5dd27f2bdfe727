"""Posts: a clip published on a platform."""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import attrs

from clipnet.domain.jobs.model import JsonValue
from clipnet.domain.shared.errors import DomainError, InvalidInput
from clipnet.domain.shared.platforms import Platform

log = logging.getLogger(__name__)


class PostRefused(DomainError):
    """A post cannot be made or changed in the clip's or post's current state (the message
    says why: the clip is not ready, the post went out already, ...)."""

    kind = "post-refused"


class AccountNotLinked(PostRefused):
    """The clip's owner has not linked an account on the platform (OAuth) to post with."""

    kind = "account-not-linked"


class PostStatus(enum.StrEnum):
    """scheduled -> pending -> posting -> posted | failed; scheduled -> cancelled.

    A post asked for now starts pending; one with a ``publish_at`` starts scheduled and its
    job waits in the outbox until then. Only a scheduled post can be cancelled.
    """

    SCHEDULED = "scheduled"
    PENDING = "pending"
    POSTING = "posting"
    POSTED = "posted"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: A post in one of these is done with: a new request for the clip and platform makes another.
ENDED = frozenset({PostStatus.FAILED, PostStatus.CANCELLED})


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
    publish_at: datetime | None = None
    """When a scheduled post goes out (its job's ``run_after``); None: at once."""
    version: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Post) and self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    def start_posting(self) -> None:
        """Its job picked it up (again, after a failed try: it stays posting)."""
        if self.status in (PostStatus.SCHEDULED, PostStatus.PENDING, PostStatus.POSTING):
            self.status = PostStatus.POSTING

    def cancel(self) -> None:
        """A scheduled post that has not gone out never will; anything else is refused."""
        if self.status is not PostStatus.SCHEDULED:
            raise PostRefused(
                f"post {self.id} is {self.status.value}: only a scheduled post that has not "
                "gone out can be cancelled"
            )
        self.status = PostStatus.CANCELLED

    def mark_posted(self, remote_id: str, url: str) -> None:
        self.status, self.remote_id, self.url, self.last_error = (
            PostStatus.POSTED,
            remote_id,
            url,
            "",
        )

    def mark_failed(self, reason: str) -> None:
        """The platform refused the post for good (a new request may try again)."""
        self.status, self.last_error = PostStatus.FAILED, reason[:2000]


def post_status_event(post: Post) -> dict[str, JsonValue]:
    """The ``post.status`` live event's data (the studio contract)."""
    return {
        "post_id": post.id,
        "clip_id": post.clip_id,
        "platform": post.platform.value,
        "status": post.status.value,
        "url": post.url or None,
        "error": post.last_error or None,
    }


#: Each platform's own privacy words (YouTube's ``privacyStatus``, TikTok's ``privacy_level``,
#: lower-cased), from most to least public.
PRIVACY_LEVELS: dict[Platform, tuple[str, ...]] = {
    Platform.YOUTUBE: ("public", "unlisted", "private"),
    Platform.TIKTOK: (
        "public_to_everyone",
        "follower_of_creator",
        "mutual_follow_friends",
        "self_only",
    ),
}


@attrs.frozen
class PostOptions:
    """What goes with one upload besides its words: the creator's choices (each ``None`` or
    empty means the publisher's configured default) and facts about the clip's files.

    A platform ignores what it has no such thing for (TikTok has no category, YouTube no
    duets). ``check_for`` says whether the choices make sense on a platform.
    """

    privacy: str = ""
    """The platform's own word (``PRIVACY_LEVELS``); "" is the configured default."""
    made_for_kids: bool | None = None
    """YouTube's audience declaration (``status.selfDeclaredMadeForKids``)."""
    category_id: str = ""
    """YouTube's ``snippet.categoryId``."""
    tags: tuple[str, ...] = attrs.field(converter=tuple, default=())
    """Tags added to the clip's own hashtags (YouTube ``snippet.tags``)."""
    publish_at: datetime | None = None
    """YouTube: upload private now, publish then (``status.publishAt``); timezone-aware."""
    allow_comments: bool | None = None
    allow_duet: bool | None = None
    allow_stitch: bool | None = None
    """TikTok's interactions; the creator's own disabled settings always win."""
    thumbnail: Path | None = None
    """The clip's thumbnail image (set by the posting service, not by a request)."""
    duration: float | None = None
    """The video's length in seconds (set by the posting service, not by a request)."""

    def check_for(self, platform: Platform) -> None:
        """Raise ``InvalidInput`` naming the first choice that ``platform`` cannot take."""
        levels = PRIVACY_LEVELS.get(platform, ())
        if self.privacy and self.privacy.lower() not in levels:
            raise InvalidInput(
                f"privacy {self.privacy!r} is not one of {platform.value}'s: {', '.join(levels)}"
            )
        if self.publish_at is not None:
            if self.publish_at.utcoffset() is None:
                raise InvalidInput("publish_at needs a timezone (RFC 3339, e.g. ...Z)")
            if self.privacy and self.privacy.lower() != "private":
                raise InvalidInput(
                    "publish_at needs privacy 'private': YouTube keeps a scheduled video "
                    "private and makes it public at that time"
                )
        if self.category_id and not self.category_id.isdigit():
            raise InvalidInput(f"category_id {self.category_id!r} is not a YouTube category id")

    def to_payload(self) -> dict[str, JsonValue]:
        """The creator's choices as a job payload (the clip's facts are not sent along)."""
        payload: dict[str, JsonValue] = {}
        if self.privacy:
            payload["privacy"] = self.privacy
        if self.category_id:
            payload["category_id"] = self.category_id
        if self.tags:
            payload["tags"] = list(self.tags)
        if self.publish_at is not None:
            payload["publish_at"] = self.publish_at.isoformat()
        for name in ("made_for_kids", "allow_comments", "allow_duet", "allow_stitch"):
            value = getattr(self, name)
            if value is not None:
                payload[name] = value
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> PostOptions:
        """Read ``to_payload``'s output back; raises ``InvalidInput`` for a wrong type."""
        flags: dict[str, bool | None] = {}
        for name in ("made_for_kids", "allow_comments", "allow_duet", "allow_stitch"):
            value = payload.get(name)
            if value is not None and not isinstance(value, bool):
                raise InvalidInput(f"{name} must be true or false")
            flags[name] = value
        tags = payload.get("tags", [])
        if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
            raise InvalidInput("tags must be a list of strings")
        publish_at = payload.get("publish_at")
        when = None
        if publish_at is not None:
            try:
                when = datetime.fromisoformat(str(publish_at))
            except ValueError:
                raise InvalidInput(f"publish_at {publish_at!r} is not an RFC 3339 time") from None
        return cls(
            privacy=str(payload.get("privacy", "")),
            category_id=str(payload.get("category_id", "")),
            tags=tuple(tags),
            publish_at=when,
            made_for_kids=flags["made_for_kids"],
            allow_comments=flags["allow_comments"],
            allow_duet=flags["allow_duet"],
            allow_stitch=flags["allow_stitch"],
        )
