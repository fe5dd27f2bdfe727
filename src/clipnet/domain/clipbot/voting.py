"""ClipBOT voting: one vote per platform user per clip, tallies, and auto-post eligibility.

A clip's threshold is its own channel's (:func:`channel_thresholds`), and an eligible clip is
queued for posting once, whenever auto-posting is on: when it crosses its threshold, on a later
vote, or when the worker starts (:meth:`VotingService.post_eligible`), so turning
``CLIPNET_AUTO_POST`` on posts the clips that earned it while it was off. A clip its owner
approved (``ClipReview``) is taken the same way; a rejected clip never is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import attrs

from clipnet.domain.clipbot.model import Direction, Tally, Vote, VoterKey
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import ConcurrencyConflict, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ChannelLinks, ClipRequests
from clipnet.ports.clock import Clock
from clipnet.ports.repositories import ClipQuery, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

#: Which job posts a clip on which platform.
POST_JOBS = {Platform.YOUTUBE: JobType.POST_YOUTUBE, Platform.TIKTOK: JobType.POST_TIKTOK}

#: The eligible clips the start-up catch-up queues: those a post job can publish.
_POSTABLE = (ClipStatus.READY, ClipStatus.POSTED)

ThresholdFor = Callable[[str, Platform, str], int]
"""The net votes a clip (by id) needs to become eligible for auto-posting, given the platform and
channel a vote on it was cast in (an empty channel: a vote from outside chat)."""


def channel_thresholds(links: ChannelLinks, requests: ClipRequests, default: int) -> ThresholdFor:
    """Each clip goes by its own channel's threshold (``clipnet bot link --vote-threshold``):
    the channel it was asked for in with ``!clip``; for a clip made another way (the API, the
    CLI), the channel the vote is cast in. A channel without a threshold of its own, or no
    channel at all, uses ``default`` (``CLIPNET_VOTE_THRESHOLD``)."""

    def threshold(clip_id: str, platform: Platform, channel: str) -> int:
        origin = requests.request_for(clip_id)
        if origin is not None:
            platform, channel = origin.platform, origin.channel
        link = links.find_link(platform, channel) if channel else None
        if link is None or link.vote_threshold is None:
            return default
        return link.vote_threshold

    return threshold


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
        self,
        clip_id: str,
        platform: Platform,
        platform_user: str,
        direction: Direction,
        *,
        channel: str = "",
    ) -> Tally:
        """Record or change the user's vote, cast in ``channel``; returns the new tally."""
        vote = Vote(clip_id, platform, platform_user, direction, self._clock.now())
        return self._change(clip_id, lambda uow: uow.votes.put(vote), platform, channel)

    def withdraw(
        self, clip_id: str, platform: Platform, platform_user: str, *, channel: str = ""
    ) -> Tally:
        """Take the user's vote back (nothing happens if there was none)."""
        key = VoterKey(clip_id, platform, platform_user)
        return self._change(clip_id, lambda uow: uow.votes.remove(key), platform, channel)

    def tally(self, clip_id: str) -> Tally:
        with self._uow() as uow:
            uow.clips.get(clip_id)  # NotFound for an unknown clip, not an empty tally
            return uow.votes.tally(clip_id)

    def post_eligible(self) -> int:
        """Queue the posting of every eligible, postable clip that has no post jobs yet (it
        became eligible while auto-posting was off); returns how many jobs were queued.

        Run when a worker starts. Safe to run again, and in two processes at once: a clip's
        jobs are queued once.
        """
        if not self._auto_post_to:
            return 0
        queued = 0
        for clip_id in self._eligible_clip_ids():
            try:
                queued += len(self.queue_auto_posts(clip_id))
            except (ConcurrencyConflict, NotFound):
                continue  # changed (or deleted) meanwhile: whoever changed it queued the jobs
        if queued:
            log.info("auto-post: queued %d post job(s) for clips eligible before", queued)
        return queued

    def _change(
        self, clip_id: str, change: Callable[[UnitOfWork], object], platform: Platform, channel: str
    ) -> Tally:
        # Looked up before the clip is locked: no other connection is needed while it is held.
        needed = self._threshold(clip_id, platform, channel)
        with self._uow() as uow:
            # Locked: two voters each counting without the other's uncommitted vote would
            # both see the clip short of its threshold, and it would never cross.
            clip = uow.clips.get(clip_id, lock=True)
            change(uow)
            tally = uow.votes.tally(clip_id)
            crossed = not clip.auto_post_eligible and tally.net >= needed
            clip.auto_post_eligible = clip.auto_post_eligible or crossed
            jobs = self._missing_posts(uow, clip) if clip.auto_postable else []
            if crossed or jobs:
                # The version check on update makes concurrent voters race to one winner,
                # so a clip's post jobs are added (and handed to the queue) by one of them.
                uow.clips.update(clip)
            uow.commit()
        self._outbox.release(jobs)
        return tally

    def queue_auto_posts(self, clip_id: str) -> list[Job]:
        """Queue the clip's auto-post jobs if it is ready (or posted), auto-post takes it
        (``Clip.auto_postable``: approved or voted eligible, never rejected) and they are not
        queued yet."""
        if not self._auto_post_to:
            return []
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
            takes = clip.auto_postable and clip.status in _POSTABLE
            jobs = self._missing_posts(uow, clip) if takes else []
            if jobs:
                uow.clips.update(clip)  # as in _change: one winner among concurrent callers
            uow.commit()
        self._outbox.release(jobs)
        return jobs

    def _missing_posts(self, uow: UnitOfWork, clip: Clip) -> list[Job]:
        """Add the clip's auto-post jobs that are not recorded yet (none once they are)."""
        missing = [
            (job_type, job_key(job_type, clip.id))
            for job_type in (POST_JOBS[p] for p in self._auto_post_to)
            if uow.jobs.find_by_key(job_key(job_type, clip.id)) is None
        ]
        return [self._outbox.add(uow, t, {"clip_id": clip.id}, key) for t, key in missing]

    def _eligible_clip_ids(self) -> list[str]:
        """Postable clips voted eligible, then those approved (each once)."""
        ids: dict[str, None] = {}
        for wanted in (
            ClipQuery(statuses=_POSTABLE, auto_post_eligible=True, limit=200),
            ClipQuery(statuses=_POSTABLE, approved=True, limit=200),
        ):
            after: str | None = None
            while True:
                query = attrs.evolve(wanted, after=after)
                with self._uow() as uow:
                    page = uow.clips.search(query)
                ids.update((clip.id, None) for clip in page)
                if len(page) < query.limit:
                    break
                after = page[-1].id
        return list(ids)
