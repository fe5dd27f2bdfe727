"""Middleware around every job: called in order, after the handler whatever it did."""

from __future__ import annotations

import logging

import pytest

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.jobs.middleware import JobLog, JobMiddleware
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.jobs.runner import JobRunner
from clipnet.ports.queue import JobHandler
from tests.builders import a_job


class Recording(JobMiddleware):
    def __init__(self, name: str, events: list[str]) -> None:
        self._name = name
        self._events = events

    def before_job(self, job: Job) -> None:
        self._events.append(f"{self._name} before {job.id}")

    def after_job(self, job: Job, error: BaseException | None) -> None:
        outcome = "ok" if error is None else type(error).__name__
        self._events.append(f"{self._name} after {job.id}: {outcome}")


def runner(handler: JobHandler, *middleware: JobMiddleware) -> JobRunner:
    db = InMemoryDatabase()
    with db.unit_of_work() as uow:
        uow.jobs.add(a_job())
        uow.commit()
    return JobRunner(
        db.unit_of_work, ManualClock(), {JobType.CLIP_PROCESS: handler}, middleware=middleware
    )


def test_middleware_wraps_the_handler_outermost_first() -> None:
    events: list[str] = []

    def handler(job: Job) -> None:
        events.append(f"handler {job.id}")

    done = runner(handler, Recording("log", events), Recording("notify", events)).run("job-1")

    assert done.status is JobStatus.SUCCEEDED
    assert events == [
        "log before job-1",
        "notify before job-1",
        "handler job-1",
        "notify after job-1: ok",
        "log after job-1: ok",
    ]


def test_middleware_sees_a_failed_handler_and_the_failure_is_still_recorded() -> None:
    events: list[str] = []

    def broken(_job: Job) -> None:
        raise ConnectionError("the storage is down")

    done = runner(broken, Recording("notify", events)).run("job-1")

    assert events == ["notify before job-1", "notify after job-1: ConnectionError"]
    assert done.status is JobStatus.FAILED
    assert done.last_error == "ConnectionError: the storage is down"


def test_the_job_log_says_which_job_ended_how_and_how_long_it_took(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_job: Job) -> None:
        raise ValueError("bad payload")

    with caplog.at_level(logging.INFO, logger="clipnet.domain.jobs.middleware"):
        runner(broken, JobLog()).run("job-1")

    (line,) = [r.getMessage() for r in caplog.records if r.name.endswith("middleware")]
    assert line.startswith("job job-1 (clip:process) failed: ValueError in ")
    assert line.endswith(" s")
