"""Dramatiq brokers set up for ClipNET: Redis (with fast recovery of dead workers' jobs) and stub.

Dramatiq's Redis broker requeues the messages a dead worker had fetched only when two things
meet: the worker's heartbeat is older than ``heartbeat_timeout`` (60 s by default), and a
"maintenance" pass runs on that queue, which happens on a random 0.1% of Redis commands. In a
trial that took 2 to 22 minutes. Here every worker process runs :class:`Maintenance`: a thread
that, every few seconds, beats this worker's heartbeat and runs the maintenance pass on every
declared queue, so a killed worker's jobs run again within ``heartbeat_timeout`` + interval.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis
from dramatiq import Broker, Worker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware, Retries, TimeLimit

log = logging.getLogger(__name__)

#: Retries done by Dramatiq itself are only for failures *around* the job runner (the
#: database is unreachable): the runner records a handler's own failures in the job table.
INFRASTRUCTURE_RETRIES = 30
_MIN_BACKOFF_MS = 1_000
_MAX_BACKOFF_MS = 300_000
_MAINTAIN = "maintain"


class RecoveringRedisBroker(RedisBroker):
    """A Redis broker whose maintenance pass can be run on demand."""

    def _should_do_maintenance(self, command: str) -> int:
        return 1 if command == _MAINTAIN else super()._should_do_maintenance(command)

    def maintain(self) -> None:
        """Beat this process's heartbeat and requeue dead workers' unacked messages."""
        run = self._dispatch(_MAINTAIN)  # type: ignore[no-untyped-call]  # unknown command: heartbeat and maintenance only
        for queue in sorted(self.queues | self.delay_queues):
            run(queue)


class Maintenance(Middleware):
    """Runs :meth:`RecoveringRedisBroker.maintain` on a timer while a worker is up.

    A process may run several Dramatiq workers on one broker (one per queue group): the
    timer starts with the first and stops after the last has shut down.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._workers = 0
        self._lock = threading.Lock()

    def after_worker_boot(self, broker: Broker, worker: Worker) -> None:
        if not isinstance(broker, RecoveringRedisBroker):
            return
        with self._lock:
            self._workers += 1
            if self._workers > 1:
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._loop, args=(broker,), name="clipnet-maintenance", daemon=True
            )
            self._thread.start()

    def after_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        # Only after shutdown: the heartbeat must go on while running jobs finish.
        with self._lock:
            self._workers = max(0, self._workers - 1)
            if self._workers:
                return
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def _loop(self, broker: RecoveringRedisBroker) -> None:
        while True:
            try:
                broker.maintain()
            except redis.RedisError as error:
                log.warning("queue maintenance failed (Redis unreachable?): %s", error)
            if self._stop.wait(self.interval):
                return


def _middleware(maintenance_interval: float | None) -> list[Middleware]:
    middleware: list[Middleware] = [
        TimeLimit(),
        Retries(
            max_retries=INFRASTRUCTURE_RETRIES,
            min_backoff=_MIN_BACKOFF_MS,
            max_backoff=_MAX_BACKOFF_MS,
        ),
    ]
    if maintenance_interval is not None:
        middleware.append(Maintenance(maintenance_interval))
    return middleware


def redis_broker(
    url: str,
    namespace: str,
    *,
    heartbeat_timeout: float = 15.0,
    maintenance_interval: float = 3.0,
    connect_timeout: float = 5.0,
    **client_options: Any,
) -> RecoveringRedisBroker:
    """A Redis broker keeping every key under ``namespace``; timeouts in seconds."""
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=connect_timeout,
        socket_timeout=max(30.0, connect_timeout),
        **client_options,
    )
    return RecoveringRedisBroker(  # type: ignore[no-untyped-call]
        client=client,
        namespace=namespace,
        middleware=_middleware(maintenance_interval),
        heartbeat_timeout=int(heartbeat_timeout * 1000),
    )


def stub_broker() -> StubBroker:
    """An in-memory broker: messages live in this process only (the embedded default)."""
    return StubBroker(middleware=_middleware(None))


def boot(broker: Broker) -> None:
    """What ``dramatiq``'s CLI does once per worker process (starts the time-limit watcher)."""
    if not getattr(broker, "_clipnet_booted", False):
        broker._clipnet_booted = True  # type: ignore[attr-defined]
        broker.emit_after("process_boot")
