"""In-memory job queues: one that only records, one that runs jobs on the spot."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from clipnet.domain.jobs.model import Job, JobStatus
from clipnet.ports.queue import JobDispatcher

#: A job the runner left alone because it is not due yet comes back in one of these.
_WAITING = (JobStatus.FAILED, JobStatus.QUEUED)


class RecordingJobQueue:
    """Keeps every enqueued job, in order, for a test to inspect or run."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def enqueue(self, job: Job) -> None:
        if all(existing.id != job.id for existing in self.jobs):
            self.jobs.append(job)

    def types(self) -> list[str]:
        return [job.type.value for job in self.jobs]


class SynchronousJobQueue:
    """Runs each job through the dispatcher before ``enqueue`` returns.

    Jobs enqueued by a running job wait their turn (a loop, not recursion), a failed job is
    retried up to its limit once its backoff has passed, and a scheduled job (``run_after``)
    runs once it is due (``sleep`` waits for both, blocking the caller): a deterministic queue
    for tests and for embedding in a script.
    """

    def __init__(
        self,
        dispatcher: JobDispatcher | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.dispatcher = dispatcher
        self._sleep = sleep
        self._pending: deque[str] = deque()
        self._seen: set[str] = set()
        self._lock = threading.RLock()
        self._draining = False
        self.finished: list[Job] = []

    def enqueue(self, job: Job) -> None:
        with self._lock:
            if job.id in self._seen:
                return
            self._seen.add(job.id)
            self._pending.append(job.id)
            if self._draining or self.dispatcher is None:
                return
            self._draining = True
        try:
            self.drain()
        finally:
            self._draining = False

    def drain(self) -> None:
        """Run every pending job (and the jobs they enqueue) to the end."""
        assert self.dispatcher is not None, "SynchronousJobQueue needs a dispatcher to run jobs"
        while self._pending:
            job_id = self._pending.popleft()
            result = self.dispatcher.run(job_id)
            while result.status in _WAITING:  # a retry's backoff, or a scheduled job's time
                self._wait_until(result.run_after)
                result = self.dispatcher.run(job_id)
            self.finished.append(result)

    def _wait_until(self, moment: datetime | None) -> None:
        # The runner leaves a job alone before its retry is due: asking sooner only spins.
        if moment is not None:
            self._sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))
