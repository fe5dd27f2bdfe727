"""Enqueue and end-to-end throughput: ClipNET's Dramatiq job queue against plain Dramatiq.

    .venv/bin/python -m bench.queue_bench [--jobs 2000] [--postgres]

Both run on the same Redis (127.0.0.1:6379), each in a key namespace of its own (deleted
afterwards), one worker thread, a no-op handler. "ours" runs every job through the job
runner, which loads the job record, marks it running and records the outcome; with the
in-memory database that is the adapter's own overhead, with ``--postgres`` (a throwaway
schema in the ``test`` database) it is the whole system's cost per job, two transactions.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

from clipnet.adapters.dramatiq.broker import redis_broker
from clipnet.adapters.dramatiq.queue import DramatiqJobQueue
from clipnet.adapters.dramatiq.worker import JobWorker
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.runner import JobRunner
from clipnet.ports.repositories import UnitOfWorkFactory

REDIS_URL = "redis://127.0.0.1:6379/0"


class Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, *_args: object) -> None:
        with self._lock:
            self.value += 1

    def wait_for(self, target: int, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while self.value < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {self.value} of {target} jobs ran")
            time.sleep(0.005)


@contextmanager
def namespace() -> Iterator[str]:
    name = f"clipnet-bench-{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{name}:*", count=1000))
        if keys:
            client.delete(*keys)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def plain_dramatiq(jobs: int) -> tuple[float, float]:
    with namespace() as ns:
        broker = RedisBroker(url=REDIS_URL, namespace=ns)
        counter = Counter()
        actor = dramatiq.Actor(
            counter.add,
            broker=broker,
            actor_name="noop",
            queue_name="noop",
            priority=0,
            options={"max_retries": 0},
        )
        enqueue = timed(lambda: [actor.send(n) for n in range(jobs)])
        worker = dramatiq.Worker(broker, worker_threads=1)
        start = time.perf_counter()
        worker.start()
        counter.wait_for(jobs)
        run = time.perf_counter() - start
        worker.stop()
        broker.close()
    return rate(jobs, enqueue), rate(jobs, run)


def ours(jobs: int, uow: UnitOfWorkFactory, via_outbox: bool) -> tuple[float, float]:
    clock, ids = SystemClock(), TimeOrderedIds()
    with namespace() as ns:
        queue = DramatiqJobQueue(redis_broker(REDIS_URL, ns))
        counter = Counter()
        runner = JobRunner(uow, clock, {JobType.CLIPBOT_NOTIFY: counter.add})
        relay = OutboxRelay(uow, queue, clock)
        outbox = Outbox(queue, clock, ids, relay=relay)
        if via_outbox:  # one transaction per job, then release: what a request does

            def enqueue_all() -> None:
                for n in range(jobs):
                    with uow() as unit:
                        job = outbox.add(unit, JobType.CLIPBOT_NOTIFY, {"n": n}, f"b:{n}")
                        unit.commit()
                    outbox.release([job])

        else:  # jobs already committed: the queue adapter's enqueue alone
            committed = _commit_jobs(uow, outbox, jobs)

            def enqueue_all() -> None:
                for job in committed:
                    queue.enqueue(job)

        enqueue = timed(enqueue_all)
        worker = JobWorker(queue, runner, None)
        start = time.perf_counter()
        worker.start()
        counter.wait_for(jobs)
        run = time.perf_counter() - start
        worker.stop(timeout=10)
    return rate(jobs, enqueue), rate(jobs, run)


def _commit_jobs(uow: UnitOfWorkFactory, outbox: Outbox, jobs: int) -> list[Job]:
    with uow() as unit:
        committed = [
            outbox.add(unit, JobType.CLIPBOT_NOTIFY, {"n": n}, f"b:{n}") for n in range(jobs)
        ]
        unit.commit()
    return committed


def postgres_uow() -> tuple[UnitOfWorkFactory, Callable[[], None]]:
    from tests.sql_databases import postgres_schema_url, sql_database

    schema = postgres_schema_url()
    url = schema.__enter__()
    database = sql_database(url)
    db = database.__enter__()

    def close() -> None:
        database.__exit__(None, None, None)
        schema.__exit__(None, None, None)

    return db.unit_of_work, close


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="also the whole system on PG")
    args = parser.parse_args()
    n = args.jobs

    rows = [("plain Dramatiq", *plain_dramatiq(n))]
    rows.append(("ours, in-memory job table", *ours(n, InMemoryDatabase().unit_of_work, False)))
    if args.postgres:
        uow, close = postgres_uow()
        try:
            rows.append(("ours, PostgreSQL, outbox per job", *ours(n, uow, True)))
        finally:
            close()

    base_enqueue, base_run = rows[0][1], rows[0][2]
    print(f"{n} no-op jobs, one worker thread, Redis at {REDIS_URL}")
    print(f"{'':34} {'enqueue/s':>10} {'ratio':>6} {'end-to-end/s':>13} {'ratio':>6}")
    for name, enqueue, run in rows:
        print(
            f"{name:34} {enqueue:10.0f} {enqueue / base_enqueue:6.2f} "
            f"{run:13.0f} {run / base_run:6.2f}"
        )


if __name__ == "__main__":
    main()
