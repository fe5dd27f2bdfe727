"""The composition root: the job table, middleware, laziness and closing resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from clipnet.adapters.memory.platforms import InMemoryChat
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.container.jobs import JOB_HANDLERS, JOB_MIDDLEWARE
from clipnet.domain.clipbot.model import ChannelLink, ReplyTarget
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.middleware import JobMiddleware
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.shared.platforms import Platform
from tests.builders import a_clip, a_job, a_source, a_user
from tests.containers import app_container, memory_settings


def container_for(tmp_path: Path, **env: str) -> Container:
    return app_container(memory_settings(tmp_path, **env))


def test_every_job_type_has_a_handler_that_the_container_can_build(tmp_path: Path) -> None:
    container = container_for(tmp_path)
    assert set(JOB_HANDLERS) == set(JobType)
    for job_type, (provider, method) in JOB_HANDLERS.items():
        service = getattr(container, provider)()
        assert callable(getattr(service, method)), f"{job_type}: {provider}.{method}"
        assert container.job_runner().handles(job_type)


def test_the_middleware_providers_build_middleware(tmp_path: Path) -> None:
    container = container_for(tmp_path)
    for name in JOB_MIDDLEWARE:
        assert isinstance(getattr(container, name)(), JobMiddleware)


def test_a_service_that_cannot_be_built_fails_its_own_jobs_only(tmp_path: Path) -> None:
    container = container_for(tmp_path)
    processed: list[str] = []

    class Pipeline:
        def process(self, job: Job) -> None:
            processed.append(job.id)

    def no_transcriber() -> Any:
        raise RuntimeError("no speech model here")

    container.transcription.override(providers.Callable(no_transcriber))
    container.pipeline.override(providers.Object(Pipeline()))
    with container.uow_factory()() as uow:
        uow.jobs.add(a_job("batch", type=JobType.WHISPER_BATCH, payload={"clip_ids": []}))
        uow.jobs.add(a_job("process"))
        uow.commit()

    batch = container.job_runner().run("batch")
    process = container.job_runner().run("process")

    assert batch.status is JobStatus.FAILED
    assert batch.last_error == "RuntimeError: no speech model here"
    assert process.status is JobStatus.SUCCEEDED and processed == ["process"]


def test_an_override_made_after_the_runner_was_built_still_applies(tmp_path: Path) -> None:
    # Handlers and middleware are looked up per job, so a later override is seen.
    container = container_for(tmp_path)
    runner = container.job_runner()
    seen: list[str] = []

    class Service:
        def process(self, job: Job) -> None:
            seen.append(job.id)

    container.pipeline.override(providers.Object(Service()))
    with container.uow_factory()() as uow:
        uow.jobs.add(a_job("job-1"))
        uow.commit()

    assert runner.run("job-1").status is JobStatus.SUCCEEDED
    assert seen == ["job-1"]


def test_the_notifier_queues_a_chat_notification_after_a_clip_job_whatever_its_handler(
    tmp_path: Path,
) -> None:
    container = container_for(tmp_path)
    queue = RecordingJobQueue()
    container.queue.override(providers.Object(queue))
    # Twitch can be answered on (a notification is queued only where it can be sent)
    container.chats.override(providers.Object({Platform.TWITCH: InMemoryChat(Platform.TWITCH)}))
    with container.uow_factory()() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.clips.add(a_clip(status=ClipStatus.SCORING, attempts=1))
        uow.jobs.add(a_job("job-1", type=JobType.ML_SCORE, payload={"clip_id": "clip-1"}))
        uow.commit()
    store = container.bot_store()
    store.save_link(ChannelLink(Platform.TWITCH, "channel-1", "user-1", "source-1"))
    store.remember_request("clip-1", ReplyTarget(Platform.TWITCH, "channel-1", "msg-1", "viewer"))

    def fail_the_clip(_job: Job) -> None:
        container.lifecycle().fail("clip-1", "unreadable")
        raise RuntimeError("unreadable")

    container.job_runner().register(JobType.ML_SCORE, fail_the_clip)
    container.job_runner().run("job-1")

    assert queue.types() == ["clipbot:notify"]
    assert queue.jobs[0].payload == {"clip_id": "clip-1", "status": "failed"}


def test_building_the_container_connects_to_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `clipnet bot links` on the Redis profile: no broker is made for a command without jobs.
    def no_broker(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the broker was built")

    monkeypatch.setattr("clipnet.container.jobs.redis_broker", no_broker)
    container = container_for(tmp_path, CLIPNET_QUEUE="dramatiq")

    assert container.channel_admin().links() == []
    assert container.templates().names


def test_shutting_down_stops_the_embedded_worker_and_closes_the_database(
    tmp_path: Path,
) -> None:
    container = container_for(
        tmp_path, CLIPNET_QUEUE="inprocess", CLIPNET_DATABASE_URL=f"sqlite:///{tmp_path}/c.db"
    )
    worker = container.job_worker()
    worker.start()
    database = container.database()
    with database.unit_of_work() as uow:
        uow.jobs.recent(limit=1)
    assert worker.running and database.engine.pool.checkedin() >= 1

    container.shutdown_resources()

    assert not worker.running
    assert database.engine.pool.checkedin() == 0
    assert container.database() is not database  # a later use opens a fresh one
    container.shutdown_resources()
