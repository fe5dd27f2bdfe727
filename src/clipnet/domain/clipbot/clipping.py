"""``!clip``: a clip of the end of the linked source, or one the platform makes itself."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

import attrs

from clipnet.domain.clipbot.model import BotCommand, ChannelLink, ReplyTarget
from clipnet.domain.clipbot.platform_clips import clip_job_payload
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.jobs.model import JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ClipRequests
from clipnet.ports.clock import Clock
from clipnet.ports.repositories import UnitOfWorkFactory

ClipWatcher = Callable[[str], None]
"""Told a clip's id once its requester is remembered (to catch a clip that finished first)."""


@attrs.frozen
class CommandResult:
    text: str
    queued_work: bool = False
    """Work was queued, so the answer cannot be given inline (Discord defers it)."""


class ChatClipper:
    """Makes the clip a ``!clip`` asks for and remembers who asked."""

    def __init__(
        self,
        requests: ClipRequests,
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        clock: Clock,
        lifecycle: ClipLifecycle,
        *,
        clip_seconds: float = 30.0,
        platform_clips: Collection[Platform] = (),
        after_request: ClipWatcher | None = None,
    ) -> None:
        self._requests = requests
        self._uow = uow
        self._outbox = outbox
        self._clock = clock
        self._lifecycle = lifecycle
        self._clip_seconds = clip_seconds
        self._platform_clips = frozenset(platform_clips)
        self._after_request = after_request

    def clip(self, command: BotCommand, link: ChannelLink, target: ReplyTarget) -> CommandResult:
        title = command.args[0] if command.args else ""
        if command.platform in self._platform_clips and link.live_since is not None:
            return self._platform_clip(command, target, title)
        until = self._clip_end(link)
        if until <= 0:
            return CommandResult("There is nothing to clip yet: the stream has not started.")
        clip = self._lifecycle.request_recent(
            link.source_id, link.owner_id, until, self._clip_seconds, title
        )
        self._requests.remember_request(clip.id, target)
        if self._after_request is not None:
            self._after_request(clip.id)  # it may have finished (or failed) already
        seconds = round(clip.span.duration)
        return CommandResult(
            f"Clip {clip.id} requested ({seconds} s). I will post the link when it is ready.",
            queued_work=True,
        )

    def _platform_clip(self, command: BotCommand, target: ReplyTarget, title: str) -> CommandResult:
        """A live channel whose platform makes clips: ask it, in a ``clipbot:clip`` job."""
        key = job_key(JobType.CLIPBOT_CLIP, command.platform.value, command.message_id)
        payload = clip_job_payload(target, command.message_id, title)
        with self._uow() as uow:
            job = self._outbox.add(uow, JobType.CLIPBOT_CLIP, payload, key)
            uow.commit()
        self._outbox.release([job])
        name = command.platform.value.capitalize()
        return CommandResult(f"Asking {name} to clip that...", queued_work=True)

    def _clip_end(self, link: ChannelLink) -> float:
        """Seconds into the source where ``!clip`` ends: now in a live stream, the end of a VOD."""
        if link.live_since is not None:
            return (self._now() - link.live_since).total_seconds()
        with self._uow() as uow:
            return uow.sources.get(link.source_id).duration

    def _now(self) -> datetime:
        return self._clock.now()
