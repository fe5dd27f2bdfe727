"""Posting jobs publish a ready clip once, however often the job is delivered."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.platforms import InMemoryPublisher
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.jobs.model import JobStatus, JobType
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.jobs.runner import JobRunner
from clipnet.domain.publishing.model import PostOptions, PostStatus
from clipnet.domain.publishing.posting import PostingService
from clipnet.domain.shared.errors import PermanentJobError
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import Published, PublishError
from tests.builders import a_clip, a_job, an_account, at


class CountingPublisher(InMemoryPublisher):
    """Remembers every call; can crash after uploading, like a worker killed mid-job."""

    def __init__(self, platform: Platform, crash_after_upload: int = 0) -> None:
        super().__init__(platform)
        self.calls = 0
        self._crashes_left = crash_after_upload

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
        options: PostOptions | None = None,
    ) -> Published:
        self.calls += 1
        published = super().publish(video, metadata, account, idempotency_key, options)
        if self._crashes_left:
            self._crashes_left -= 1
            raise ConnectionResetError("connection lost after the upload")
        return published


@pytest.fixture
def world(tmp_path: Path) -> tuple[InMemoryDatabase, InMemoryStorage]:
    db, storage = InMemoryDatabase(), InMemoryStorage()
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    storage.put("clips/clip-1/video.mp4", video)
    with db.unit_of_work() as uow:
        clip = a_clip(status=ClipStatus.READY, title="A great play")
        clip.assets = {"video": "clips/clip-1/video.mp4"}
        uow.clips.add(clip)
        uow.oauth_accounts.save(an_account(provider=Platform.YOUTUBE))
        uow.jobs.add(a_job(type=JobType.POST_YOUTUBE, payload={"clip_id": "clip-1"}))
        uow.commit()
    return db, storage


def lifecycle_for(db: InMemoryDatabase) -> ClipLifecycle:
    clock, ids = ManualClock(at(0)), SequentialIds("job")
    outbox = Outbox(RecordingJobQueue(), clock, ids)
    return ClipLifecycle(db.unit_of_work, outbox, clock, ids, TemplateCatalogue())


def runner_for(
    db: InMemoryDatabase, storage: InMemoryStorage, publisher: InMemoryPublisher
) -> JobRunner:
    posting = PostingService(
        db.unit_of_work,
        lifecycle_for(db),
        storage,
        {publisher.platform: publisher},
        ManualClock(at(0)),
        SequentialIds("post"),
    )
    return JobRunner(db.unit_of_work, ManualClock(at(0)), {JobType.POST_YOUTUBE: posting.handle})


def test_a_post_job_publishes_the_clip_and_records_the_post(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    youtube = CountingPublisher(Platform.YOUTUBE)

    job = runner_for(db, storage, youtube).run("job-1")

    assert job.status is JobStatus.SUCCEEDED
    with db.unit_of_work() as uow:
        [post] = uow.posts.list_for_clip("clip-1")
        clip = uow.clips.get("clip-1")
    assert (post.status, post.url) == (PostStatus.POSTED, "https://youtube.example/youtube-1")
    assert clip.status is ClipStatus.POSTED
    [(_, metadata)] = youtube.posts.values()
    assert metadata.title == "A great play"


def test_a_redelivered_post_job_posts_once(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    youtube = CountingPublisher(Platform.YOUTUBE)
    runner = runner_for(db, storage, youtube)

    runner.run("job-1")
    with db.unit_of_work() as uow:  # the broker delivers the same job again
        job = uow.jobs.get("job-1")
        job.status = JobStatus.QUEUED
        uow.jobs.update(job)
        uow.commit()
    runner.run("job-1")

    assert len(youtube.posts) == 1 and youtube.calls == 1
    with db.unit_of_work() as uow:
        assert len(uow.posts.list_for_clip("clip-1")) == 1


def test_a_post_interrupted_after_the_upload_is_not_uploaded_twice_on_its_retry(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    youtube = CountingPublisher(Platform.YOUTUBE, crash_after_upload=1)
    runner = runner_for(db, storage, youtube)

    first = runner.run("job-1")
    runner.run("job-1")  # FAILED with a backoff; the manual clock says it is not due yet
    with db.unit_of_work() as uow:
        job = uow.jobs.get("job-1")
        job.run_after = None
        uow.jobs.update(job)
        uow.commit()
    second = runner.run("job-1")

    assert (first.status, second.status) == (JobStatus.FAILED, JobStatus.SUCCEEDED)
    assert youtube.calls == 2 and len(youtube.posts) == 1  # the key made the second a no-op


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("no_account", "no linked youtube account"),
        ("not_ready", "not ready"),
        ("no_clip", "no longer exists"),
        ("no_publisher", "no publisher is configured"),
    ],
)
def test_a_post_that_cannot_ever_work_is_dead_at_once(
    world: tuple[InMemoryDatabase, InMemoryStorage], change: str, reason: str
) -> None:
    db, storage = world
    with db.unit_of_work() as uow:
        if change == "no_account":
            uow.oauth_accounts.delete("user-1", Platform.YOUTUBE)
        elif change == "not_ready":
            clip = uow.clips.get("clip-1")
            clip.status = ClipStatus.POLISHING
            uow.clips.update(clip)
        elif change == "no_clip":
            uow.clips.delete("clip-1")
        uow.commit()
    publisher = CountingPublisher(Platform.TIKTOK if change == "no_publisher" else Platform.YOUTUBE)

    job = runner_for(db, storage, publisher).run("job-1")

    assert (job.status, job.attempts) == (JobStatus.DEAD, 1)
    assert reason in job.last_error and publisher.calls == 0


def test_a_post_job_without_a_clip_id_is_a_permanent_error(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    posting = PostingService(
        db.unit_of_work, lifecycle_for(db), storage, {}, ManualClock(), SequentialIds()
    )
    with pytest.raises(PermanentJobError, match="clip_id"):
        posting.handle(a_job(type=JobType.POST_TIKTOK, payload={}))


class ThumbnailReader(CountingPublisher):
    """Reads the thumbnail while publishing (the posting service's copy is gone after)."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.thumbnail_bytes: bytes | None = None

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
        options: PostOptions | None = None,
    ) -> Published:
        if options is not None and options.thumbnail is not None:
            self.thumbnail_bytes = options.thumbnail.read_bytes()
        return super().publish(video, metadata, account, idempotency_key, options)


