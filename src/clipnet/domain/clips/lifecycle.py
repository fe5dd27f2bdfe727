"""The clip lifecycle service: create clips, move them along, fail, retry, cancel."""

from __future__ import annotations

from collections.abc import Sequence

from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.highlights.scoring import RankedSegment
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import NotFound, RetriesExhausted
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import Source
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.repositories import UnitOfWork, UnitOfWorkFactory


class ClipLifecycle:
    """Every change of a clip's status goes through here, so the rules live in one place."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        clock: Clock,
        ids: IdGenerator,
        templates: TemplateCatalogue,
        max_attempts: int = 3,
    ) -> None:
        self._uow = uow
        self._outbox = outbox
        self._clock = clock
        self._ids = ids
        self._templates = templates
        self._max_attempts = max_attempts

    # -- creating ------------------------------------------------------------------------------

    def request(
        self,
        source_id: str,
        owner_id: str,
        span: TimeSpan,
        *,
        title: str = "",
        template: str = "",
        origin: ClipOrigin = ClipOrigin.USER,
    ) -> Clip:
        """A new clip of ``span`` of the owner's source, queued for processing."""
        if template:
            self._templates.get(template)  # raises InvalidInput naming the known templates
        with self._uow() as uow:
            source = self._owned_source(uow, source_id, owner_id)
            clip = self._new_clip(source.id, owner_id, source.span_within(span), origin)
            clip.rename(title)
            clip.template = template
            job = self._queue(uow, clip)
            uow.clips.add(clip)
            uow.commit()
        self._outbox.release([job])
        return clip

    def request_recent(
        self, source_id: str, owner_id: str, until: float, length: float, title: str = ""
    ) -> Clip:
        """A bot's ``!clip``: the ``length`` seconds up to ``until`` in the source."""
        return self.request(
            source_id,
            owner_id,
            TimeSpan.ending_at(until, length),
            title=title,
            origin=ClipOrigin.BOT,
        )

    def create_detected(
        self, source_id: str, owner_id: str, ranked: Sequence[RankedSegment], template: str = ""
    ) -> list[Clip]:
        """Clips for segments that scoring picked, each queued with its score already known."""
        clips: list[Clip] = []
        jobs: list[Job] = []
        with self._uow() as uow:
            source = self._owned_source(uow, source_id, owner_id)
            for item in ranked:
                clip = self._new_clip(
                    source.id, owner_id, source.span_within(item.segment.span), ClipOrigin.AUTO
                )
                clip.score = item.score
                clip.captions, clip.tags = item.segment.captions, item.segment.tags
                clip.template = template
                jobs.append(self._queue(uow, clip))
                uow.clips.add(clip)
                clips.append(clip)
            uow.commit()
        self._outbox.release(jobs)
        return clips

    # -- moving along --------------------------------------------------------------------------

    def advance(self, clip_id: str, target: ClipStatus, reason: str = "") -> Clip:
        """Move the clip to ``target``; raises ``IllegalTransition`` or ``ConcurrencyConflict``."""
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
            clip.move_to(target, self._clock.now(), reason)
            uow.clips.update(clip)
            uow.commit()
        return clip

    def fail(self, clip_id: str, error: str) -> Clip:
        return self.advance(clip_id, ClipStatus.FAILED, error or "unknown error")

    def cancel(self, clip_id: str) -> Clip:
        return self.advance(clip_id, ClipStatus.CANCELLED, "cancelled")

    def reject(self, clip_id: str, reason: str) -> Clip:
        return self.advance(clip_id, ClipStatus.REJECTED, reason)

    def retry(self, clip_id: str) -> Clip:
        """A failed clip goes back in the queue, unless it used all its attempts."""
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
            if clip.status is ClipStatus.FAILED and clip.attempts >= self._max_attempts:
                raise RetriesExhausted(
                    f"clip {clip_id} failed {clip.attempts} times (limit {self._max_attempts})"
                )
            job = self._queue(uow, clip)
            uow.clips.update(clip)
            uow.commit()
        self._outbox.release([job])
        return clip

    # -- helpers -------------------------------------------------------------------------------

    def _owned_source(self, uow: UnitOfWork, source_id: str, owner_id: str) -> Source:
        source = uow.sources.get(source_id)
        if source.owner_id != owner_id:
            raise NotFound("source", source_id)  # another user's source does not exist for you
        return source

    def _new_clip(self, source_id: str, owner_id: str, span: TimeSpan, origin: ClipOrigin) -> Clip:
        return Clip(
            id=self._ids.new_id(),
            source_id=source_id,
            owner_id=owner_id,
            span=span,
            created_at=self._clock.now(),
            origin=origin,
        )

    def _queue(self, uow: UnitOfWork, clip: Clip) -> Job:
        clip.move_to(ClipStatus.QUEUED, self._clock.now())
        return self._outbox.add(
            uow,
            JobType.CLIP_PROCESS,
            {"clip_id": clip.id},
            job_key(JobType.CLIP_PROCESS, clip.id, clip.attempts),
        )
