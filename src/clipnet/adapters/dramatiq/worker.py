"""Running jobs: a Dramatiq worker plus the outbox relay loop, started and stopped together.

Also the in-process queue of the embedded default: the same actors on a stub broker, with the
worker's threads inside the process that enqueues.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import dramatiq

from clipnet.adapters.dramatiq.broker import boot, stub_broker
from clipnet.adapters.dramatiq.queue import DramatiqJobQueue, TimeLimitFor
from clipnet.domain.jobs.model import Job
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.ports.queue import JobDispatcher

log = logging.getLogger(__name__)


class RelayLoop:
    """Calls :meth:`OutboxRelay.relay_once` every ``interval`` seconds in a thread."""

    def __init__(self, relay: OutboxRelay, interval: float) -> None:
        self._relay = relay
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="clipnet-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            try:
                sent = self._relay.relay_once()
                if sent:
                    log.info("outbox relay handed %d job(s) to the queue", sent)
            except Exception as error:  # the database is down: try again next round
                log.warning("outbox relay round failed: %s", error)
            if self._stop.wait(self._interval):
                return


class JobWorker:
    """Runs the jobs a :class:`DramatiqJobQueue` delivers, and relays the outbox meanwhile."""

    def __init__(
        self,
        queue: DramatiqJobQueue,
        dispatcher: JobDispatcher,
        relay: OutboxRelay | None = None,
        *,
        concurrency: int = 1,
        relay_interval: float = 1.0,
        shutdown_timeout: float = 600.0,
        poll_interval: float = 1.0,
    ) -> None:
        self.queue = queue
        self._dispatcher = dispatcher
        self._relay = relay
        self._relay_loop = RelayLoop(relay, relay_interval) if relay is not None else None
        self._concurrency = concurrency
        self._shutdown_timeout = shutdown_timeout
        self._poll_interval = poll_interval
        self._worker: dramatiq.Worker | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, *, recover: bool = False) -> None:
        """Start the worker threads and the relay loop.

        ``recover``: for a queue that loses its messages with the process (in-process), put
        every unfinished job back in the outbox first, since nothing else holds it any more.
        """
        if self._worker is not None:
            return
        self.queue.bind(self._dispatcher)
        boot(self.queue.broker)
        if recover and self._relay is not None:
            count = self._relay.requeue_unfinished()
            if count:
                log.info("%d unfinished job(s) from an earlier run go back to the queue", count)
        worker = dramatiq.Worker(
            self.queue.broker,
            worker_threads=self._concurrency,
            worker_timeout=max(10, int(self._poll_interval * 1000)),
        )
        worker.start()
        self._worker = worker
        if self._relay_loop is not None:
            self._relay_loop.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking jobs; running ones may finish within ``timeout`` seconds.

        Jobs fetched but not started go back to the broker; a job still running when the
        timeout passes stays unacknowledged, so the broker redelivers it (never lost).
        """
        if self._relay_loop is not None:
            self._relay_loop.stop()
        worker, self._worker = self._worker, None
        if worker is not None:
            wait = self._shutdown_timeout if timeout is None else timeout
            worker.stop(timeout=int(wait * 1000))


class InProcessJobQueue(DramatiqJobQueue):
    """Jobs run by worker threads of this process (the embedded default; no Redis).

    Messages live in memory: jobs not finished when the process stops are still in the job
    table, and the next process that starts a worker with ``recover=True`` sends them again.
    """

    def __init__(
        self, time_limit: TimeLimitFor | None = None, *, starter: Callable[[], None] | None = None
    ) -> None:
        """``starter`` (which starts this process's worker) is called before the first job."""
        super().__init__(stub_broker(), time_limit)
        self._starter = starter
        self._lock = threading.Lock()

    def enqueue(self, job: Job) -> None:
        with self._lock:
            starter, self._starter = self._starter, None
        if starter is not None:
            starter()
        super().enqueue(job)
