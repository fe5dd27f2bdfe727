"""The clip lifecycle service, built through the real container with in-memory adapters."""

from __future__ import annotations

import pytest
from dependency_injector import providers

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.clips.model import ClipOrigin, ClipStatus
from clipnet.domain.highlights.features import Segment
from clipnet.domain.highlights.scoring import RankedSegment, score_segment
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.errors import IllegalTransition, InvalidInput, NotFound, RetriesExhausted
from clipnet.domain.shared.spans import TimeSpan
from tests.builders import a_source, a_user
from tests.containers import app_container, memory_settings


@pytest.fixture
def app(tmp_path) -> tuple[Container, RecordingJobQueue]:  # type: ignore[no-untyped-def]
    queue = RecordingJobQueue()
    container = app_container(
        memory_settings(tmp_path), queue=queue, clock=ManualClock(), ids=SequentialIds("clip")
    )
    with container.uow_factory()() as uow:
        uow.users.add(a_user())
        uow.users.add(a_user("user-2"))
        uow.sources.add(a_source(duration=120.0))
        uow.commit()
    return container, queue


def test_a_persons_span_past_the_end_is_refused_but_a_bots_last_seconds_are_cut_to_it(app) -> None:  # type: ignore[no-untyped-def]
    container, queue = app
    with pytest.raises(InvalidInput, match=r"only 120\.0 s long"):
        container.lifecycle().request("source-1", "user-1", TimeSpan(100, 150))
    assert queue.jobs == []
    bot = container.lifecycle().request_recent("source-1", "user-1", until=150, length=50)
    assert bot.span == TimeSpan(100, 120)  # clamped to the source


def test_a_requested_clip_is_queued_with_its_process_job(app) -> None:  # type: ignore[no-untyped-def]
    container, queue = app
    clip = container.lifecycle().request("source-1", "user-1", TimeSpan(100, 120), title=" Wow ")
    assert clip.status is ClipStatus.QUEUED
    assert clip.span == TimeSpan(100, 120)
    assert clip.title == "Wow"
    assert clip.attempts == 1
    assert queue.types() == ["clip:process"]
    assert queue.jobs[0].payload == {"clip_id": clip.id}
    with container.uow_factory()() as uow:
        stored = uow.clips.get(clip.id)
        assert stored.status is ClipStatus.QUEUED
        assert [j.type for j in uow.jobs.recent()] == [JobType.CLIP_PROCESS]


def test_another_users_source_does_not_exist_for_you(app) -> None:  # type: ignore[no-untyped-def]
    container, queue = app
    with pytest.raises(NotFound):
        container.lifecycle().request("source-1", "user-2", TimeSpan(0, 30))
    assert queue.jobs == []


def test_an_unknown_template_is_refused_with_the_known_ones(app) -> None:  # type: ignore[no-untyped-def]
    container, _ = app
    with pytest.raises(InvalidInput, match="center-crop"):
        container.lifecycle().request("source-1", "user-1", TimeSpan(0, 30), template="nope")


def test_a_bot_clip_covers_the_seconds_before_the_command(app) -> None:  # type: ignore[no-untyped-def]
    container, _ = app
    clip = container.lifecycle().request_recent("source-1", "user-1", until=90, length=30)
    assert (clip.span, clip.origin) == (TimeSpan(60, 90), ClipOrigin.BOT)


def test_detected_clips_arrive_scored_and_queued(app) -> None:  # type: ignore[no-untyped-def]
    container, queue = app
    segment = Segment(TimeSpan(10, 30), {"loudness": 0.9, "motion": 0.8})
    ranked = [RankedSegment(segment, score_segment(segment), 1)]
    (clip,) = container.lifecycle().create_detected("source-1", "user-1", ranked)
    assert clip.origin is ClipOrigin.AUTO
    assert clip.score is not None and clip.score.total > 50
    assert queue.types() == ["clip:process"]


def test_a_failed_clip_is_retried_until_its_attempts_run_out(app) -> None:  # type: ignore[no-untyped-def]
    container, queue = app
    lifecycle = container.lifecycle()
    clip = lifecycle.request("source-1", "user-1", TimeSpan(0, 30))
    for attempt in (1, 2):
        lifecycle.fail(clip.id, f"boom {attempt}")
        clip = lifecycle.retry(clip.id)
        assert clip.attempts == attempt + 1
    lifecycle.fail(clip.id, "boom 3")
    with pytest.raises(RetriesExhausted):
        lifecycle.retry(clip.id)
    assert len(queue.jobs) == 3
    assert len({j.idempotency_key for j in queue.jobs}) == 3


def test_retrying_a_clip_that_did_not_fail_is_illegal(app) -> None:  # type: ignore[no-untyped-def]
    container, _ = app
    lifecycle = container.lifecycle()
    clip = lifecycle.request("source-1", "user-1", TimeSpan(0, 30))
    with pytest.raises(IllegalTransition, match=r"'queued'.*'queued'"):
        lifecycle.retry(clip.id)


def test_a_cancelled_clip_stays_cancelled(app) -> None:  # type: ignore[no-untyped-def]
    container, _ = app
    lifecycle = container.lifecycle()
    clip = lifecycle.request("source-1", "user-1", TimeSpan(0, 30))
    lifecycle.cancel(clip.id)
    with pytest.raises(IllegalTransition):
        lifecycle.advance(clip.id, ClipStatus.SCORING)


def test_a_broker_outage_leaves_the_job_in_the_outbox(app) -> None:  # type: ignore[no-untyped-def]
    container, _ = app

    class DownQueue:
        def enqueue(self, job: object) -> None:
            raise ConnectionError("redis is down")

    container.queue.override(providers.Object(DownQueue()))
    container.outbox.reset()
    container.lifecycle.reset()
    clip = container.lifecycle().request("source-1", "user-1", TimeSpan(0, 30))
    with container.uow_factory()() as uow:
        assert uow.clips.get(clip.id).status is ClipStatus.QUEUED
        assert [j.payload for j in uow.jobs.undispatched()] == [{"clip_id": clip.id}]


def test_jobs_enqueued_in_process_run_through_the_job_runner(tmp_path) -> None:  # type: ignore[no-untyped-def]
    container = app_container(memory_settings(tmp_path))
    handled: list[str] = []
    container.job_runner().register(
        JobType.CLIP_PROCESS, lambda job: handled.append(job.payload["clip_id"])
    )
    with container.uow_factory()() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.commit()
    clip = container.lifecycle().request("source-1", "user-1", TimeSpan(0, 30))
    assert handled == [clip.id]
