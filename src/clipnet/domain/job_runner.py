"""Running one job through its handler and recording what happened.

Every queue adapter (in-memory, in-process, Dramatiq) calls this same code, so status,
attempts, retries and dead-lettering behave the same everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from clipnet.domain.errors import PermanentJobError
from clipnet.domain.jobs import DEFAULT_RETRY, Job, JobStatus, JobType, RetryPolicy
from clipnet.ports.clock import Clock
from clipnet.ports.queue import JobHandler
from clipnet.ports.repositories import UnitOfWorkFactory

log = logging.getLogger(__name__)


class JobRunner:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        handlers: Mapping[JobType, JobHandler],
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._handlers = dict(handlers)
        self._retry = retry

    def handles(self, job_type: JobType) -> bool:
        return job_type in self._handlers

    def register(self, job_type: JobType, handler: JobHandler) -> None:
        self._handlers[job_type] = handler

    def run(self, job_id: str) -> Job:
        """Run the job unless it is already finished; returns its record afterwards."""
        job = self._start(job_id)
        if job.status is not JobStatus.RUNNING:
            return job
        handler = self._handlers.get(job.type)
        try:
            if handler is None:
                raise PermanentJobError(f"no handler for job type {job.type.value!r}")
            handler(job)
        except PermanentJobError as error:
            return self._finish(job_id, f"{error}", permanent=True)
        except Exception as error:  # a handler's failure is recorded, never lost
            log.warning("job %s (%s) failed: %s", job_id, job.type, error)
            return self._finish(job_id, f"{type(error).__name__}: {error}", permanent=False)
        return self._finish(job_id, "", permanent=False)

    def _start(self, job_id: str) -> Job:
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            if job.is_finished:
                return job
            job.start(self._clock.now())
            uow.jobs.update(job)
            uow.commit()
            return job

    def _finish(self, job_id: str, error: str, *, permanent: bool) -> Job:
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            if error:
                job.fail(error, self._clock.now(), self._retry, permanent=permanent)
            else:
                job.succeed(self._clock.now())
            uow.jobs.update(job)
            uow.commit()
            return job
