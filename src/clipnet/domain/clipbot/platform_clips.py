"""The ``clipbot:clip`` job: a ``!clip`` that the platform makes itself (Twitch clips).

Twitch makes a clip asynchronously: Create Clip answers with an id at once, and Get Clips
shows the clip once it exists, usually within seconds; after 15 s it has failed. So the
webhook only queues this job, and the job asks, waits (the wait is injectable, so tests do
not sleep), fetches the clip's video into a source and queues it through the media pipeline
like any other clip. The requester is told the clip's id now and its link when it is ready.

A redelivered job does not ask Twitch twice: the platform's clip id and the ClipNET clip id
are kept in the bot's send-once ledger under the job's idempotency key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from clipnet.domain.clipbot.model import PlatformClip, ReplyTarget
from clipnet.domain.clipbot.replies import ChatReplies
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import ClipOrigin
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import InvalidInput, PermanentJobError
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.service import SourceService
from clipnet.ports.bot import ChannelLinks, ClipRequests, SentMessages
from clipnet.ports.clock import Clock
from clipnet.ports.platform_clips import PlatformClipError, PlatformClipMaker
from clipnet.ports.repositories import UnitOfWorkFactory

#: How long the platform gets to make a clip (Twitch: "if not found after 15 seconds").
WAIT_LIMIT = 15.0
#: Seconds between looks.
POLL_EVERY = 1.0

Sleep = Callable[[float], None]


class ClipJobMemory(ChannelLinks, ClipRequests, SentMessages, Protocol):
    """What a ``clipbot:clip`` job reads and keeps: the link, the requester, its ledger."""


def clip_job_payload(target: ReplyTarget, delivery_id: str, title: str) -> dict[str, str]:
    """What ``clipbot:clip`` needs: where the command came from and the title asked for."""
    return {
        "platform": target.platform.value,
        "channel": target.channel,
        "reply_to": target.reply_to,
        "user": target.user,
        "delivery": delivery_id,
        "title": title,
    }


class PlatformClipJobs:
    """Runs ``clipbot:clip`` jobs with one clip maker per platform."""

    def __init__(
        self,
        store: ClipJobMemory,
        uow: UnitOfWorkFactory,
        replies: ChatReplies,
        clock: Clock,
        lifecycle: ClipLifecycle,
        sources: SourceService,
        makers: Mapping[Platform, PlatformClipMaker],
        *,
        sleep: Sleep = time.sleep,
        wait_limit: float = WAIT_LIMIT,
        poll_every: float = POLL_EVERY,
        scratch_dir: Path | None = None,
        after_request: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._uow = uow
        self._replies = replies
        self._clock = clock
        self._lifecycle = lifecycle
        self._sources = sources
        self._makers = dict(makers)
        self._sleep = sleep
        self._wait_limit = wait_limit
        self._poll_every = poll_every
        self._scratch_dir = scratch_dir
        self._after_request = after_request

    def handle(self, job: Job) -> None:
        """Ask the platform for the clip, wait for it, and queue its media for processing."""
        target, delivery, title = _read(job)
        maker = self._makers.get(target.platform)
        if maker is None:
            raise PermanentJobError(f"no clip maker is configured for {target.platform.value}")
        link = self._store.find_link(target.platform, target.channel)
        if link is None:
            raise PermanentJobError(f"{target.platform.value} channel {target.channel} is unlinked")
        name = target.platform.value.capitalize()
        try:
            made = self._made(maker, job.idempotency_key, target.channel)
            clip = self._wait_for(maker, made)
            if clip is None:
                self._reply(target, delivery, f"{name} did not make the clip in time. Try again.")
                return
            clip_id = self._clipnet_clip(maker, job.idempotency_key, clip, link.owner_id, title)
        except PlatformClipError as error:
            if not error.permanent:
                raise  # the job retries; the ledger keeps what was done
            self._reply(target, delivery, f"{name} could not make a clip: {str(error)[:150]}")
            return
        except InvalidInput as error:
            self._reply(target, delivery, f"{name}'s clip could not be read: {str(error)[:150]}")
            return
        self._store.remember_request(clip_id, target)
        if self._after_request is not None:
            self._after_request(clip_id)  # it may have finished (or failed) already
        seconds = round(clip.duration)
        where = f" ({clip.url})" if clip.url else ""
        self._reply(
            target,
            delivery,
            f"Clip {clip_id} made by {name}{where}, {seconds} s. "
            "I will post the link when it is ready.",
        )

    def _made(self, maker: PlatformClipMaker, key: str, channel: str) -> str:
        """The platform's clip id: asked for once per job, however often the job runs."""
        ledger = f"{key}:made"
        known = self._store.sent_message(ledger)
        if known is not None:
            return known
        made = maker.create(channel)
        self._store.record_sent(ledger, made)
        return self._store.sent_message(ledger) or made

    def _wait_for(self, maker: PlatformClipMaker, clip_id: str) -> PlatformClip | None:
        """Look for the clip every ``poll_every`` seconds for up to ``wait_limit`` seconds."""
        started = self._clock.now()
        while True:
            clip = maker.find(clip_id)
            if clip is not None:
                return clip
            waited = (self._clock.now() - started).total_seconds()
            if waited + self._poll_every > self._wait_limit:
                return None
            self._sleep(self._poll_every)

    def _clipnet_clip(
        self, maker: PlatformClipMaker, key: str, clip: PlatformClip, owner_id: str, title: str
    ) -> str:
        """The platform clip's video as a source, and a ClipNET clip of all of it (once)."""
        ledger = f"{key}:clip"
        known = self._store.sent_message(ledger)
        if known is not None:
            return known
        with scratch_folder("platform-clip", self._scratch_dir) as scratch:
            video = maker.download(clip, scratch / "clip.mp4")
            source = self._sources.upload(
                Actor(owner_id), video, f"{clip.id}.mp4", clip.title or title
            )
        made = self._lifecycle.request(
            source.id,
            owner_id,
            TimeSpan(0.0, source.duration),
            title=title or clip.title,
            origin=ClipOrigin.BOT,
        )
        self._store.record_sent(ledger, made.id)
        return made.id

    def _reply(self, target: ReplyTarget, delivery: str, text: str) -> None:
        key = job_key(JobType.CLIPBOT_POST, target.platform.value, delivery, "platform-clip")
        self._replies.queue(target, text, key)


def _read(job: Job) -> tuple[ReplyTarget, str, str]:
    try:
        target = ReplyTarget(
            Platform(job.payload["platform"]),
            str(job.payload["channel"]),
            str(job.payload.get("reply_to", "")),
            str(job.payload.get("user", "")),
        )
        return target, str(job.payload["delivery"]), str(job.payload.get("title", ""))
    except (KeyError, ValueError) as error:
        raise PermanentJobError(f"malformed clipbot:clip payload: {error}") from None
