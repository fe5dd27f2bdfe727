"""Recording jobs inside a transaction and handing them over after it commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from clipnet.domain.jobs.model import REQUEST_ID_KEY, Job, JobType, JsonValue
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.shared.correlation import current_request_id
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.queue import JobQueue
from clipnet.ports.repositories import UnitOfWork

log = logging.getLogger(__name__)


class Outbox:
    """Jobs are rows in the caller's transaction first, broker messages second.

    So a request that writes a clip and its ``clip:process`` job does both or neither, and a
    broker that is down delays the job instead of losing it (the relay sends it later).
    """

    def __init__(
        self,
        queue: JobQueue,
        clock: Clock,
        ids: IdGenerator,
        max_attempts: int = 5,
        *,
        max_attempts_by_type: Mapping[JobType, int] | None = None,
        relay: OutboxRelay | None = None,
    ) -> None:
        self._queue = queue
        self._clock = clock
        self._ids = ids
        self._max_attempts = max_attempts
        self._max_attempts_by_type = dict(max_attempts_by_type or {})
        self._relay = relay

    def add(
        self,
        uow: UnitOfWork,
        job_type: JobType,
        payload: dict[str, JsonValue],
        idempotency_key: str,
        *,
        run_after: datetime | None = None,
    ) -> Job:
        """Record a job in ``uow``; with a key already used, the first job comes back.

        ``run_after``: not before then (a scheduled job). It waits in the outbox: the relay
        hands a job over only once it is due, so the schedule survives any restart.

        The current request id (if any) goes into the payload, so the job's log lines carry it.
        """
        request_id = current_request_id()
        if request_id and REQUEST_ID_KEY not in payload:
            payload = {**payload, REQUEST_ID_KEY: request_id}
        job = Job(
            id=self._ids.new_id(),
            type=job_type,
            idempotency_key=idempotency_key,
            created_at=self._clock.now(),
            payload=payload,
            max_attempts=self._max_attempts_by_type.get(job_type, self._max_attempts),
            run_after=run_after,
        )
        return uow.jobs.add(job)

    def release(self, jobs: Iterable[Job]) -> None:
        """Hand committed jobs to the queue. Call only after the unit of work committed.

        With a relay, each job handed over is marked dispatched (claimed, so the relay loop
        does not send it again); without one, jobs go straight to the queue unmarked.
        """
        if self._relay is not None:
            self._relay.send([job.id for job in jobs if not job.is_finished])
            return
        for job in jobs:
            if job.is_finished:
                continue
            try:
                self._queue.enqueue(job)
            except Exception as error:  # any broker failure: the relay retries from the table
                log.warning("job %s (%s) stays in the outbox: %s", job.id, job.type, error)
