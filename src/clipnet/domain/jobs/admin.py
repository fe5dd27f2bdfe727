"""What an operator does with background jobs: list them, look at one, retry a dead one,
count them (metrics)."""

from __future__ import annotations

from clipnet.domain.jobs.model import Job, JobStatus
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.stats import JobTally
from clipnet.ports.clock import Clock
from clipnet.ports.repositories import UnitOfWorkFactory

Tallies = list[JobTally]  # ``list`` is a method's name inside the class


class JobAdmin:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, relay: OutboxRelay | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._relay = relay

    def list(self, status: JobStatus | None = None, limit: int = 50) -> list[Job]:
        """Jobs, newest first, optionally only those in ``status``."""
        with self._uow() as uow:
            return uow.jobs.recent(status, limit)

    def tally(self) -> Tallies:
        """Per job type and status: how many, their retries and timings (for metrics)."""
        with self._uow() as uow:
            return uow.jobs.tally()

    def show(self, job_id: str) -> Job:
        """One job with its payload, attempts, timings and last error. Raises ``NotFound``."""
        with self._uow() as uow:
            return uow.jobs.get(job_id)

    def retry(self, job_id: str, extra_attempts: int = 3) -> Job:
        """Requeue a failed or dead job with ``extra_attempts`` more tries.

        Raises ``NotFound``, or ``IllegalTransition`` for a job that is not failed or dead.
        The job goes back to the outbox; it is handed to the queue now if possible, else by
        the relay loop.
        """
        with self._uow() as uow:
            job = uow.jobs.get(job_id)
            job.requeue(self._clock.now(), extra_attempts)
            uow.jobs.update(job)
            uow.commit()
        if self._relay is not None:
            self._relay.send([job.id])
        return job
