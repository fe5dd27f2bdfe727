"""A user's view of background jobs: read one, list the failed and dead ones, retry one — only
jobs about the user's own clips (any job for an admin)."""

from __future__ import annotations

from clipnet.domain.jobs.admin import JobAdmin
from clipnet.domain.jobs.model import Job, JobStatus
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import NotFound
from clipnet.ports.repositories import UnitOfWork, UnitOfWorkFactory

TROUBLED = (JobStatus.FAILED, JobStatus.DEAD)
SCAN = 500
"""How many of the most recent failed (and dead) jobs a listing looks through for the user's."""


class JobQueries:
    def __init__(self, uow: UnitOfWorkFactory, admin: JobAdmin | None = None) -> None:
        self._uow = uow
        self._admin = admin

    def get(self, actor: Actor, job_id: str) -> Job:
        """A job about one of the actor's clips; any job for an admin; NotFound otherwise."""
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            if _visible(uow, actor, job):
                return job
        raise NotFound("job", job_id)

    def troubled(self, actor: Actor, limit: int) -> list[Job]:
        """The actor's failed and dead jobs, newest first (among the latest ``SCAN`` of each)."""
        with self._uow() as uow:
            found = [
                job
                for status in TROUBLED
                for job in uow.jobs.recent(status, SCAN)
                if _visible(uow, actor, job)
            ]
        found.sort(key=lambda job: job.created_at, reverse=True)
        return found[:limit]

    def retry(self, actor: Actor, job_id: str) -> Job:
        """Requeue one of the actor's failed or dead jobs (``JobAdmin.retry``): NotFound for a
        job the actor may not see, IllegalTransition for one that is not failed or dead."""
        self.get(actor, job_id)
        if self._admin is None:
            raise NotFound("job", job_id)
        return self._admin.retry(job_id)


def _visible(uow: UnitOfWork, actor: Actor, job: Job) -> bool:
    """An admin sees every job; a user the jobs of their clips, and their own requests (an
    analysis job names who asked, ``owner_id``)."""
    if actor.is_admin:
        return True
    if job.payload.get("owner_id") == actor.user_id:
        return True
    clip_id = job.payload.get("clip_id")
    if not isinstance(clip_id, str):
        return False
    try:
        return uow.clips.get(clip_id).owner_id == actor.user_id
    except NotFound:
        return False
