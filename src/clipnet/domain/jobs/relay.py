"""Handing jobs from the job table (the outbox) to the broker, each once in normal operation.

A job is in the outbox while it is queued (or failed and waiting for its retry) and not yet
``dispatched``. The relay claims such jobs (locked, so a second relay skips them), hands each
to the queue and marks it dispatched in the same transaction. Jobs the broker refuses stay
in the outbox for the next round, so a broker that is down delays jobs and loses none.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection

from clipnet.domain.jobs.model import Job, JobStatus, RetryPolicy
from clipnet.domain.shared.errors import ConcurrencyConflict
from clipnet.ports.clock import Clock
from clipnet.ports.queue import JobQueue
from clipnet.ports.repositories import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)
_AT_ONCE = RetryPolicy(base_delay=0, jitter=0)


class OutboxRelay:
    def __init__(
        self, uow: UnitOfWorkFactory, queue: JobQueue, clock: Clock, batch_size: int = 100
    ) -> None:
        self._uow = uow
        self._queue = queue
        self._clock = clock
        self._batch_size = batch_size

    def send(self, job_ids: Collection[str]) -> int:
        """Hand these committed jobs over now (the fast path right after a commit).

        Never raises for a broker or database failure: the jobs stay in the outbox and the
        relay loop sends them later. Returns how many were handed over.
        """
        if not job_ids:
            return 0
        try:
            sent, _ = self._dispatch_batch(list(job_ids))
        except Exception as error:  # the database: the relay loop tries again
            log.warning("%d job(s) stay in the outbox: %s", len(job_ids), error)
            return 0
        return sent

    def relay_once(self) -> int:
        """Hand over every due job still in the outbox; returns how many were sent."""
        total = 0
        while True:
            sent, complete = self._dispatch_batch(None)
            total += sent
            if not complete or sent < self._batch_size:
                return total

    def requeue_unfinished(self) -> int:
        """For a queue that forgets its messages when the process stops (in-process).

        Every unfinished job goes back to the outbox, since whatever held it is gone: queued
        and failed ones are marked undispatched, running ones get a failed try (they may be
        poison pills, so the attempt counts). Returns how many jobs were put back.
        """
        count = 0
        with self._uow() as uow:
            for status in (JobStatus.QUEUED, JobStatus.FAILED, JobStatus.RUNNING):
                for job in uow.jobs.recent(status, limit=100_000):
                    if self._put_back(uow, job):
                        count += 1
            uow.commit()
        return count

    def _put_back(self, uow: UnitOfWork, job: Job) -> bool:
        if job.status is JobStatus.RUNNING:
            job.fail(
                "the process running it stopped",
                self._clock.now(),
                RetryPolicy(base_delay=0, jitter=0),
            )
        elif job.dispatched:
            job.dispatched = False
        else:
            return False
        uow.jobs.update(job)
        return True

    def _dispatch_batch(self, ids: list[str] | None) -> tuple[int, bool]:
        """(jobs handed over, whether the broker took every job it was offered)."""
        sent, complete = 0, True
        with self._uow() as uow:
            for job in uow.jobs.claim_due(self._clock.now(), self._batch_size, ids):
                try:
                    self._queue.enqueue(job)
                except Exception as error:  # the broker: leave the rest for the next round
                    log.warning("job %s (%s) stays in the outbox: %s", job.id, job.type, error)
                    complete = False
                    break
                sent += 1
                self._mark_dispatched(uow, job)
            uow.commit()
        return sent, complete

    @staticmethod
    def _mark_dispatched(uow: UnitOfWork, job: Job) -> None:
        job.dispatched = True
        with contextlib.suppress(ConcurrencyConflict):  # a worker started it: mark not needed
            uow.jobs.update(job)
