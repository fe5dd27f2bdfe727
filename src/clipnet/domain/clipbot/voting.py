"""ClipBOT voting: one vote per platform user per clip, tallies, and auto-post eligibility."""

from __future__ import annotations

from collections.abc import Callable

from clipnet.domain.clipbot.model import Direction, Tally, Vote, VoterKey
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source
from clipnet.ports.clock import Clock
from clipnet.ports.repositories import UnitOfWorkFactory

#: Which job posts a clip on which platform.
POST_JOBS = {Platform.YOUTUBE: JobType.POST_YOUTUBE, Platform.TIKTOK: JobType.POST_TIKTOK}

ThresholdFor = Callable[[Source], int]
"""The net votes a clip of a given source (and so of its channel) needs to become eligible
for auto-posting."""


class VotingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        clock: Clock,
        threshold: ThresholdFor,
        *,
        auto_post: bool = True,
    ) -> None:
        """``auto_post``: post an eligible clip to every platform with a posting job (the
        ``CLIPNET_AUTO_POST`` setting); off, crossing the threshold only marks it eligible."""
        self._uow = uow
        self._outbox = outbox
        self._clock = clock
        self._threshold = threshold
        self._auto_post_to = tuple(POST_JOBS) if auto_post else ()

    def cast(
        self, clip_id: str, platform: Platform, platform_user: str, direction: Direction
    ) -> Tally:
        """Record or change the user's vote; returns the clip's new tally."""
        vote = Vote(clip_id, platform, platform_user, direction, self._clock.now())
        return self._change(clip_id, lambda uow: uow.votes.put(vote))

    def withdraw(self, clip_id: str, platform: Platform, platform_user: str) -> Tally:
        """Take the user's vote back (nothing happens if there was none)."""
        key = VoterKey(clip_id, platform, platform_user)
        return self._change(clip_id, lambda uow: uow.votes.remove(key))

    def tally(self, clip_id: str) -> Tally:
        with self._uow() as uow:
            uow.clips.get(clip_id)  # NotFound for an unknown clip, not an empty tally
            return uow.votes.tally(clip_id)

    def _change(self, clip_id: str, change: Callable[..., object]) -> Tally:
        jobs: list[Job] = []
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
            change(uow)
            tally = uow.votes.tally(clip_id)
            source = uow.sources.get(clip.source_id)
            if not clip.auto_post_eligible and tally.net >= self._threshold(source):
                clip.auto_post_eligible = True
                # The version check on update makes concurrent crossings race to one winner,
                # and the idempotency keys make the jobs unique even if two slipped through.
                uow.clips.update(clip)
                jobs = [
                    self._outbox.add(
                        uow, POST_JOBS[p], {"clip_id": clip_id}, job_key(POST_JOBS[p], clip_id)
                    )
                    for p in self._auto_post_to
                ]
            uow.commit()
        self._outbox.release(jobs)
        return tally
