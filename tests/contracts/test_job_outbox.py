"""The job table as an outbox, on every repository backend: claiming due jobs and relaying them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.jobs.model import Job, JobStatus, RetryPolicy
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.runner import JobRunner
from clipnet.ports.repositories import UnitOfWorkFactory
from tests.builders import a_job, at


def add(uow_factory: UnitOfWorkFactory, *jobs: Job) -> None:
    with uow_factory() as uow:
        for job in jobs:
            uow.jobs.add(job)
        uow.commit()


def test_due_undispatched_queued_and_failed_jobs_are_claimed_oldest_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(
        uow_factory,
        a_job("queued", created_at=at(2)),
        a_job("failed-due", created_at=at(1), status=JobStatus.FAILED, run_after=at(5)),
        a_job("failed-later", created_at=at(0), status=JobStatus.FAILED, run_after=at(60)),
        a_job("sent", created_at=at(3), dispatched=True),
        a_job("running", created_at=at(4), status=JobStatus.RUNNING),
        a_job("done", created_at=at(5), status=JobStatus.SUCCEEDED),
        a_job("dead", created_at=at(6), status=JobStatus.DEAD),
    )
    with uow_factory() as uow:
        assert [j.id for j in uow.jobs.claim_due(at(10))] == ["failed-due", "queued"]
        assert [j.id for j in uow.jobs.claim_due(at(10), limit=1)] == ["failed-due"]
        assert [j.id for j in uow.jobs.claim_due(at(10), ids=["queued", "sent"])] == ["queued"]
        later = [j.id for j in uow.jobs.claim_due(at(61))]
        assert later == ["failed-later", "failed-due", "queued"]


def test_the_relay_hands_each_job_over_once_and_marks_it_dispatched(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(uow_factory, *(a_job(f"job-{n}", created_at=at(n)) for n in range(5)))
    queue = RecordingJobQueue()
    relay = OutboxRelay(uow_factory, queue, ManualClock(at(100)), batch_size=2)

    assert relay.relay_once() == 5
    assert relay.relay_once() == 0
    assert [j.id for j in queue.jobs] == [f"job-{n}" for n in range(5)]
    with uow_factory() as uow:
        assert all(j.dispatched for j in uow.jobs.recent())


class FlakyBroker:
    """Takes ``accept`` jobs, then fails like a Redis that went away."""

    def __init__(self, accept: int) -> None:
        self.accepted: list[str] = []
        self._accept = accept

    def enqueue(self, job: Job) -> None:
        if len(self.accepted) >= self._accept:
            raise ConnectionError("Redis is down")
        self.accepted.append(job.id)


def test_jobs_the_broker_refused_stay_in_the_outbox_until_it_is_back(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(uow_factory, *(a_job(f"job-{n}", created_at=at(n)) for n in range(4)))
    clock = ManualClock(at(100))
    down = FlakyBroker(accept=1)

    assert OutboxRelay(uow_factory, down, clock).relay_once() == 1
    with uow_factory() as uow:
        assert [j.id for j in uow.jobs.undispatched()] == ["job-1", "job-2", "job-3"]

    back = FlakyBroker(accept=100)
    assert OutboxRelay(uow_factory, back, clock).relay_once() == 3
    assert back.accepted == ["job-1", "job-2", "job-3"]


def test_a_failed_try_puts_the_job_back_in_the_outbox_once_its_backoff_is_over(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(uow_factory, a_job(dispatched=True))
    clock = ManualClock(at(0))

    def fail(job: Job) -> None:
        raise ConnectionError("flaky")

    runner = JobRunner(uow_factory, clock, {a_job().type: fail}, RetryPolicy(base_delay=10))
    failed = runner.run("job-1")
    queue = RecordingJobQueue()
    relay = OutboxRelay(uow_factory, queue, clock)

    assert (failed.status, failed.dispatched) == (JobStatus.FAILED, False)
    assert relay.relay_once() == 0  # still backing off
    clock.advance(13)
    assert relay.relay_once() == 1 and [j.id for j in queue.jobs] == ["job-1"]


def test_unfinished_jobs_of_a_stopped_process_go_back_to_the_outbox(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add(
        uow_factory,
        a_job("queued", created_at=at(1), dispatched=True),
        a_job("running", created_at=at(2), status=JobStatus.RUNNING, attempts=1, dispatched=True),
        a_job("done", created_at=at(3), status=JobStatus.SUCCEEDED, dispatched=True),
    )
    queue = RecordingJobQueue()
    relay = OutboxRelay(uow_factory, queue, ManualClock(at(10)))

    assert relay.requeue_unfinished() == 2
    assert relay.relay_once() == 2
    with uow_factory() as uow:
        running = uow.jobs.get("running")
    assert (running.status, running.attempts) == (JobStatus.FAILED, 1)
    assert sorted(j.id for j in queue.jobs) == ["queued", "running"]


@pytest.mark.slow
def test_concurrent_relays_hand_each_job_over_once(uow_factory: UnitOfWorkFactory) -> None:
    if isinstance(getattr(uow_factory, "__self__", None), InMemoryDatabase):
        pytest.skip("the in-memory database has no row locks; one process runs one relay")
    add(uow_factory, *(a_job(f"job-{n:03d}", created_at=at(n)) for n in range(120)))
    queue = RecordingJobQueue()
    lock = threading.Lock()

    class Shared:
        def enqueue(self, job: Job) -> None:
            with lock:
                queue.jobs.append(job)  # every send, duplicates included

    clock = ManualClock(at(1000))
    relays = [OutboxRelay(uow_factory, Shared(), clock, batch_size=10) for _ in range(3)]
    threads = [threading.Thread(target=relay.relay_once) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for relay in relays:  # a relay that lost a race leaves jobs for the next round
        relay.relay_once()

    sent = [job.id for job in queue.jobs]
    assert sorted(set(sent)) == [f"job-{n:03d}" for n in range(120)]
    if _is_postgres(uow_factory):
        assert len(sent) == 120  # row locks: never sent twice


def _is_postgres(uow_factory: UnitOfWorkFactory) -> bool:
    database = getattr(uow_factory, "__self__", None)
    return getattr(database, "dialect", "") == "postgresql"


@settings(max_examples=30, deadline=None)
@given(
    attempts=st.integers(min_value=1, max_value=8),
    seconds=st.floats(min_value=0, max_value=1200, allow_nan=False),
)
def test_a_job_is_due_exactly_when_its_backoff_is_over(attempts: int, seconds: float) -> None:
    job = a_job(max_attempts=99)
    for _ in range(attempts):
        job.start(at(0))
        job.fail("boom", at(0), RetryPolicy())
    assert job.run_after is not None
    now = at(seconds)
    assert job.is_due(now) == (job.run_after <= now)
    assert job.run_after - at(0) >= timedelta(seconds=min(600, 2 * 2 ** (attempts - 1)))
