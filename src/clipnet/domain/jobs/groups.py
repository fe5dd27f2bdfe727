"""Queue groups: job types that share a worker's threads, so long media work cannot hold up
the quick jobs (a chat reply must not wait behind a ten-minute polish).

A worker runs each group on threads of its own (``CLIPNET_WORKER_QUEUES``); within a group
jobs take turns as before. The groups are data: moving a job type is one line here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from clipnet.domain.jobs.model import JobType


class QueueGroup(enum.StrEnum):
    MEDIA = "media"
    """FFmpeg, scoring and Whisper: minutes of CPU each."""
    PUBLISH = "publish"
    """Uploads to the video platforms: long, but waiting on the network."""
    CHAT = "chat"
    """ClipBOT: replies and ``!clip``, which must go out within seconds."""


GROUP_OF: Mapping[JobType, QueueGroup] = {
    JobType.SOURCE_ANALYZE: QueueGroup.MEDIA,
    JobType.CLIP_PROCESS: QueueGroup.MEDIA,
    JobType.ML_SCORE: QueueGroup.MEDIA,
    JobType.FFMPEG_POLISH: QueueGroup.MEDIA,
    JobType.WHISPER_BATCH: QueueGroup.MEDIA,
    JobType.POST_YOUTUBE: QueueGroup.PUBLISH,
    JobType.POST_TIKTOK: QueueGroup.PUBLISH,
    JobType.CLIPBOT_POST: QueueGroup.CHAT,
    JobType.CLIPBOT_NOTIFY: QueueGroup.CHAT,
    # A Twitch clip captures the moment Create Clip is called: it must not wait for a polish.
    JobType.CLIPBOT_CLIP: QueueGroup.CHAT,
}
"""Every job type's group (a test checks that none is missing)."""


def group_of(job_type: JobType) -> QueueGroup:
    """A type missing from :data:`GROUP_OF` runs with the media jobs, so that it still runs."""
    return GROUP_OF.get(job_type, QueueGroup.MEDIA)


def job_types_in(group: QueueGroup) -> tuple[JobType, ...]:
    return tuple(job_type for job_type in JobType if group_of(job_type) is group)
