"""The job-queue contract: every queue adapter delivers, retries and dead-letters the same way.

Runs on the synchronous in-memory queue, the in-process queue (Dramatiq stub broker and a
worker thread) and Dramatiq on a real Redis (its own key namespace, deleted afterwards).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.shared.errors import PermanentJobError
from tests.conftest import require_service
from tests.job_harness import SHORT_LIMITED, JobSystem, build_system, redis_available

QUEUES = ["memory", "inprocess", pytest.param("dramatiq", marks=pytest.mark.redis)]


@pytest.fixture(params=QUEUES)
def system(request: pytest.FixtureRequest) -> Iterator[JobSystem]:
    if request.param == "dramatiq":
        require_service(redis_available(), "Redis at 127.0.0.1:6379")
    built = build_system(request.param, InMemoryDatabase().unit_of_work)
    yield built
    built.close()


class Calls:
    """A handler that records the jobs it was given (thread-safe: workers are threads)."""

    def __init__(self, fail_times: int = 0, error: Exception | None = None) -> None:
        self.jobs: list[Job] = []
        self._fail_times = fail_times
        self._error = error or ConnectionError("upstream unavailable")
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> None:
        with self._lock:
            self.jobs.append(job)
            failing = len(self.jobs) <= self._fail_times
        if failing:
            raise self._error


def test_a_job_reaches_the_handler_of_its_type(system: JobSystem) -> None:
    polish, score = Calls(), Calls()
    system.on(JobType.FFMPEG_POLISH, polish)
    system.on(JobType.ML_SCORE, score)

    job = system.submit(JobType.ML_SCORE, {"clip_id": "clip-1"})
    [done] = system.wait_finished([job.id])

    assert done.status is JobStatus.SUCCEEDED
    assert [j.id for j in score.jobs] == [job.id] and polish.jobs == []


PAYLOADS = [
    {},
    {"clip_id": "clip-1", "spans": [[1.5, 3.0], [7.25, 9.0]], "none": None, "ok": True},
    {"title": 'Ünïcödé ✂️ "quotes" and \\ slashes', "nested": {"a": [{"b": []}]}},
    {"big": 2**53, "negative": -1, "float": 0.1, "empty": "", "list": [None, False, 0]},
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_handler_gets_the_payload_intact(system: JobSystem, payload: dict[str, Any]) -> None:
    seen = Calls()
    system.on(JobType.CLIP_PROCESS, seen)

    job = system.submit(JobType.CLIP_PROCESS, payload)
    system.wait_finished([job.id])

    assert [j.payload for j in seen.jobs] == [payload]


def test_enqueuing_the_same_job_again_runs_it_once(system: JobSystem) -> None:
    calls = Calls()
    system.on(JobType.CLIPBOT_NOTIFY, calls)

    job = system.submit(JobType.CLIPBOT_NOTIFY, {"clip_id": "clip-1"})
    system.queue.enqueue(job)
    system.queue.enqueue(job)
    [done] = system.wait_finished([job.id])
    system.settle()

    assert len(calls.jobs) == 1
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)


@pytest.fixture(params=QUEUES[1:])
def threaded(request: pytest.FixtureRequest) -> Iterator[JobSystem]:
    """A worker-based system with three threads for every queue."""
    if request.param == "dramatiq":
        require_service(redis_available(), "Redis at 127.0.0.1:6379")
    built = build_system(request.param, InMemoryDatabase().unit_of_work, concurrency=3)
    yield built
    built.close()


def test_a_duplicate_delivered_while_its_job_runs_waits_for_it_and_does_not_run_it_again(
    threaded: JobSystem,
) -> None:
    # given a job running on one of three threads
    release, calls = threading.Event(), Calls()

    def slow(job: Job) -> None:
        calls(job)
        release.wait(30)

    threaded.on(JobType.CLIPBOT_CLIP, slow)
    job = threaded.submit(JobType.CLIPBOT_CLIP, {"n": 1})
    deadline = time.monotonic() + 30
    while not calls.jobs:
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.02)

    # when two more messages for it arrive while it runs (free threads take them)
    threaded.queue.enqueue(job)
    threaded.queue.enqueue(job)
    time.sleep(1.0)  # room for a wrong second run to start
    running_twice = len(calls.jobs) > 1
    release.set()
    [done] = threaded.wait_finished([job.id])
    threaded.settle()

    # then it ran once: the duplicates waited, then found it finished
    assert not running_twice
    assert len(calls.jobs) == 1
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)


def test_a_handler_that_fails_twice_then_succeeds_ends_succeeded_with_three_attempts(
    system: JobSystem,
) -> None:
    flaky = Calls(fail_times=2)
    system.on(JobType.WHISPER_BATCH, flaky)

    job = system.submit(JobType.WHISPER_BATCH, {"source_id": "source-1"})
    [done] = system.wait_finished([job.id])

    assert (done.status, done.attempts, done.last_error) == (JobStatus.SUCCEEDED, 3, "")
    assert len(flaky.jobs) == 3


def test_a_job_that_always_fails_ends_dead_with_its_error_and_payload(system: JobSystem) -> None:
    broken = Calls(fail_times=99, error=TimeoutError("upload timed out"))
    system.on(JobType.POST_TIKTOK, broken)

    job = system.submit(JobType.POST_TIKTOK, {"clip_id": "clip-9"})
    [done] = system.wait_finished([job.id])
    system.settle()

    assert done.status is JobStatus.DEAD
    assert done.attempts == system.max_attempts == len(broken.jobs)
    assert done.last_error == "TimeoutError: upload timed out"
    assert done.payload == {"clip_id": "clip-9"}


def test_a_permanent_error_is_not_retried(system: JobSystem) -> None:
    missing = Calls(fail_times=99, error=PermanentJobError("source source-1 is gone"))
    system.on(JobType.CLIP_PROCESS, missing)

    job = system.submit(JobType.CLIP_PROCESS, {"clip_id": "clip-1"})
    [done] = system.wait_finished([job.id])
    system.settle()

    assert (done.status, done.attempts, len(missing.jobs)) == (JobStatus.DEAD, 1, 1)
    assert "source source-1 is gone" in done.last_error


def test_many_jobs_each_run_once(system: JobSystem) -> None:
    calls = Calls()
    system.on(JobType.CLIPBOT_POST, calls)

    jobs = [system.submit(JobType.CLIPBOT_POST, {"n": n}) for n in range(30)]
    done = system.wait_finished([job.id for job in jobs])
    system.settle()

    assert all(job.status is JobStatus.SUCCEEDED for job in done)
    assert sorted(j.payload["n"] for j in calls.jobs) == list(range(30))


def test_a_job_over_its_time_limit_is_stopped_and_counts_as_a_failed_try(
    system: JobSystem,
) -> None:
    if system.worker is None:
        pytest.skip("the synchronous queue runs jobs inline, without time limits")
    tries = Calls()

    def hang(job: Job) -> None:
        tries(job)
        for _ in range(400):  # short sleeps: the interrupt lands between them
            time.sleep(0.05)

    system.on(SHORT_LIMITED, hang)
    job = system.submit(SHORT_LIMITED, {"clip_id": "clip-1"})
    [done] = system.wait_finished([job.id], timeout=60)

    assert (done.status, done.attempts, len(tries.jobs)) == (JobStatus.DEAD, 3, 3)
    assert done.last_error == "time limit of 1 s exceeded"


def test_a_job_scheduled_ahead_runs_once_and_not_before_its_time(system: JobSystem) -> None:
    seen = Calls()
    system.on(JobType.POST_YOUTUBE, seen)
    when = datetime.now(UTC) + timedelta(seconds=1)

    with system.uow() as uow:
        job = system.outbox.add(uow, JobType.POST_YOUTUBE, {"n": 1}, "scheduled", run_after=when)
        uow.commit()
    system.outbox.release([job])  # the fast path after a commit hands nothing over early
    [done] = system.wait_finished([job.id])
    system.settle()

    assert done.status is JobStatus.SUCCEEDED and done.attempts == 1
    assert [j.id for j in seen.jobs] == [job.id]
    assert done.started_at is not None and done.started_at >= when
