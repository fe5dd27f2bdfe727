"""Worker heartbeats: each running worker says who it is and what it runs, again every few
seconds, so ``/health/ready`` and ``clipnet jobs workers`` can list the live ones.

A record lives ``ttl`` seconds past its last beat: a worker that stops leaves at once, one
that is killed disappears when its record expires. Readiness only reports workers, it never
fails for want of one: the API takes requests while workers scale, restart or deploy, and the
jobs wait in the queue meanwhile.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Mapping
from datetime import datetime

import attrs

from clipnet.domain.jobs.groups import QueueGroup, job_types_in
from clipnet.domain.jobs.model import JobType
from clipnet.ports.clock import Clock
from clipnet.ports.queue import WorkerRegistry

log = logging.getLogger(__name__)


@attrs.frozen
class WorkerIdentity:
    id: str
    """Random, so that readiness (answered anonymously) names no host."""
    host: str
    pid: int


@attrs.frozen
class WorkerRecord:
    """What a live worker says about itself in its heartbeat."""

    id: str
    host: str
    pid: int
    threads: tuple[tuple[QueueGroup, int], ...]
    """Threads of each queue group it runs (the groups it leaves to others are not here)."""
    started_at: datetime
    last_beat: datetime

    @property
    def queues(self) -> tuple[JobType, ...]:
        """The job types it takes."""
        return tuple(job_type for group, _ in self.threads for job_type in job_types_in(group))

    @property
    def total_threads(self) -> int:
        return sum(count for _, count in self.threads)


class WorkerHeartbeat:
    """Writes one worker's record at each :meth:`beat`, and takes it away at :meth:`leave`."""

    def __init__(
        self,
        registry: WorkerRegistry,
        clock: Clock,
        identity: WorkerIdentity,
        threads: Mapping[QueueGroup, int],
        ttl: float,
    ) -> None:
        self._registry = registry
        self._clock = clock
        self._identity = identity
        self._threads = tuple((group, count) for group, count in threads.items() if count > 0)
        self._ttl = ttl
        self._started_at: datetime | None = None
        self._lock = threading.Lock()

    @property
    def worker_id(self) -> str:
        return self._identity.id

    def beat(self) -> None:
        now = self._clock.now()
        with self._lock:
            self._started_at = self._started_at or now
            started_at = self._started_at
        who = self._identity
        record = WorkerRecord(who.id, who.host, who.pid, self._threads, started_at, now)
        self._registry.beat(record, self._ttl)

    def leave(self) -> None:
        """The worker stopped: off the list now (a later beat starts a new record)."""
        with self._lock:
            self._started_at = None
        self._registry.leave(self._identity.id)


class Placement(enum.Enum):
    """Where this deployment's jobs run (by ``CLIPNET_QUEUE``)."""

    SEPARATE = "separate"
    """``clipnet worker`` processes (dramatiq): none alive means jobs wait."""
    IN_PROCESS = "in-process"
    """Threads of the serving process (inprocess): it is its own worker."""
    NONE = "none"
    """Inside the request that queues them (memory): there is no worker."""


@attrs.frozen
class WorkerRoll:
    workers: tuple[WorkerRecord, ...]
    note: str
    """Empty, or why the list is empty or unknown."""


class WorkerRoster:
    """The live workers, for readiness and the CLI."""

    def __init__(self, registry: WorkerRegistry, placement: Placement) -> None:
        self._registry = registry
        self._placement = placement

    def roll(self) -> WorkerRoll:
        """The live workers, oldest first; never raises (a broker outage is a note)."""
        if self._placement is Placement.NONE:
            return WorkerRoll((), "CLIPNET_QUEUE=memory runs each job inside its request")
        try:
            workers = sorted(self._registry.live(), key=lambda w: (w.started_at, w.id))
        except Exception as error:  # Redis is down: readiness's broker check says so
            log.warning("the worker list could not be read: %s", str(error)[:300])
            return WorkerRoll((), "the worker list could not be read")
        return WorkerRoll(tuple(workers), "" if workers else self._none_alive())

    def _none_alive(self) -> str:
        if self._placement is Placement.IN_PROCESS:
            return (
                "CLIPNET_QUEUE=inprocess: the worker runs inside clipnet serve (or clipnet "
                "clip), and only that process lists it"
            )
        return "no worker is alive: jobs wait in the queue until a clipnet worker starts"
