"""Posts as users ask for them: publish a clip now or at a time, list its posts, cancel a
scheduled one. Object-level authorisation is checked here: another user's clip is not found.

A post is a row (its status, its ``publish_at``) and a ``post:<platform>`` job recorded in
the same transaction. A scheduled post's job waits in the job table (the outbox) with
``run_after = publish_at``: the outbox relay hands a job to the queue only once it is due, so
the schedule lives in the database and survives any worker restart, and the job runner
leaves an early duplicate alone. The handler (``PostingService``) reads the post's status
first, so a post cancelled after its job was queued never goes out.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import attrs

from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.jobs.model import JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.publishing.model import (
    ENDED,
    AccountNotLinked,
    Post,
    PostOptions,
    PostRefused,
    PostStatus,
    post_status_event,
)
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.domain.shared.live import POST_STATUS, LiveEvents
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.repositories import UnitOfWork, UnitOfWorkFactory

#: Which job posts a clip on which platform.
POST_JOB_OF = {Platform.YOUTUBE: JobType.POST_YOUTUBE, Platform.TIKTOK: JobType.POST_TIKTOK}

#: A clip in one of these has a finished video a platform can take.
POSTABLE = frozenset({ClipStatus.READY, ClipStatus.POSTED})

MAX_TITLE, MAX_DESCRIPTION = 100, 5000


def post_key(clip_id: str, platform: Platform, round_: int = 1) -> str:
    """One post per clip and platform, whichever job or delivery asks for it; a post asked
    for again (``again``) is round 2, 3, ... with a key (and so a video) of its own."""
    base = f"post:{platform.value}:{clip_id}"
    return base if round_ <= 1 else f"{base}:{round_}"


@attrs.frozen
class PostRequest:
    """What a person asks for when publishing a clip."""

    platform: Platform
    options: PostOptions = PostOptions()
    """The upload's choices (privacy, ...); its own ``publish_at`` is not used here."""
    publish_at: datetime | None = None
    """Go out then (timezone-aware, in the future); None: at once."""
    title: str = ""
    """Replaces the clip's own title on this platform; "" keeps it."""
    description: str = ""
    """Replaces the generated description; "" keeps it."""
    again: bool = False
    """Post once more even though the clip already has a post on the platform."""


@attrs.frozen
class PostAnswer:
    post: Post
    created: bool
    """False when an existing post came back (the request was a repeat)."""


class PublishingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        clock: Clock,
        ids: IdGenerator,
        platforms: Collection[Platform] = tuple(POST_JOB_OF),
        *,
        events: LiveEvents | None = None,
    ) -> None:
        """``platforms``: those a publisher is configured for. ``status_hook``: told of each
        post made or cancelled here (the ``post.status`` live event)."""
        self._uow = uow
        self._outbox = outbox
        self._clock = clock
        self._ids = ids
        self._platforms = frozenset(platforms) & frozenset(POST_JOB_OF)
        self._events = events or LiveEvents()

    def request(self, actor: Actor, clip_id: str, wanted: PostRequest) -> PostAnswer:
        """Publish the clip on the platform now or at ``publish_at``.

        Idempotent per clip and platform: while the clip has a post there that did not fail
        or get cancelled, that post comes back, unless ``again`` asks for another one.
        """
        self._check(wanted)
        with self._uow() as uow:
            clip = visible_clip(uow, actor, clip_id)
            _require_postable(uow, clip, wanted.platform)
            existing = uow.posts.list_for_clip(clip.id)
            same = [p for p in existing if p.platform is wanted.platform]
            live = [p for p in same if p.status not in ENDED]
            if live and not wanted.again:
                return PostAnswer(live[-1], created=False)
            post = Post(
                id=self._ids.new_id(),
                clip_id=clip.id,
                platform=wanted.platform,
                idempotency_key=post_key(clip.id, wanted.platform, len(same) + 1),
                created_at=self._clock.now(),
                status=PostStatus.SCHEDULED if wanted.publish_at else PostStatus.PENDING,
                publish_at=wanted.publish_at,
            )
            post = uow.posts.add(post)
            job = self._outbox.add(
                uow,
                POST_JOB_OF[wanted.platform],
                _payload(post, wanted),
                job_key(POST_JOB_OF[wanted.platform], clip.id, post.id),
                run_after=wanted.publish_at,
            )
            uow.commit()
        self._events.publish(clip.owner_id, POST_STATUS, post_status_event(post))
        self._outbox.release([job])
        return PostAnswer(post, created=True)

    def list(self, actor: Actor, clip_id: str) -> list[Post]:
        """The clip's posts, oldest first."""
        with self._uow() as uow:
            clip = visible_clip(uow, actor, clip_id)
            return uow.posts.list_for_clip(clip.id)

    def cancel(self, actor: Actor, clip_id: str, post_id: str) -> Post:
        """A scheduled post that has not gone out never will (its job finds it cancelled)."""
        with self._uow() as uow:
            clip = visible_clip(uow, actor, clip_id)
            post = uow.posts.get(post_id)
            if post.clip_id != clip.id:
                raise NotFound("post", post_id)
            post.cancel()
            # The version check stops a job that started posting it meanwhile, or us.
            uow.posts.update(post)
            uow.commit()
        self._events.publish(clip.owner_id, POST_STATUS, post_status_event(post))
        return post

    def _check(self, wanted: PostRequest) -> None:
        if wanted.platform not in self._platforms:
            names = ", ".join(sorted(p.value for p in self._platforms)) or "none"
            raise InvalidInput(
                f"ClipNET cannot post to {wanted.platform.value} (it posts to: {names})"
            )
        wanted.options.check_for(wanted.platform)
        if wanted.publish_at is not None:
            if wanted.publish_at.utcoffset() is None:
                raise InvalidInput("publish_at needs a timezone (RFC 3339, e.g. ...Z)")
            if wanted.publish_at <= self._clock.now():
                raise InvalidInput(
                    f"publish_at {wanted.publish_at.isoformat()} is in the past; "
                    "leave it out to post now"
                )
        if len(wanted.title) > MAX_TITLE:
            raise InvalidInput(f"a post title can be at most {MAX_TITLE} characters")
        if len(wanted.description) > MAX_DESCRIPTION:
            raise InvalidInput(f"a post description can be at most {MAX_DESCRIPTION} characters")


def visible_clip(uow: UnitOfWork, actor: Actor, clip_id: str) -> Clip:
    clip = uow.clips.get(clip_id)
    if not actor.may_see(clip.owner_id):
        raise NotFound("clip", clip_id)  # another user's clip does not exist for you
    return clip


def _require_postable(uow: UnitOfWork, clip: Clip, platform: Platform) -> None:
    if clip.status not in POSTABLE or "video" not in clip.assets:
        raise PostRefused(
            f"clip {clip.id} is {clip.status.value}: only a ready (or posted) clip can be posted"
        )
    if uow.oauth_accounts.find(clip.owner_id, platform) is None:
        raise AccountNotLinked(
            f"no {platform.value} account is linked: link one first "
            f"(POST /oauth/{platform.value}/start, or the studio's accounts page)"
        )


def _payload(post: Post, wanted: PostRequest) -> dict[str, object]:
    # The schedule is the job's run_after, not YouTube's publishAt: the upload happens then.
    options = attrs.evolve(wanted.options, publish_at=None)
    payload: dict[str, object] = {
        "clip_id": post.clip_id,
        "post_id": post.id,
        "options": options.to_payload(),
    }
    if wanted.title:
        payload["title"] = wanted.title
    if wanted.description:
        payload["description"] = wanted.description
    return payload
