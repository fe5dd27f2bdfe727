"""Reading a background job's status, as its owner (or an operator) may."""

from __future__ import annotations

from clipnet.domain.jobs.model import Job
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import NotFound
from clipnet.ports.repositories import UnitOfWorkFactory


class JobQueries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def get(self, actor: Actor, job_id: str) -> Job:
        """A job about one of the actor's clips; any job for an admin; NotFound otherwise."""
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            if actor.is_admin:
                return job
            clip_id = job.payload.get("clip_id")
            if isinstance(clip_id, str):
                try:
                    if uow.clips.get(clip_id).owner_id == actor.user_id:
                        return job
                except NotFound:
                    pass
        raise NotFound("job", job_id)
