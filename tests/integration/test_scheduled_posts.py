"""Scheduled posts on real Redis and PostgreSQL, with the worker in its own process: a post
scheduled 3 s ahead reaches the loopback YouTube once and not before its time, though the
worker is killed and started again in between; a cancelled one never goes out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clipnet.adapters.crypto import new_key
from clipnet.container import Container
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import JobStatus
from clipnet.domain.publishing.model import PostStatus
from clipnet.domain.publishing.service import PostRequest
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from tests.builders import a_clip, a_source, a_user, an_account
from tests.integration.test_jobs_on_redis import Services, WorkerProcess
from tests.integration.test_jobs_on_redis import services as services
from tests.loopback.youtube import FakeYouTube, fake_youtube
from tests.waiting import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

OWNER = "user-sched"


@pytest.fixture
def youtube() -> Iterator[FakeYouTube]:
    with fake_youtube() as fake:
        yield fake


def publishing_env(services: Services, youtube: FakeYouTube) -> dict[str, str]:
    return {
        "CLIPNET_STORAGE": "local",
        "CLIPNET_PUBLISHING": "platforms",
        "CLIPNET_YOUTUBE_API_BASE": youtube.base_url,
        "CLIPNET_WHISPER_MODEL": "off",
        "CLIPNET_SECRET_KEYS": services.env.get("CLIPNET_SECRET_KEYS") or new_key(),
    }


def ready_clip(container: Container, clip_id: str, tmp_path: Path) -> None:
    """A ready clip of OWNER's, its video in the local storage the worker reads too."""
    video = tmp_path / f"{clip_id}.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    key = container.storage().put(f"clips/{clip_id}/video.mp4", video, "video/mp4").key
    with container.uow_factory()() as uow:
        clip = a_clip(
            clip_id,
            source_id="source-sched",
            owner_id=OWNER,
            span=TimeSpan(0, 20),
            title=f"title of {clip_id}",
            status=ClipStatus.READY,
            assets={"video": key},
        )
        uow.clips.add(clip)
        uow.commit()


def seed(container: Container, tmp_path: Path) -> None:
    with container.uow_factory()() as uow:
        uow.users.add(a_user(OWNER))
        uow.sources.add(a_source("source-sched", owner_id=OWNER, duration=120.0))
        uow.oauth_accounts.save(
            an_account(OWNER, provider=Platform.YOUTUBE, expires_at=None, scopes=("youtube",))
        )
        uow.commit()
    for clip_id in ("clip-goes-out", "clip-cancelled"):
        ready_clip(container, clip_id, tmp_path)


def test_a_scheduled_post_goes_out_once_after_its_time_across_a_worker_restart(
    services: Services, youtube: FakeYouTube, tmp_path: Path
) -> None:
    env = publishing_env(services, youtube)
    services.env.update(env)
    container = services.container()
    seed(container, tmp_path)
    worker = WorkerProcess(services, tmp_path / "worker.log")
    worker.start()
    try:
        wait_for(
            lambda: "worker started" in (tmp_path / "worker.log").read_text(),
            60,
            "the first worker to start",
        )
        actor = Actor(OWNER)
        publishing = container.publishing_service()
        publish_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        wanted = PostRequest(Platform.YOUTUBE, publish_at=publish_at)
        kept = publishing.request(actor, "clip-goes-out", wanted).post
        dropped = publishing.request(actor, "clip-cancelled", wanted).post
        publishing.cancel(actor, "clip-cancelled", dropped.id)

        # when the worker dies (SIGKILL: nothing of it survives) and another one starts
        worker.kill()
        assert youtube.videos == {}  # the schedule lives in the job table, not the worker
        worker.start()

        def finished() -> bool:
            with container.uow_factory()() as uow:
                jobs = [j for j in uow.jobs.recent(limit=100) if j.type.value == "post:youtube"]
            return len(jobs) == 2 and all(j.is_finished for j in jobs)

        wait_for(finished, 90, "both scheduled post jobs to finish")
    finally:
        if worker.alive():
            assert worker.terminate() == 0

    (video_id,) = youtube.videos  # once, and only the post that was not cancelled
    resource, _ = youtube.videos[video_id]
    assert resource["snippet"]["title"] == "title of clip-goes-out"
    assert youtube.uploaded_at[video_id] >= publish_at.timestamp()
    with container.uow_factory()() as uow:
        posted, cancelled = uow.posts.get(kept.id), uow.posts.get(dropped.id)
        jobs = [j for j in uow.jobs.recent(limit=100) if j.type.value == "post:youtube"]
    assert posted.status is PostStatus.POSTED and video_id in posted.url
    assert cancelled.status is PostStatus.CANCELLED and cancelled.url == ""
    assert [j.status for j in jobs] == [JobStatus.SUCCEEDED] * 2
    for job in jobs:  # neither ran before its time
        assert job.started_at is not None and job.started_at >= publish_at
    container.shutdown_resources()
