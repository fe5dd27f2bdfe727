"""ClipLifecycle.advance and fail: the one path by which a clip's status changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import ConcurrencyConflict, IllegalTransition
from tests.builders import T0, a_clip


class ReleaseRecorder(RecordingJobQueue):
    """Also notes clip-1's stored status at the moment each job is handed over."""

    def __init__(self, db: InMemoryDatabase) -> None:
        super().__init__()
        self._db = db
        self.statuses: list[ClipStatus] = []

    def enqueue(self, job: Job) -> None:
        with self._db.unit_of_work() as uow:
            self.statuses.append(uow.clips.get("clip-1").status)
        super().enqueue(job)


class World:
    """A lifecycle on in-memory adapters with one clip, ``clip-1``, in ``status``."""

    def __init__(self, status: ClipStatus = ClipStatus.QUEUED) -> None:
        self.db = InMemoryDatabase()
        self.queue = ReleaseRecorder(self.db)
        clock, ids = ManualClock(T0), SequentialIds("job")
        outbox = Outbox(self.queue, clock, ids)
        templates = TemplateCatalogue()
        self.lifecycle = ClipLifecycle(self.db.unit_of_work, outbox, clock, ids, templates)
        with self.db.unit_of_work() as uow:
            uow.clips.add(a_clip(status=status, attempts=1))
            uow.commit()

    def clip(self) -> Clip:
        with self.db.unit_of_work() as uow:
            return uow.clips.get("clip-1")

    def stored_jobs(self) -> list[Job]:
        with self.db.unit_of_work() as uow:
            return uow.jobs.recent()

    def concurrent_rename(self, title: str) -> None:
        """Another worker saves the clip meanwhile, so the caller's save is stale."""
        with self.db.unit_of_work() as uow:
            clip = uow.clips.get("clip-1")
            clip.rename(title)
            uow.clips.update(clip)
            uow.commit()


def racing(world: World, times: int) -> tuple[Callable[[Clip], None], list[int]]:
    """A change that loses the race to a concurrent save its first ``times`` calls."""
    calls: list[int] = []

    def change(clip: Clip) -> None:
        calls.append(clip.version)
        if len(calls) <= times:
            world.concurrent_rename(f"renamed {len(calls)}")
        clip.score = None  # a change of our own, applied to the fresh clip each time

    return change, calls


def test_a_conflict_is_retried_on_a_fresh_read_and_then_succeeds() -> None:
    world = World()
    change, calls = racing(world, times=1)

    moved = world.lifecycle.advance(
        "clip-1", ClipStatus.SCORING, expected=ClipStatus.QUEUED, change=change
    )

    assert moved is not None and moved.status is ClipStatus.SCORING
    assert calls == [0, 1]  # the second try saw the concurrent save
    stored = world.clip()
    assert (stored.status, stored.title) == (ClipStatus.SCORING, "renamed 1")


def test_a_conflict_that_persists_raises_after_the_bound_and_records_no_job() -> None:
    world = World()
    change, calls = racing(world, times=99)

    with pytest.raises(ConcurrencyConflict):
        world.lifecycle.advance(
            "clip-1", ClipStatus.SCORING, change=change, next_job=JobType.ML_SCORE
        )

    assert len(calls) == 3
    assert world.clip().status is ClipStatus.QUEUED
    assert world.stored_jobs() == [] and world.queue.jobs == []


def test_the_next_job_is_recorded_with_the_move_and_released_after_the_commit() -> None:
    world = World()

    world.lifecycle.advance(
        "clip-1", ClipStatus.SCORING, expected=ClipStatus.QUEUED, next_job=JobType.ML_SCORE
    )

    (job,) = world.stored_jobs()
    assert (job.type, job.payload) == (JobType.ML_SCORE, {"clip_id": "clip-1"})
    assert job.idempotency_key == job_key(JobType.ML_SCORE, "clip-1", 1)
    assert world.queue.jobs == [job]
    assert world.queue.statuses == [ClipStatus.SCORING]  # committed before it was handed over


def test_a_clip_not_in_the_expected_state_is_left_alone_and_gets_no_job() -> None:
    world = World(ClipStatus.SCORING)

    moved = world.lifecycle.advance(
        "clip-1", ClipStatus.SCORING, expected=ClipStatus.QUEUED, next_job=JobType.ML_SCORE
    )

    assert moved is None
    assert world.clip().history == [] and world.stored_jobs() == []


def test_an_illegal_transition_raises_and_changes_nothing() -> None:
    world = World()

    with pytest.raises(IllegalTransition, match=r"'queued'.*'ready'"):
        world.lifecycle.advance("clip-1", ClipStatus.READY, next_job=JobType.ML_SCORE)

    assert world.clip().status is ClipStatus.QUEUED
    assert world.stored_jobs() == [] and world.queue.jobs == []


@pytest.mark.parametrize("status", [ClipStatus.READY, ClipStatus.CANCELLED, ClipStatus.FAILED])
def test_a_clip_past_failing_is_not_failed(status: ClipStatus) -> None:
    world = World(status)

    assert world.lifecycle.fail("clip-1", "boom") is None
    assert world.clip().status is status and world.clip().last_error == ""


def test_failing_records_the_reason_and_can_be_limited_to_an_expected_state() -> None:
    world = World()

    assert world.lifecycle.fail("clip-1", "boom", expected=ClipStatus.SCORING) is None
    failed = world.lifecycle.fail("clip-1", "boom", expected=ClipStatus.QUEUED)

    assert failed is not None
    assert (world.clip().status, world.clip().last_error) == (ClipStatus.FAILED, "boom")