def set_payload(db: InMemoryDatabase, payload: dict[str, object]) -> None:
    with db.unit_of_work() as uow:
        job = uow.jobs.get("job-1")
        job.payload = payload
        uow.jobs.update(job)
        uow.commit()


def test_a_post_job_hands_the_creators_choices_and_the_clips_length_to_the_publisher(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    choices = PostOptions(privacy="unlisted", tags=("speedrun",), made_for_kids=False)
    set_payload(db, {"clip_id": "clip-1", "options": choices.to_payload()})
    youtube = CountingPublisher(Platform.YOUTUBE)

    assert runner_for(db, storage, youtube).run("job-1").status is JobStatus.SUCCEEDED

    [options] = youtube.options.values()
    assert (options.privacy, options.tags, options.made_for_kids) == (
        "unlisted",
        ("speedrun",),
        False,
    )
    assert options.duration == 30.0  # the clip's span, 10 s to 40 s
    assert options.thumbnail is None  # this clip has none


def test_a_post_job_with_choices_the_platform_cannot_take_is_dead_without_a_post(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    set_payload(db, {"clip_id": "clip-1", "options": {"privacy": "self_only"}})  # TikTok's word
    youtube = CountingPublisher(Platform.YOUTUBE)

    job = runner_for(db, storage, youtube).run("job-1")

    assert job.status is JobStatus.DEAD and "privacy 'self_only'" in job.last_error
    assert youtube.calls == 0


def test_the_clips_thumbnail_goes_with_the_post(
    world: tuple[InMemoryDatabase, InMemoryStorage], tmp_path: Path
) -> None:
    db, storage = world
    thumbnail = tmp_path / "thumb.jpg"
    thumbnail.write_bytes(b"\xff\xd8\xff a thumbnail")
    storage.put("clips/clip-1/thumb.jpg", thumbnail)
    with db.unit_of_work() as uow:
        clip = uow.clips.get("clip-1")
        clip.assets = {**clip.assets, "thumbnail": "clips/clip-1/thumb.jpg"}
        uow.clips.update(clip)
        uow.commit()
    youtube = ThumbnailReader(Platform.YOUTUBE)

    runner_for(db, storage, youtube).run("job-1")

    assert youtube.thumbnail_bytes == thumbnail.read_bytes()


def test_a_missing_thumbnail_does_not_stop_the_post(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    with db.unit_of_work() as uow:
        clip = uow.clips.get("clip-1")
        clip.assets = {**clip.assets, "thumbnail": "clips/clip-1/gone.jpg"}
        uow.clips.update(clip)
        uow.commit()
    youtube = ThumbnailReader(Platform.YOUTUBE)

    assert runner_for(db, storage, youtube).run("job-1").status is JobStatus.SUCCEEDED
    assert youtube.thumbnail_bytes is None and len(youtube.posts) == 1


class RefusingPublisher(CountingPublisher):
    def __init__(self, platform: Platform, *, permanent: bool) -> None:
        super().__init__(platform)
        self.permanent = permanent

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
        options: PostOptions | None = None,
    ) -> Published:
        self.calls += 1
        raise PublishError("the clip is 75.0 s long and may be 60 s", permanent=self.permanent)


def test_a_post_the_platform_refuses_for_good_is_dead_at_once_with_its_reason(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    youtube = RefusingPublisher(Platform.YOUTUBE, permanent=True)

    job = runner_for(db, storage, youtube).run("job-1")

    assert job.status is JobStatus.DEAD and youtube.calls == 1  # not retried
    assert "youtube: the clip is 75.0 s long" in job.last_error
    with db.unit_of_work() as uow:
        [post] = uow.posts.list_for_clip("clip-1")
        assert uow.clips.get("clip-1").status is ClipStatus.READY  # still ready, not posted
    assert post.status is PostStatus.FAILED and "75.0 s" in post.last_error


def test_a_post_that_fails_for_now_is_retried(
    world: tuple[InMemoryDatabase, InMemoryStorage],
) -> None:
    db, storage = world
    youtube = RefusingPublisher(Platform.YOUTUBE, permanent=False)

    job = runner_for(db, storage, youtube).run("job-1")

    assert job.status is JobStatus.FAILED  # waiting for its next try
