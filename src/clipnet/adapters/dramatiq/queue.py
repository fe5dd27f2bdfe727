"""The job queue on Dramatiq: one queue and one actor per job type, all running the same code.

A message carries only the job id. The actor asks the job runner (the domain) to run the job,
which loads it from the job table, records the try, calls the handler and records the outcome;
so redelivering a message is harmless and a job's state never lives only in the broker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dramatiq
from dramatiq import Broker
from dramatiq.middleware import TimeLimitExceeded

from clipnet.adapters.dramatiq.names import queue_name
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.shared.errors import NotFound
from clipnet.ports.queue import JobDispatcher

log = logging.getLogger(__name__)

TimeLimitFor = Callable[[JobType], float]
"""Seconds a job of a given type may run before the worker interrupts it."""


class NoDispatcher(RuntimeError):
    """A message arrived in a process that only enqueues (no job runner bound)."""


class DramatiqJobQueue:
    """A :class:`~clipnet.ports.queue.JobQueue` on any Dramatiq broker."""

    def __init__(self, broker: Broker, time_limit: TimeLimitFor | None = None) -> None:
        self.broker = broker
        self._time_limit = time_limit or (lambda _type: 1800.0)
        self._dispatcher: JobDispatcher | None = None
        self._one_run = KeyedLocks()
        self.actors = {job_type: self._declare(job_type) for job_type in JobType}

    def bind(self, dispatcher: JobDispatcher) -> None:
        """Run delivered jobs through ``dispatcher`` (in worker processes)."""
        self._dispatcher = dispatcher

    def enqueue(self, job: Job) -> None:
        self.actors[job.type].send(job.id)

    def queue_names(self) -> list[str]:
        return [actor.queue_name for actor in self.actors.values()]

    def _declare(self, job_type: JobType) -> dramatiq.Actor[[str], None]:
        limit = self._time_limit(job_type)
        name = queue_name(job_type)

        def perform(job_id: str) -> None:
            self._perform(job_id, limit)

        perform.__name__ = perform.__qualname__ = name
        return dramatiq.Actor(
            perform,
            broker=self.broker,
            actor_name=name,
            queue_name=name,
            priority=0,
            options={"time_limit": int(limit * 1000)},
        )

    def _perform(self, job_id: str, limit: float) -> None:
        dispatcher = self._dispatcher
        if dispatcher is None:
            raise NoDispatcher("this process has no job runner to run jobs with")
        running = False
        try:
            # A duplicate message (the relay and the commit's fast path both sent it) must not
            # run beside the first on another thread: it waits, then finds the job finished.
            with self._one_run.hold(job_id):
                running = True
                dispatcher.run(job_id)
        except NotFound:
            log.warning("job %s is not in the job table; its message is dropped", job_id)
        except TimeLimitExceeded:
            if running:
                dispatcher.interrupted(job_id, f"time limit of {limit:g} s exceeded")
            else:  # the first delivery still runs it, and records how it ends
                log.warning("job %s: a duplicate message waited past its time limit", job_id)


class KeyedLocks:
    """One holder per key at a time (per job id); a key's lock lives while someone needs it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users > 1:
                    self._locks[key] = (lock, users - 1)
                else:
                    del self._locks[key]
