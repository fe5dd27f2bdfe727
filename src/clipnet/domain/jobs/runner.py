"""Running one job through its handler and recording what happened.

Every queue adapter (in-memory, in-process, Dramatiq) calls this same code, so status,
attempts, retries and dead-lettering behave the same everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from clipnet.domain.jobs.middleware import JobMiddleware
from clipnet.domain.jobs.model import DEFAULT_RETRY, Job, JobStatus, JobType, RetryPolicy
from clipnet.domain.shared.errors import ConcurrencyConflict, PermanentJobError
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
        *,
        middleware: Sequence[JobMiddleware] = (),
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._handlers = dict(handlers)
        self._retry = retry
        self._middleware = tuple(middleware)

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
            self._handle(handler, job)
        except PermanentJobError as error:
            return self._finish(job_id, f"{error}", permanent=True)
        except Exception as error:  # a handler's failure is recorded, never lost
            log.warning("job %s (%s) failed: %s", job_id, job.type, error)
            return self._finish(job_id, f"{type(error).__name__}: {error}", permanent=False)
        return self._finish(job_id, "", permanent=False)

    def _handle(self, handler: JobHandler, job: Job) -> None:
        """The handler inside the middleware: each sees the job before and after, in turn."""
        for middleware in self._middleware:
            middleware.before_job(job)
        error: BaseException | None = None
        try:
            handler(job)
        except BaseException as raised:
            error = raised
            raise
        finally:
            for middleware in reversed(self._middleware):
                middleware.after_job(job, error)

    def interrupted(self, job_id: str, reason: str) -> Job:
        """Record that the worker stopped a running job (a time limit): a failed try."""
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            if job.status is not JobStatus.RUNNING:
                return job
            job.fail(reason, self._clock.now(), self._retry)
            uow.jobs.update(job)
            uow.commit()
            return job

    def _start(self, job_id: str) -> Job:
        return _reloading(lambda: self._try_start(job_id))

    def _try_start(self, job_id: str) -> Job:
        now = self._clock.now()
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            if job.is_finished or not job.is_due(now):
                # Finished: a redelivery. Not due: an early duplicate; the relay sends it later.
                return job
            if job.status is JobStatus.RUNNING and job.attempts >= job.max_attempts:
                # Its last try never finished: the worker died in it every time (a poison
                # pill). Brokers do not count such deaths, so the job record does.
                job.fail(
                    f"quarantined: the worker stopped {job.attempts} times while running it",
                    now,
                    self._retry,
                    permanent=True,
                )
            else:
                job.start(now)
            uow.jobs.update(job)
            uow.commit()
            return job

    def _finish(self, job_id: str, error: str, *, permanent: bool) -> Job:
        return _reloading(lambda: self._try_finish(job_id, error, permanent=permanent))

    def _try_finish(self, job_id: str, error: str, *, permanent: bool) -> Job:
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            if error:
                job.fail(error, self._clock.now(), self._retry, permanent=permanent)
            else:
                job.succeed(self._clock.now())
            uow.jobs.update(job)
            uow.commit()
            return job


def _reloading(step: Callable[[], Job], tries: int = 5) -> Job:
    """Run a read-change-write step again when a concurrent writer (the outbox relay marking
    the job dispatched) changed the job in between."""
    for _ in range(tries - 1):
        try:
            return step()
        except ConcurrencyConflict:
            continue
    return step()
