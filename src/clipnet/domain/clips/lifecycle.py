"""The clip lifecycle service: create clips, move them along, fail, retry, cancel."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import TypeAlias

import attrs

from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.clips.sharing import new_share_token, shared_on_creation
from clipnet.domain.highlights.aspects import check_aspect
from clipnet.domain.highlights.captions import check_caption_style
from clipnet.domain.highlights.scoring import RankedSegment
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import ConcurrencyConflict, NotFound, RetriesExhausted
from clipnet.domain.shared.live import CLIP_STATUS, LiveEvents
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import Source
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.repositories import UnitOfWork, UnitOfWorkFactory

Expected: TypeAlias = ClipStatus | Callable[[Clip], bool]
"""The state a move starts from: one status, or a test of the freshly read clip."""


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
        *,
        conflict_tries: int = 3,
        events: LiveEvents | None = None,
    ) -> None:
        self._uow = uow
        self._outbox = outbox
        self._clock = clock
        self._ids = ids
        self._templates = templates
        self._max_attempts = max_attempts
        self._conflict_tries = max(1, conflict_tries)
        self._events = events or LiveEvents()

    # -- creating ------------------------------------------------------------------------------

    def request(
        self,
        source_id: str,
        owner_id: str,
        span: TimeSpan,
        *,
        title: str = "",
        template: str = "",
        caption_style: str = "",
        aspect: str = "",
        origin: ClipOrigin = ClipOrigin.USER,
    ) -> Clip:
        """A new clip of ``span`` of the owner's source, queued for processing."""
        if template:
            self._templates.get(template)  # raises InvalidInput naming the known templates
        check_caption_style(caption_style)
        check_aspect(aspect)
        with self._uow() as uow:
            source = self._owned_source(uow, source_id, owner_id)
            # A person's span must lie in the source; a bot's "last 30 s" is cut to its end.
            fitted = (
                source.require_within(span)
                if origin is ClipOrigin.USER
                else source.span_within(span)
            )
            clip = self._new_clip(source.id, owner_id, fitted, origin)
            clip.rename(title)
            clip.template, clip.caption_style, clip.aspect = template, caption_style, aspect
            job = self._queue(uow, clip)
            uow.clips.add(clip)
            uow.commit()
        self._announce([clip])
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
        self,
        source_id: str,
        owner_id: str,
        ranked: Sequence[RankedSegment],
        template: str = "",
        caption_style: str = "",
        aspect: str = "",
        *,
        request_id: str = "",
    ) -> list[Clip]:
        """Clips for segments that scoring picked, each queued with its score already known.

        With ``request_id`` (a job's id) the clips' ids are ``<request_id>-<n>``, so a request
        that is run again (a redelivered job) finds its clips made and makes none."""
        check_caption_style(caption_style)
        check_aspect(aspect)
        clips: list[Clip] = []
        jobs: list[Job] = []
        with self._uow() as uow:
            source = self._owned_source(uow, source_id, owner_id)
            if request_id and (made := made_for_request(uow, request_id)):
                return made
            for n, item in enumerate(ranked):
                clip = self._new_clip(
                    source.id,
                    owner_id,
                    source.span_within(item.segment.span),
                    ClipOrigin.AUTO,
                    clip_id=f"{request_id}-{n + 1}" if request_id else "",
                )
                clip.score = item.score
                clip.captions, clip.tags = item.segment.captions, item.segment.tags
                clip.template, clip.caption_style, clip.aspect = template, caption_style, aspect
                jobs.append(self._queue(uow, clip))
                uow.clips.add(clip)
                clips.append(clip)
            uow.commit()
        self._announce(clips)
        self._outbox.release(jobs)
        return clips

    # -- moving along --------------------------------------------------------------------------

    def advance(
        self,
        clip_id: str,
        target: ClipStatus,
        reason: str = "",
        *,
        expected: Expected | None = None,
        change: Callable[[Clip], None] | None = None,
        next_job: JobType | None = None,
    ) -> Clip | None:
        """Move the clip to ``target`` in one transaction and return it.

        ``change`` updates the freshly read clip first; ``next_job`` (payload ``clip_id``, key
        per clip and attempt) is recorded in the outbox in the same transaction and released
        after the commit. With ``expected`` (a status, or a test of the clip), a clip that is
        not in it is left alone and None comes back: someone moved it on already. Without it
        an illegal move raises ``IllegalTransition``. A concurrent save is retried on a fresh
        read; a conflict that persists past the bound raises ``ConcurrencyConflict``.
        """
        step = _Step(target, reason, expected, change, next_job)
        for _ in range(self._conflict_tries - 1):
            with contextlib.suppress(ConcurrencyConflict):
                return self._advance_once(clip_id, step)
        return self._advance_once(clip_id, step)

    def fail(self, clip_id: str, error: str, *, expected: Expected | None = None) -> Clip | None:
        """Fail the clip unless it cannot fail (terminal, ready or failed already) or is not
        in ``expected``; None when it was left alone."""

        def failable(clip: Clip) -> bool:
            return clip.can_move_to(ClipStatus.FAILED) and _is_in(clip, expected)

        return self.advance(clip_id, ClipStatus.FAILED, error or "unknown error", expected=failable)

    def cancel(self, clip_id: str) -> Clip:
        clip = self.advance(clip_id, ClipStatus.CANCELLED, "cancelled")
        assert clip is not None  # no expected state: it moved or raised
        return clip

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
        self._announce([clip])
        self._outbox.release([job])
        return clip

    # -- helpers -------------------------------------------------------------------------------

    def _owned_source(self, uow: UnitOfWork, source_id: str, owner_id: str) -> Source:
        source = uow.sources.get(source_id)
        if source.owner_id != owner_id:
            raise NotFound("source", source_id)  # another user's source does not exist for you
        return source

    def _new_clip(
        self,
        source_id: str,
        owner_id: str,
        span: TimeSpan,
        origin: ClipOrigin,
        *,
        clip_id: str = "",
    ) -> Clip:
        return Clip(
            id=clip_id or self._ids.new_id(),
            source_id=source_id,
            owner_id=owner_id,
            span=span,
            created_at=self._clock.now(),
            origin=origin,
            share_token=new_share_token() if shared_on_creation(origin) else "",
        )

    def _advance_once(self, clip_id: str, step: _Step) -> Clip | None:
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
            if not _is_in(clip, step.expected):
                return None
            if step.change is not None:
                step.change(clip)
            clip.move_to(step.target, self._clock.now(), step.reason)
            jobs = [] if step.next_job is None else [self._add_job(uow, clip, step.next_job)]
            uow.clips.update(clip)
            uow.commit()
        self._announce([clip])
        self._outbox.release(jobs)
        return clip

    def _announce(self, clips: Sequence[Clip]) -> None:
        """The committed statuses, to each owner's studio (before the next job can run)."""
        for clip in clips:
            self._events.publish(clip.owner_id, CLIP_STATUS, clip_status_event(clip))

    def _queue(self, uow: UnitOfWork, clip: Clip) -> Job:
        clip.move_to(ClipStatus.QUEUED, self._clock.now())
        return self._add_job(uow, clip, JobType.CLIP_PROCESS)

    def _add_job(self, uow: UnitOfWork, clip: Clip, job_type: JobType) -> Job:
        """The clip's next job; the key per clip and attempt makes a redelivery add none. A
        re-render polishes the same attempt again, so its polish job's key names the round."""
        parts: list[object] = [clip.attempts]
        if job_type is JobType.FFMPEG_POLISH and clip.rerenders:
            parts.append(f"rerender-{clip.rerenders}")
        key = job_key(job_type, clip.id, *parts)
        return self._outbox.add(uow, job_type, {"clip_id": clip.id}, key)


@attrs.frozen
class _Step:
    """One requested move, kept together so a retry after a conflict repeats it exactly."""

    target: ClipStatus
    reason: str
    expected: Expected | None
    change: Callable[[Clip], None] | None
    next_job: JobType | None


def made_for_request(uow: UnitOfWork, request_id: str) -> list[Clip]:
    """The clips an earlier run of the request made (ids ``<request_id>-1``, ``-2``, ...)."""
    made: list[Clip] = []
    while True:
        try:
            made.append(uow.clips.get(f"{request_id}-{len(made) + 1}"))
        except NotFound:
            return made


def clip_status_event(clip: Clip) -> dict[str, object]:
    """The ``clip.status`` live event's data (the studio contract)."""
    return {
        "clip_id": clip.id,
        "source_id": clip.source_id,
        "status": clip.status.value,
        "score": None if clip.score is None else round(clip.score.total, 1),
        "error": clip.last_error or None,
    }


def _is_in(clip: Clip, expected: Expected | None) -> bool:
    if expected is None:
        return True
    if isinstance(expected, ClipStatus):
        return clip.status is expected
    return expected(clip)
