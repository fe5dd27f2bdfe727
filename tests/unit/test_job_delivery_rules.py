"""What the job runner and the outbox do with redeliveries, crashes and per-type limits."""

from __future__ import annotations

import pytest

from clipnet.adapters.dramatiq.names import job_type_of, queue_name
from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.jobs.model import Job, JobStatus, JobType, RetryPolicy
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.runner import JobRunner
from clipnet.settings.job_limits import as_per_job_type
from tests.builders import a_job, at


def database_with(*jobs: Job) -> InMemoryDatabase:
    db = InMemoryDatabase()
    with db.unit_of_work() as uow:
        for job in jobs:
            uow.jobs.add(job)
        uow.commit()
    return db


def test_a_job_whose_worker_died_in_it_on_every_try_is_quarantined() -> None:
    # given a job that was started max_attempts times and never finished (worker killed)
    db = database_with(a_job(status=JobStatus.RUNNING, attempts=3, max_attempts=3))
    calls: list[Job] = []
    runner = JobRunner(db.unit_of_work, ManualClock(at(5)), {JobType.CLIP_PROCESS: calls.append})

    # when the broker delivers it once more
    job = runner.run("job-1")

    # then it is dead without running, and says why
    assert (job.status, job.attempts, calls) == (JobStatus.DEAD, 3, [])
    assert "quarantined" in job.last_error


def test_a_redelivered_running_job_with_tries_left_runs_again_and_counts_the_try() -> None:
    db = database_with(a_job(status=JobStatus.RUNNING, attempts=1, max_attempts=3))
    calls: list[Job] = []
    runner = JobRunner(db.unit_of_work, ManualClock(at(5)), {JobType.CLIP_PROCESS: calls.append})

    job = runner.run("job-1")

    assert (job.status, job.attempts, len(calls)) == (JobStatus.SUCCEEDED, 2, 1)


def test_an_early_duplicate_of_a_job_still_backing_off_does_not_run_it() -> None:
    db = database_with(a_job(status=JobStatus.FAILED, attempts=1, run_after=at(60)))
    calls: list[Job] = []
    clock = ManualClock(at(10))
    runner = JobRunner(db.unit_of_work, clock, {JobType.CLIP_PROCESS: calls.append})

    assert runner.run("job-1").status is JobStatus.FAILED and calls == []
    clock.advance(60)
    assert runner.run("job-1").status is JobStatus.SUCCEEDED and len(calls) == 1


def test_an_interrupted_job_records_a_failed_try_and_goes_back_to_the_outbox() -> None:
    db = database_with(a_job(status=JobStatus.RUNNING, attempts=1, dispatched=True))
    runner = JobRunner(db.unit_of_work, ManualClock(at(5)), {}, RetryPolicy(base_delay=1))

    job = runner.interrupted("job-1", "time limit of 60 s exceeded")

    assert (job.status, job.dispatched) == (JobStatus.FAILED, False)
    assert job.last_error == "time limit of 60 s exceeded"
    assert runner.interrupted("job-1", "again").last_error == "time limit of 60 s exceeded"


def test_each_job_type_gets_its_own_maximum_of_tries() -> None:
    db = InMemoryDatabase()
    outbox = Outbox(
        RecordingJobQueue(),
        ManualClock(),
        SequentialIds("job"),
        5,
        max_attempts_by_type={JobType.POST_YOUTUBE: 8},
    )
    with db.unit_of_work() as uow:
        youtube = outbox.add(uow, JobType.POST_YOUTUBE, {}, "a")
        score = outbox.add(uow, JobType.ML_SCORE, {}, "b")
    assert (youtube.max_attempts, score.max_attempts) == (8, 5)


def test_released_jobs_are_marked_dispatched_so_the_relay_loop_does_not_send_them_again() -> None:
    db = InMemoryDatabase()
    queue, clock = RecordingJobQueue(), ManualClock()
    relay = OutboxRelay(db.unit_of_work, queue, clock)
    outbox = Outbox(queue, clock, SequentialIds("job"), relay=relay)
    with db.unit_of_work() as uow:
        job = outbox.add(uow, JobType.CLIP_PROCESS, {"clip_id": "c"}, "k")
        uow.commit()

    outbox.release([job])

    assert relay.relay_once() == 0
    assert [j.id for j in queue.jobs] == [job.id]
    with db.unit_of_work() as uow:
        assert uow.jobs.get(job.id).dispatched


def test_a_release_whose_database_is_gone_keeps_quiet_and_leaves_the_job_for_the_relay() -> None:
    def broken_uow() -> object:
        raise ConnectionError("database down")

    relay = OutboxRelay(broken_uow, RecordingJobQueue(), ManualClock())  # type: ignore[arg-type]
    assert relay.send(["job-1"]) == 0


@pytest.mark.parametrize("job_type", list(JobType))
def test_every_job_type_has_a_broker_safe_queue_name_that_maps_back(job_type: JobType) -> None:
    name = queue_name(job_type)
    assert ":" not in name and name.replace("_", "").isalnum()
    assert job_type_of(name) is job_type


def test_a_foreign_queue_name_is_refused() -> None:
    with pytest.raises(ValueError, match="not a ClipNET job queue"):
        job_type_of("default")


def test_per_type_settings_parse_known_types_and_name_the_bad_part() -> None:
    parse = as_per_job_type(1)
    limits = parse("ffmpeg:polish=3600, post:youtube=600")
    assert limits.get(JobType.FFMPEG_POLISH, 10) == 3600
    assert limits.get(JobType.ML_SCORE, 10) == 10
    assert str(limits) == "ffmpeg:polish=3600,post:youtube=600"
    for bad, message in [
        ("clip=3", "TYPE one of"),
        ("ml:score", "TYPE one of"),
        ("ml:score=fast", "expected a number"),
        ("ml:score=0", "at least 1"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse(bad)
