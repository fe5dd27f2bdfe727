"""Running jobs: Dramatiq workers (one per queue group), the outbox relay loop and the worker's
heartbeat, started and stopped together.

Also the in-process queue of the embedded default: the same actors on a stub broker, with the
worker's threads inside the process that enqueues.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

import dramatiq

from clipnet.adapters.dramatiq.broker import boot, stub_broker
from clipnet.adapters.dramatiq.names import queue_name
from clipnet.adapters.dramatiq.queue import DramatiqJobQueue, TimeLimitFor
from clipnet.domain.jobs.groups import QueueGroup, job_types_in
from clipnet.domain.jobs.model import Job
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.workers import WorkerHeartbeat
from clipnet.ports.queue import JobDispatcher

log = logging.getLogger(__name__)


class Ticker:
    """Calls ``tick`` every ``interval`` seconds in a thread until stopped; a failing tick
    (the database or Redis is down) is logged and tried again next time."""

    def __init__(self, name: str, tick: Callable[[], None], interval: float) -> None:
        self._name = name
        self._tick = tick
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, *, wait_first: bool = False) -> None:
        """``wait_first``: the first tick after one interval (the caller just ticked)."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(wait_first,), name=self._name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self, wait_first: bool) -> None:
        if wait_first and self._stop.wait(self._interval):
            return
        while True:
            self.tick()
            if self._stop.wait(self._interval):
                return

    def tick(self) -> None:
        try:
            self._tick()
        except Exception as error:  # try again next round
            log.warning("%s round failed: %s", self._name, error)


def relay_loop(relay: OutboxRelay, interval: float) -> Ticker:
    """Hands the outbox's due jobs to the queue every ``interval`` seconds."""

    def tick() -> None:
        sent = relay.relay_once()
        if sent:
            log.info("outbox relay handed %d job(s) to the queue", sent)

    return Ticker("clipnet-relay", tick, interval)


class JobWorker:
    """Runs the jobs a :class:`DramatiqJobQueue` delivers, and relays the outbox meanwhile.

    With ``groups`` (threads per queue group) each group gets a Dramatiq worker of its own,
    consuming only that group's queues, so a group's busy threads never delay another's
    jobs; a group with 0 threads is left to other processes. Without, one Dramatiq worker
    of ``concurrency`` threads takes every queue.
    """

    def __init__(
        self,
        queue: DramatiqJobQueue,
        dispatcher: JobDispatcher,
        relay: OutboxRelay | None = None,
        *,
        concurrency: int = 1,
        groups: Mapping[QueueGroup, int] | None = None,
        heartbeat: WorkerHeartbeat | None = None,
        heartbeat_interval: float = 3.0,
        relay_interval: float = 1.0,
        shutdown_timeout: float = 600.0,
        poll_interval: float = 1.0,
    ) -> None:
        self.queue = queue
        self._dispatcher = dispatcher
        self._relay = relay
        self._relay_loop = relay_loop(relay, relay_interval) if relay is not None else None
        self._heartbeat = heartbeat
        self._beats = (
            Ticker("clipnet-heartbeat", heartbeat.beat, heartbeat_interval)
            if heartbeat is not None
            else None
        )
        self._concurrency = concurrency
        self._groups = dict(groups) if groups is not None else None
        self._shutdown_timeout = shutdown_timeout
        self._poll_interval = poll_interval
        self._workers: list[dramatiq.Worker] = []

    @property
    def running(self) -> bool:
        return bool(self._workers)

    def start(self, *, recover: bool = False) -> None:
        """Start the worker threads and the relay loop.

        ``recover``: for a queue that loses its messages with the process (in-process), put
        every unfinished job back in the outbox first, since nothing else holds it any more.
        """
        if self._workers:
            return
        self.queue.bind(self._dispatcher)
        boot(self.queue.broker)
        if recover and self._relay is not None:
            count = self._relay.requeue_unfinished()
            if count:
                log.info("%d unfinished job(s) from an earlier run go back to the queue", count)
        _quiet_about_worker_middleware(self.queue.broker)
        for queues, threads in self._consumers():
            worker = dramatiq.Worker(
                self.queue.broker,
                queues=queues,
                worker_threads=threads,
                worker_timeout=max(10, int(self._poll_interval * 1000)),
            )
            worker.start()
            self._workers.append(worker)
        if self._relay_loop is not None:
            self._relay_loop.start()
        if self._beats is not None:
            self._beats.tick()  # here, so that a started worker is listed at once
            self._beats.start(wait_first=True)

    def _consumers(self) -> list[tuple[set[str] | None, int]]:
        """(queue names, threads) of each Dramatiq worker to start; None: every queue."""
        if self._groups is None:
            return [(None, self._concurrency)]
        return [
            ({queue_name(job_type) for job_type in job_types_in(group)}, threads)
            for group, threads in self._groups.items()
            if threads > 0
        ]

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking jobs; running ones may finish within ``timeout`` seconds.

        Jobs fetched but not started go back to the broker; a job still running when the
        timeout passes stays unacknowledged, so the broker redelivers it (never lost).
        """
        if self._relay_loop is not None:
            self._relay_loop.stop()
        workers, self._workers = self._workers, []
        if not workers:
            return  # never started (or stopped already): nothing runs, nothing to leave
        wait = int((self._shutdown_timeout if timeout is None else timeout) * 1000)
        # All at once: a group still finishing its job must not let another take new ones.
        stoppers = [
            threading.Thread(target=worker.stop, kwargs={"timeout": wait}, name="clipnet-stop")
            for worker in workers
        ]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for worker in workers:
            _forget_worker_middleware(self.queue.broker, worker)
        self._leave()

    def _leave(self) -> None:
        """Off the list of live workers once no job of this worker runs any more."""
        if self._beats is None or self._heartbeat is None:
            return
        self._beats.stop()
        try:
            self._heartbeat.leave()
        except Exception as error:  # Redis is down: the record expires by itself
            log.warning("this worker's heartbeat record stays until it expires: %s", error)


_WORKER_MIDDLEWARE = "_WorkerMiddleware"
"""The middleware each ``dramatiq.Worker`` adds to its broker (to learn of new queues)."""


class _NotWorkerMiddleware(logging.Filter):
    """Drops Dramatiq's "adding a middleware of the same type twice" warning for the second
    worker of a process: one worker per queue group is meant, not a mistake."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not any(type(arg).__name__ == _WORKER_MIDDLEWARE for arg in args)


def _quiet_about_worker_middleware(broker: dramatiq.Broker) -> None:
    if not any(isinstance(f, _NotWorkerMiddleware) for f in broker.logger.filters):
        broker.logger.addFilter(_NotWorkerMiddleware())


def _forget_worker_middleware(broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
    """Dramatiq never removes a stopped worker's middleware; a worker started again (tests,
    the embedded queue) would pile them up on the broker."""
    broker.middleware[:] = [
        m
        for m in broker.middleware
        if not (type(m).__name__ == _WORKER_MIDDLEWARE and getattr(m, "worker", None) is worker)
    ]


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
