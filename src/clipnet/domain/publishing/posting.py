"""The ``post:youtube`` and ``post:tiktok`` job handlers: publish a ready clip, once.

Delivery is at least once, so a post job may run twice (a worker killed after uploading but
before recording it). Two keys make that harmless: the post row's idempotency key (one post
per clip and platform, found again on the second run) and the same key handed to the
publisher, which must not create a second video for a key it has already seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

import attrs

from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.highlights.hallucinations import spoken_only
from clipnet.domain.highlights.metadata import ClipMetadata, build_metadata
from clipnet.domain.jobs.model import Job
from clipnet.domain.publishing.model import (
    Post,
    PostOptions,
    PostStatus,
    post_status_event,
)
from clipnet.domain.publishing.service import POST_JOB_OF, POSTABLE, post_key
from clipnet.domain.shared.errors import InvalidInput, NotFound, PermanentJobError
from clipnet.domain.shared.live import POST_STATUS, LiveEvents
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.publisher import Publisher, PublishError
from clipnet.ports.repositories import UnitOfWork, UnitOfWorkFactory
from clipnet.ports.storage import ObjectStorage

log = logging.getLogger(__name__)

PLATFORM_OF_JOB = {job: platform for platform, job in POST_JOB_OF.items()}


@attrs.frozen
class PostWords:
    """A person's own title or description for one post ("": the generated one)."""

    title: str = ""
    description: str = ""


class PostingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        lifecycle: ClipLifecycle,
        storage: ObjectStorage,
        publishers: Mapping[Platform, Publisher],
        clock: Clock,
        ids: IdGenerator,
        fresh_account: Callable[[str, Platform], OAuthAccount] | None = None,
        *,
        events: LiveEvents | None = None,
    ) -> None:
        """``fresh_account``: the linked account with its token refreshed if it is about to
        expire (``OAuthLinking.fresh_account``); without it the stored token is used as is."""
        self._uow = uow
        self._lifecycle = lifecycle
        self._storage = storage
        self._publishers = dict(publishers)
        self._clock = clock
        self._ids = ids
        self._fresh_account = fresh_account
        self._events = events or LiveEvents()
        """Told of each status this service gives a post (the ``post.status`` live event)."""

    def handle(self, job: Job) -> None:
        """Job handler for ``post:youtube`` / ``post:tiktok`` (payload: ``clip_id``, and
        optionally ``options``: ``PostOptions.to_payload()``, the creator's choices)."""
        platform = PLATFORM_OF_JOB.get(job.type)
        clip_id = job.payload.get("clip_id")
        if platform is None or not isinstance(clip_id, str):
            raise PermanentJobError(f"{job.type.value}: the payload names no clip_id")
        raw = job.payload.get("options") or {}
        try:
            if not isinstance(raw, dict):
                raise InvalidInput("options must be an object")
            options = PostOptions.from_payload(raw)
            options.check_for(platform)
        except InvalidInput as error:
            raise PermanentJobError(f"{job.type.value}: {error}") from None
        post_id = job.payload.get("post_id")
        words = PostWords(
            str(job.payload.get("title", "")), str(job.payload.get("description", ""))
        )
        try:
            self.post(
                clip_id,
                platform,
                options,
                post_id=post_id if isinstance(post_id, str) else None,
                words=words,
            )
        except PermanentJobError as refused:
            self._fail_requested(post_id, str(refused))
            raise
        except Exception as error:
            if job.attempts >= job.max_attempts:  # the last try: the post will not go out
                self._fail_requested(post_id, f"{type(error).__name__}: {error}")
            raise

    def post(
        self,
        clip_id: str,
        platform: Platform,
        options: PostOptions | None = None,
        *,
        post_id: str | None = None,
        words: PostWords = PostWords(),
    ) -> Post:
        """Publish the clip on ``platform`` unless that was already done; the post record.

        ``post_id``: the post a person asked for (``PublishingService``); a cancelled one is
        left alone. Without it (auto-post), the clip's one post on the platform is found by
        its key, or made. ``options``: the creator's choices (checked with
        ``PostOptions.check_for``); the clip's thumbnail and duration are added here."""
        publisher = self._publishers.get(platform)
        if publisher is None:
            raise PermanentJobError(f"no publisher is configured for {platform.value}")
        options = options or PostOptions()
        options.check_for(platform)
        post, clip, account = self._prepare(clip_id, platform, post_id)
        if post.status is PostStatus.CANCELLED or account is None:
            log.info("post %s of clip %s was cancelled: it does not go out", post.id, clip_id)
            return post
        if post.status is PostStatus.POSTED:
            log.info("clip %s is already on %s (%s)", clip_id, platform.value, post.url)
            self._mark_clip_posted(clip_id, platform)  # in case a crash came in between
            return post
        if self._fresh_account is not None:  # refresh an expiring token before the upload
            account = self._fresh_account(clip.owner_id, platform)
        metadata = _metadata(clip, platform, words)
        with scratch_folder("post") as folder:
            video = self._storage.fetch(clip.assets["video"], folder / "video.mp4")
            options = attrs.evolve(
                options,
                thumbnail=self._thumbnail(clip, folder),
                duration=clip.span.duration,
            )
            try:
                published = publisher.publish(
                    video, metadata, account, post.idempotency_key, options
                )
            except PublishError as refused:
                if not refused.permanent:
                    raise  # the job retries with backoff
                # Retrying cannot help (the platform refused the clip) or could post twice.
                self._record_failure(post.id, str(refused), clip.owner_id)
                raise PermanentJobError(f"{platform.value}: {refused}") from None
        post = self._record(post.id, published.remote_id, published.url, clip.owner_id)
        self._mark_clip_posted(clip_id, platform)
        return post

    def _thumbnail(self, clip: Clip, folder: Path) -> Path | None:
        """A local copy of the clip's thumbnail, or None when it has none (or it is gone: a
        post without a custom thumbnail beats no post)."""
        key = clip.assets.get("thumbnail")
        if not key:
            return None
        try:
            return self._storage.fetch(key, folder / f"thumbnail{PurePosixPath(key).suffix}")
        except NotFound:
            log.warning("clip %s: its thumbnail %s is missing; posting without it", clip.id, key)
            return None

    def _prepare(
        self, clip_id: str, platform: Platform, post_id: str | None
    ) -> tuple[Post, Clip, OAuthAccount | None]:
        """The post (now ``posting``, unless it was cancelled or posted), its clip, and the
        account to post with; ``PermanentJobError`` when the post cannot go out."""
        with self._uow() as uow:
            post = self._requested(uow, post_id) if post_id else None
            try:
                clip = uow.clips.get(clip_id)
            except NotFound:
                raise PermanentJobError(f"clip {clip_id!r} no longer exists") from None
            if post is not None and post.status is PostStatus.CANCELLED:
                return post, clip, None  # nothing to post with: it does not go out
            if clip.status not in POSTABLE or "video" not in clip.assets:
                raise PermanentJobError(f"clip {clip_id} is {clip.status.value}, not ready")
            account = uow.oauth_accounts.find(clip.owner_id, platform)
            if account is None:
                raise PermanentJobError(f"the clip's owner has no linked {platform.value} account")
            if post is None:
                post = uow.posts.add(
                    Post(
                        id=self._ids.new_id(),
                        clip_id=clip_id,
                        platform=platform,
                        idempotency_key=post_key(clip_id, platform),
                        created_at=self._clock.now(),
                    )
                )
            before = post.status
            post.start_posting()
            # The version check loses to a cancel that came first: the retry then reads it.
            uow.posts.update(post)
            uow.commit()
        if post.status is not before:
            self._events.publish(clip.owner_id, POST_STATUS, post_status_event(post))
        return post, clip, account

    @staticmethod
    def _requested(uow: UnitOfWork, post_id: str) -> Post:
        try:
            return uow.posts.get(post_id)
        except NotFound:
            raise PermanentJobError(f"post {post_id!r} no longer exists") from None

    def _fail_requested(self, post_id: object, reason: str) -> None:
        """A requested post that cannot go out says why (an auto-post's is found by key)."""
        if not isinstance(post_id, str):
            return
        with self._uow() as uow:
            try:
                post = uow.posts.get(post_id)
                owner_id = uow.clips.get(post.clip_id).owner_id
            except NotFound:
                return  # the clip (and with it the post) is gone: nothing to record
            if post.status in (PostStatus.POSTED, PostStatus.CANCELLED, PostStatus.FAILED):
                return
            post.mark_failed(reason)
            uow.posts.update(post)
            uow.commit()
        self._events.publish(owner_id, POST_STATUS, post_status_event(post))

    def _record(self, post_id: str, remote_id: str, url: str, owner_id: str) -> Post:
        with self._uow() as uow:
            post = uow.posts.get(post_id)
            post.mark_posted(remote_id, url)
            uow.posts.update(post)
            uow.commit()
        self._events.publish(owner_id, POST_STATUS, post_status_event(post))
        return post

    def _record_failure(self, post_id: str, reason: str, owner_id: str) -> None:
        with self._uow() as uow:
            post = uow.posts.get(post_id)
            post.mark_failed(reason)
            uow.posts.update(post)
            uow.commit()
        self._events.publish(owner_id, POST_STATUS, post_status_event(post))

    def _mark_clip_posted(self, clip_id: str, platform: Platform) -> None:
        """The first post makes a ready clip posted; one already posted stays as it is."""
        self._lifecycle.advance(
            clip_id, ClipStatus.POSTED, f"posted on {platform}", expected=ClipStatus.READY
        )


def _metadata(clip: Clip, platform: Platform, words: PostWords) -> ClipMetadata:
    metadata = build_metadata(
        platform,
        title=words.title or clip.title,
        transcript=spoken_only(clip.transcript).text if clip.transcript is not None else "",
        captions=clip.captions,
        # Scoring made the clip's hashtags from its category and key phrases: they stay.
        tags=[tag.removeprefix("#") for tag in clip.hashtags] or clip.tags,
        explanation=clip.score.explanation if clip.score is not None else "",
    )
    if words.description:
        metadata = attrs.evolve(metadata, description=words.description)
    return metadata
