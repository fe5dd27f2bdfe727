"""Handing committed jobs to workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from clipnet.domain.jobs.model import Job, JobType


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
