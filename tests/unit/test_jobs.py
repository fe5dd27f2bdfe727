"""Job records, retry backoff and the job runner every queue adapter shares."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.jobs.model import Job, JobStatus, JobType, RetryPolicy, job_key
from clipnet.domain.jobs.runner import JobRunner
from clipnet.domain.shared.errors import IllegalTransition, PermanentJobError
from tests.builders import a_job, at

FAST = RetryPolicy(base_delay=0.05, max_delay=0.2, jitter=0.1)


@given(st.integers(min_value=1, max_value=30), st.text(max_size=10))
def test_backoff_grows_with_attempts_within_its_jitter_and_cap(attempt: int, job_id: str) -> None:
    policy = RetryPolicy(base_delay=2, max_delay=600, jitter=0.25)
    delay = policy.delay(attempt, job_id).total_seconds()
    raw = min(600, 2 * 2 ** (attempt - 1))
    assert raw <= delay <= raw * 1.25
    assert policy.delay(attempt, job_id) == policy.delay(attempt, job_id)


def test_a_job_out_of_attempts_is_dead_with_its_error() -> None:
    job = a_job(max_attempts=2)
    for second in (1, 2):
        job.start(at(second))
        job.fail(f"error {second}", at(second), RetryPolicy())
    assert (job.status, job.attempts, job.last_error) == (JobStatus.DEAD, 2, "error 2")


def test_a_permanent_failure_is_dead_at_once() -> None:
    job = a_job()
    job.start(at(1))
    job.fail("no such source", at(1), RetryPolicy(), permanent=True)
    assert job.status is JobStatus.DEAD and job.attempts == 1


def test_a_finished_job_cannot_start_again_but_an_operator_can_requeue_a_dead_one() -> None:
    job = a_job(max_attempts=1)
    job.start(at(1))
    job.fail("boom", at(2), RetryPolicy())
    with pytest.raises(IllegalTransition):
        job.start(at(3))
    job.requeue(at(4))
    assert job.status is JobStatus.QUEUED and job.max_attempts > job.attempts


def test_idempotency_keys_read_as_type_and_parts() -> None:
    assert job_key(JobType.POST_YOUTUBE, "clip-1") == "post:youtube:clip-1"


def runner_with(handler, max_attempts: int = 3) -> tuple[JobRunner, ManualClock]:  # type: ignore[no-untyped-def]
    db = InMemoryDatabase()
    with db.unit_of_work() as uow:
        uow.jobs.add(a_job(max_attempts=max_attempts))
        uow.commit()
    clock = ManualClock()
    return JobRunner(db.unit_of_work, clock, {JobType.CLIP_PROCESS: handler}), clock


def test_a_handler_that_fails_twice_then_succeeds_ends_with_three_attempts() -> None:
    calls: list[Job] = []

    def flaky(job: Job) -> None:
        calls.append(job)
        if len(calls) < 3:
            raise ConnectionError("try again")

    runner, clock = runner_with(flaky)
    statuses = []
    for _ in range(3):
        statuses.append(runner.run("job-1").status)
        clock.advance(3600)  # past any backoff
    assert statuses == [JobStatus.FAILED, JobStatus.FAILED, JobStatus.SUCCEEDED]
    final = runner.run("job-1")  # a redelivery of a finished job does nothing
    assert (final.status, final.attempts, len(calls)) == (JobStatus.SUCCEEDED, 3, 3)


def test_a_failed_job_waits_for_its_backoff() -> None:
    def broken(job: Job) -> None:
        raise RuntimeError("nope")

    runner, _ = runner_with(broken)
    job = runner.run("job-1")
    assert job.run_after is not None and job.finished_at is not None
    assert job.run_after - job.finished_at >= timedelta(seconds=2)
    assert job.last_error == "RuntimeError: nope"
    early = runner.run("job-1")  # delivered again before its backoff ran out: left waiting
    assert (early.status, early.attempts) == (JobStatus.FAILED, 1)


def test_a_permanent_error_is_not_retried() -> None:
    calls: list[Job] = []

    def bad_input(job: Job) -> None:
        calls.append(job)
        raise PermanentJobError("source missing")

    runner, _ = runner_with(bad_input)
    assert runner.run("job-1").status is JobStatus.DEAD
    assert runner.run("job-1").status is JobStatus.DEAD
    assert len(calls) == 1


def test_a_job_without_a_handler_is_dead_with_a_reason() -> None:
    db = InMemoryDatabase()
    with db.unit_of_work() as uow:
        uow.jobs.add(a_job(type=JobType.POST_TIKTOK))
        uow.commit()
    runner = JobRunner(db.unit_of_work, ManualClock(), {})
    job = runner.run("job-1")
    assert job.status is JobStatus.DEAD and "post:tiktok" in job.last_error


def test_the_synchronous_queue_waits_out_a_retrys_backoff_instead_of_spinning() -> None:
    from clipnet.adapters.memory.queue import SynchronousJobQueue
    from clipnet.adapters.system import SystemClock, TimeOrderedIds
    from clipnet.domain.jobs.outbox import Outbox

    # given a handler that fails twice, and a runner counting how often it is asked to run
    db, clock = InMemoryDatabase(), SystemClock()
    failures = iter([RuntimeError("flaky"), RuntimeError("flaky")])

    def flaky(_job: Job) -> None:
        error = next(failures, None)
        if error is not None:
            raise error

    runner = JobRunner(db.unit_of_work, clock, {JobType.CLIPBOT_NOTIFY: flaky}, FAST)
    asked: list[str] = []

    class CountingDispatcher:
        def run(self, job_id: str) -> Job:
            asked.append(job_id)
            return runner.run(job_id)

        def interrupted(self, job_id: str, reason: str) -> Job:
            return runner.interrupted(job_id, reason)

    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    queue = SynchronousJobQueue(CountingDispatcher(), sleep=sleep)
    outbox = Outbox(queue, clock, TimeOrderedIds())
    # when the job is enqueued
    with db.unit_of_work() as uow:
        job = outbox.add(uow, JobType.CLIPBOT_NOTIFY, {}, "flaky-1")
        uow.commit()
    outbox.release([job])
    # then it ran three times, waiting out each backoff once
    assert queue.finished[-1].status is JobStatus.SUCCEEDED
    assert len(asked) == 3
    assert len(waits) == 2 and all(0 < wait <= 0.2 for wait in waits)
