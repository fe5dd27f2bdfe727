"""Job systems (queue + worker + relay + runner) for the job-queue contract and integration tests.

Each system keeps its Redis keys under its own namespace and deletes them when closed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import redis

from clipnet.adapters.dramatiq.broker import redis_broker
from clipnet.adapters.dramatiq.queue import DramatiqJobQueue
from clipnet.adapters.dramatiq.worker import InProcessJobQueue, JobWorker
from clipnet.adapters.memory.queue import SynchronousJobQueue
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.domain.jobs.model import Job, JobType, JsonValue, RetryPolicy
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.runner import JobRunner
from clipnet.ports.queue import JobQueue
from clipnet.ports.repositories import UnitOfWorkFactory

REDIS_URL = "redis://127.0.0.1:6379/0"
FAST_RETRY = RetryPolicy(base_delay=0.05, max_delay=0.2, jitter=0.1)
#: ml:score jobs get one second in the test systems, to see a time limit at work.
SHORT_LIMITED = JobType.ML_SCORE


def short_time_limits(job_type: JobType) -> float:
    return 1.0 if job_type is SHORT_LIMITED else 1800.0


def redis_available(url: str = REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def fresh_namespace() -> str:
    return f"clipnet-test-{uuid.uuid4().hex[:12]}"


def delete_namespace(namespace: str, url: str = REDIS_URL) -> None:
    """Delete this namespace's keys only (Redis is shared with other test runs)."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    client.close()


@attrs.define
class JobSystem:
    """Everything between "a job was committed" and "its handler ran", for one adapter."""

    uow: UnitOfWorkFactory
    runner: JobRunner
    queue: JobQueue
    outbox: Outbox
    worker: JobWorker | None = None
    namespace: str = ""
    max_attempts: int = 3

    def on(self, job_type: JobType, handler: Callable[[Job], None]) -> None:
        self.runner.register(job_type, handler)

    def submit(self, job_type: JobType, payload: dict[str, JsonValue], key: str = "") -> Job:
        """Commit a job in the outbox and release it, as a request would."""
        with self.uow() as uow:
            job = self.outbox.add(uow, job_type, payload, key or uuid.uuid4().hex)
            uow.commit()
        self.outbox.release([job])
        return job

    def job(self, job_id: str) -> Job:
        with self.uow() as uow:
            return uow.jobs.get(job_id)

    def wait_finished(self, job_ids: Iterable[str], timeout: float = 30.0) -> list[Job]:
        """The jobs once all are succeeded or dead; fails the test after ``timeout``."""
        ids = list(job_ids)
        deadline = time.monotonic() + timeout
        while True:
            jobs = [self.job(job_id) for job_id in ids]
            if all(job.is_finished for job in jobs):
                return jobs
            if time.monotonic() > deadline:
                states = {job.id: (job.status.value, job.attempts) for job in jobs}
                raise AssertionError(f"jobs did not finish in {timeout} s: {states}")
            time.sleep(0.02)

    def settle(self) -> None:
        """Wait until the broker holds no more messages (duplicates included)."""
        if isinstance(self.queue, DramatiqJobQueue):
            for name in self.queue.queue_names():
                self.queue.broker.join(name, timeout=30_000)
            time.sleep(0.1)  # the last message's ack follows the handler by a moment

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=5)
        if self.namespace:
            delete_namespace(self.namespace)


class HeldPolishes:
    """``ffmpeg:polish`` handlers that hold their thread until :meth:`release` (or for ``hold``
    seconds), a chat reply handler, and the order in which handlers finished. With queue
    groups the reply runs while every media thread is held; without, it waits for a polish to
    give its thread up, after ``hold``."""

    def __init__(self, hold: float = 30.0) -> None:
        self.hold = hold
        self.finished: list[str] = []
        self.running = 0
        self._release = threading.Event()
        self._lock = threading.Lock()

    def polish(self, job: Job) -> None:
        with self._lock:
            self.running += 1
        self._release.wait(self.hold)
        self._done(job)

    def reply(self, job: Job) -> None:
        self._done(job)

    def release(self) -> None:
        self._release.set()

    def _done(self, job: Job) -> None:
        with self._lock:
            self.finished.append(job.id)


def build_system(kind: str, uow: UnitOfWorkFactory, **worker_options: Any) -> JobSystem:
    """A job system of ``kind`` (memory, inprocess, dramatiq) over the database ``uow``."""
    clock, ids = SystemClock(), TimeOrderedIds()
    runner = JobRunner(uow, clock, {}, FAST_RETRY)
    if kind == "memory":
        sync = SynchronousJobQueue(runner)
        return JobSystem(uow, runner, sync, Outbox(sync, clock, ids, 3))
    namespace = ""
    queue: DramatiqJobQueue
    if kind == "inprocess":
        queue = InProcessJobQueue(short_time_limits)
    elif kind == "dramatiq":
        namespace = fresh_namespace()
        broker = redis_broker(REDIS_URL, namespace, heartbeat_timeout=5, maintenance_interval=0.5)
        queue = DramatiqJobQueue(broker, short_time_limits)
    else:  # pragma: no cover - a kind listed without a builder is a bug in the test
        raise AssertionError(f"no job system {kind!r}")
    relay = OutboxRelay(uow, queue, clock)
    options = {"relay_interval": 0.05, "poll_interval": 0.05, **worker_options}
    worker = JobWorker(queue, runner, relay, **options)
    worker.start()
    outbox = Outbox(queue, clock, ids, 3, relay=relay)
    return JobSystem(uow, runner, queue, outbox, worker, namespace)
