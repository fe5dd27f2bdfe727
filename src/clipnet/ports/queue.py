"""Handing committed jobs to workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from clipnet.domain.jobs.model import Job, JobType

if TYPE_CHECKING:  # the heartbeat's module needs this port
    from clipnet.domain.jobs.workers import WorkerRecord


class JobQueue(Protocol):
    """Delivers jobs to the handler registered for their type, at least once.

    Jobs are first recorded in the job table (the outbox) inside the caller's unit of work;
    ``enqueue`` is called after commit. A job that cannot be handed over now stays in the
    outbox and a relay hands it over later, so ``enqueue`` failing never loses a job.
    """

    def enqueue(self, job: Job) -> None:
        """Hand a committed job over for running (idempotent per job id)."""


JobHandler = Callable[[Job], None]
"""Does the work of one job. Raises ``PermanentJobError`` for failures a retry cannot fix."""


class JobDispatcher(Protocol):
    """Runs one job by id through its handler, recording status, attempts and errors."""

    def run(self, job_id: str) -> Job:
        """Run the job if it still needs running (a finished one is left alone); its record."""

    def handles(self, job_type: JobType) -> bool:
        """True when a handler is registered for ``job_type``."""

    def interrupted(self, job_id: str, reason: str) -> Job:
        """Record that the worker stopped the running job (e.g. a time limit): a failed try."""


class WorkerRegistry(Protocol):
    """Where running workers keep their heartbeat records (shared by every process that
    must see them: Redis for the dramatiq queue, this process's memory otherwise)."""

    def beat(self, worker: WorkerRecord, ttl: float) -> None:
        """Write (or refresh) a worker's record; it is forgotten ``ttl`` seconds later
        unless written again."""

    def leave(self, worker_id: str) -> None:
        """Forget a worker's record now (it stopped)."""

    def live(self) -> list[WorkerRecord]:
        """The records not yet expired, in no particular order."""
