"""The YouTube and TikTok publishers over real HTTP, against loopback servers of each API."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from clipnet.adapters.http_resilience import Backoff
from clipnet.adapters.memory.platforms import InMemoryUploadSessions
from clipnet.adapters.publishing import YouTubePublisher
from clipnet.adapters.publishing.http import PlatformHttp
from clipnet.domain.highlights.metadata import ClipMetadata, build_metadata
from clipnet.domain.publishing.model import PostOptions
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import PublishError, TokenExpired
from tests.builders import an_account
from tests.conftest import require_service
from tests.loopback.tiktok import PRIVATE_ACCOUNT, tiktok_for_test
from tests.loopback.youtube import Expiry, fake_youtube, publisher_on, youtube_for_test

YOUTUBE_ACCOUNT = an_account(provider=Platform.YOUTUBE)
TIKTOK_ACCOUNT = an_account(provider=Platform.TIKTOK)


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 2500)  # ~640 KB
    return path


def a_clip_metadata(platform: Platform) -> ClipMetadata:
    return build_metadata(
        platform,
        title="Clutch 1v4 on Inferno",
        transcript="no way he hits that, the crowd goes wild, insane clutch",
        tags=("cs2", "clutch"),
    )


# -- YouTube ---------------------------------------------------------------------------------


def test_a_clip_reaches_youtube_in_chunks_with_its_metadata_intact(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = youtube_for_test(request, privacy="unlisted")
    metadata = a_clip_metadata(Platform.YOUTUBE)
    published = publisher.publish(video, metadata, YOUTUBE_ACCOUNT, "post:youtube:clip-1")
    resource, data = fake.videos[published.remote_id]
    assert data == video.read_bytes()
    assert published.url == f"https://www.youtube.com/watch?v={published.remote_id}"
    assert resource["snippet"]["title"] == metadata.title
    assert resource["snippet"]["description"] == metadata.description
    assert resource["snippet"]["tags"] == [tag.lstrip("#") for tag in metadata.hashtags]
    assert resource["snippet"]["categoryId"] == "20"
    assert resource["status"]["privacyStatus"] == "unlisted"
    assert sum(r.startswith("PUT") for r in fake.requests) == 3  # 640 KB in 256 KiB chunks


def test_youtube_metadata_beyond_its_limits_is_cut_to_fit_and_arrives(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = youtube_for_test(request)
    metadata = ClipMetadata(
        "<b>Big</b> " + "moment " * 60,
        "é" * 4000 + " <script>",  # 8000 bytes in UTF-8: YouTube counts bytes
        tuple(f"#tag{i}{'x' * 40}" for i in range(15)),
    )
    published = publisher.publish(video, metadata, YOUTUBE_ACCOUNT, "k")
    snippet = fake.videos[published.remote_id][0]["snippet"]
    assert snippet["title"].startswith("bBig/b moment")
    assert len(snippet["title"]) <= 100
    assert len(snippet["description"].encode()) <= 5000
    assert snippet["description"].endswith("…\n" + " ".join(metadata.hashtags))
    assert len(",".join(snippet["tags"])) <= 500 and snippet["tags"][0] == "tag0" + "x" * 40


def test_youtube_asking_to_wait_is_honoured(request: pytest.FixtureRequest, video: Path) -> None:
    sleeps: list[float] = []
    fake, publisher = youtube_for_test(request, sleeps)
    fake.fail("init", 429, headers={"Retry-After": "7"})
    publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert sleeps == [7.0]
    assert len(fake.videos) == 1


def test_a_lost_chunk_answer_resumes_where_youtube_stands_without_a_second_video(
    request: pytest.FixtureRequest, video: Path
) -> None:
    sleeps: list[float] = []
    fake, publisher = youtube_for_test(request, sleeps)
    fake.fail("chunk", 503, keep=True)  # the first chunk arrives, its answer is a 503
    fake.fail("chunk", 500)  # later, a chunk that does not arrive at all
    published = publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert list(fake.videos) == [published.remote_id]
    assert fake.videos[published.remote_id][1] == video.read_bytes()
    assert len(sleeps) == 2
    # chunk 1 (answer lost), ask, chunk 2 (failed), ask, chunk 2, chunk 3: nothing sent twice
    assert sum("PUT" in r for r in fake.requests) == 6


class Killed(BaseException):
    """The worker process died here: SIGKILL runs no code after it."""


def die(seconds: float) -> None:
    raise Killed


def test_a_post_run_again_after_its_worker_died_once_youtube_had_the_video_makes_no_second(
    request: pytest.FixtureRequest, video: Path
) -> None:
    # given a worker that uploaded the clip and was killed before the post was recorded
    sessions = InMemoryUploadSessions()  # where every worker keeps its upload sessions
    fake, first = youtube_for_test(request, sessions=sessions)
    published = first.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    # when the redelivered job runs in another worker process, with a publisher of its own
    second = publisher_on(request, fake, [].append, sessions=sessions)
    again = second.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    # then it finds the video through the session: no second session, no second video
    assert again == published
    assert list(fake.videos) == [published.remote_id] and list(fake.sessions) == ["session-1"]
    assert fake.chunk_puts()[-1].endswith("upload_id=session-1")  # where it stood, nothing sent


def test_an_upload_whose_worker_died_midway_is_resumed_where_youtube_stands(
    request: pytest.FixtureRequest, video: Path
) -> None:
    # given a worker killed while it uploaded: the first chunk arrived, its answer was lost
    sessions = InMemoryUploadSessions()
    fake, _ = youtube_for_test(request)
    first = publisher_on(request, fake, die, sessions=sessions)
    fake.fail("chunk", 503, keep=True)
    with pytest.raises(Killed):
        first.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    # when the redelivered job runs in another worker process
    second = publisher_on(request, fake, [].append, sessions=sessions)
    published = second.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    # then the same session is finished from where it stands: one video, no byte sent twice
    assert list(fake.sessions) == ["session-1"] and list(fake.videos) == [published.remote_id]
    assert fake.videos[published.remote_id][1] == video.read_bytes()
    # chunk 1 (the first worker), where does it stand (the second), chunk 2, chunk 3
    assert len(fake.chunk_puts()) == 4


def test_an_expired_session_left_by_a_dead_worker_is_replaced(
    request: pytest.FixtureRequest, video: Path
) -> None:
    sessions = InMemoryUploadSessions()
    fake, _ = youtube_for_test(request)
    first = publisher_on(request, fake, die, sessions=sessions)
    fake.fail("chunk", 503, keep=True)
    with pytest.raises(Killed):
        first.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    fake.sessions["session-1"].expiry = Expiry(after_chunks=0)  # a week later: expired
    second = publisher_on(request, fake, [].append, sessions=sessions)
    published = second.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert list(fake.sessions) == ["session-1", "session-2"]
    assert list(fake.videos) == [published.remote_id]
    assert fake.videos[published.remote_id][1] == video.read_bytes()
    assert str(sessions.session_for("k")).endswith("upload_id=session-2")  # the live one now


def test_a_session_left_for_another_file_under_the_key_is_replaced(
    request: pytest.FixtureRequest, video: Path, tmp_path: Path
) -> None:
    # given a worker killed midway through uploading the clip, which was then rendered again
    sessions = InMemoryUploadSessions()
    fake, _ = youtube_for_test(request)
    first = publisher_on(request, fake, die, sessions=sessions)
    fake.fail("chunk", 503, keep=True)
    with pytest.raises(Killed):
        first.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    rendered = tmp_path / "rendered-again.mp4"
    rendered.write_bytes(video.read_bytes()[:-1000])
    # when the post runs again: the old session refuses a file of another size
    second = publisher_on(request, fake, [].append, sessions=sessions)
    published = second.publish(rendered, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    # then a new session uploads the new file: one video, of the file there is now
    assert list(fake.sessions) == ["session-1", "session-2"]
    assert list(fake.videos) == [published.remote_id]
    assert fake.videos[published.remote_id][1] == rendered.read_bytes()


def test_a_refused_youtube_token_asks_for_a_refresh(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = youtube_for_test(request)
    stale = an_account(provider=Platform.YOUTUBE, access_token="expired")
    with pytest.raises(TokenExpired, match="refresh the token") as raised:
        publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), stale, "k")
    assert raised.value.permanent
    assert "expired" not in str(raised.value)  # the token itself is never in a message
    assert fake.sessions == {}


def test_youtube_refusing_the_video_is_permanent_and_not_retried(
    request: pytest.FixtureRequest, video: Path
) -> None:
    sleeps: list[float] = []
    _, publisher = youtube_for_test(request, sleeps, privacy="everyone")
    with pytest.raises(PublishError, match="invalidPrivacyStatus") as raised:
        publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert raised.value.permanent and sleeps == []


def test_youtube_down_for_good_fails_for_now_after_the_retries(
    request: pytest.FixtureRequest, video: Path
) -> None:
    sleeps: list[float] = []
    fake, publisher = youtube_for_test(request, sleeps)
    fake.fail("init", 503, times=10)
    with pytest.raises(PublishError, match="kept failing") as raised:
        publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert not raised.value.permanent
    assert sleeps == [0.5, 1.0, 2.0]  # full jitter (rng 0.5) of 1, 2, 4 seconds


def test_a_retry_after_longer_than_we_wait_fails_for_now(
    request: pytest.FixtureRequest, video: Path
) -> None:
    sleeps: list[float] = []
    fake, publisher = youtube_for_test(request, sleeps)
    fake.fail("init", 429, headers={"Retry-After": "86400"})
    with pytest.raises(PublishError, match="asked to wait 86400 s") as raised:
        publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert not raised.value.permanent and sleeps == []


# -- TikTok ----------------------------------------------------------------------------------


def test_a_clip_reaches_tiktok_in_planned_chunks_with_its_caption(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request, privacy_level="PUBLIC_TO_EVERYONE")
    metadata = a_clip_metadata(Platform.TIKTOK)
    published = publisher.publish(video, metadata, TIKTOK_ACCOUNT, "post:tiktok:clip-1")
    [upload] = fake.posted()
    assert bytes(upload.received) == video.read_bytes()
    assert (upload.chunk_size, upload.count) == (100_000, 6)  # the last chunk takes the rest
    assert upload.post_info["privacy_level"] == "PUBLIC_TO_EVERYONE"
    caption = upload.post_info["title"]
    assert caption.startswith(metadata.title + "\n")
    assert all(tag in caption for tag in metadata.hashtags)
    assert published.remote_id == upload.post_id
    assert published.url == f"https://www.tiktok.com/@/video/{upload.post_id}"


def test_a_small_tiktok_video_goes_in_one_chunk(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    fake, publisher = tiktok_for_test(request)
    small = tmp_path / "small.mp4"
    small.write_bytes(b"tiny video")
    publisher.publish(small, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    [upload] = fake.posted()
    assert (upload.size, upload.chunk_size, upload.count) == (10, 10, 1)


def test_tiktok_rate_limits_and_server_errors_are_retried(
    request: pytest.FixtureRequest, video: Path
) -> None:
    sleeps: list[float] = []
    fake, publisher = tiktok_for_test(request, sleeps)
    fake.fail("init", 429, headers={"Retry-After": "3"})
    fake.fail("chunk", 502)
    fake.fail("status", 500)
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    [upload] = fake.posted()
    assert bytes(upload.received) == video.read_bytes()
    assert sleeps == [3.0, 0.5, 0.5]
    assert len(fake.uploads) == 1  # a retried init did not start a second post


def test_a_refused_tiktok_token_asks_for_a_refresh(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request)
    stale = an_account(provider=Platform.TIKTOK, access_token="revoked")
    with pytest.raises(TokenExpired, match=r"access_token_invalid.*refresh the token"):
        publisher.publish(video, a_clip_metadata(Platform.TIKTOK), stale, "k")
    assert fake.uploads == {}


def test_a_video_tiktok_fails_to_process_is_a_permanent_error(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request)
    fake.fail_reason = "video_pull_failed"
    with pytest.raises(PublishError, match="video_pull_failed") as raised:
        publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    assert raised.value.permanent


def test_a_video_still_processing_at_the_deadline_is_not_published_again(
    request: pytest.FixtureRequest, video: Path
) -> None:
    ticks = iter(range(0, 10_000, 100))
    fake, publisher = tiktok_for_test(
        request, processing_timeout=250, clock=lambda: float(next(ticks))
    )
    fake.processing_polls = 1_000
    with pytest.raises(PublishError, match="would post twice") as raised:
        publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    assert raised.value.permanent
    assert "v_pub_file~v2-1.1" in str(raised.value)


def test_a_private_tiktok_post_has_no_public_url(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request)
    fake.public = False
    published = publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    assert published.remote_id == "v_pub_file~v2-1.1" and published.url == ""


# -- both ------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", [Platform.YOUTUBE, Platform.TIKTOK])
def test_one_key_posts_once_and_another_key_posts_again(
    request: pytest.FixtureRequest, video: Path, platform: Platform
) -> None:
    account = an_account(provider=platform)
    if platform is Platform.YOUTUBE:
        fake_yt, publisher = youtube_for_test(request)
        count = lambda: len(fake_yt.videos)  # noqa: E731
    else:
        fake_tt, publisher = tiktok_for_test(request)  # type: ignore[assignment]
        count = lambda: len(fake_tt.posted())  # noqa: E731
    metadata = a_clip_metadata(platform)
    first = publisher.publish(video, metadata, account, "post:clip-1")
    assert publisher.publish(video, metadata, account, "post:clip-1") == first
    assert count() == 1
    assert publisher.publish(video, metadata, account, "post:clip-2") != first
    assert count() == 2


@pytest.mark.parametrize("platform", [Platform.YOUTUBE, Platform.TIKTOK])
def test_an_account_of_another_platform_is_refused_before_any_request(
    request: pytest.FixtureRequest, video: Path, platform: Platform
) -> None:
    make = youtube_for_test if platform is Platform.YOUTUBE else tiktok_for_test
    fake, publisher = make(request)
    with pytest.raises(PublishError, match="not"):
        publisher.publish(video, a_clip_metadata(platform), an_account(), "k")
    assert fake.requests == []


def test_an_unreachable_platform_fails_for_now_not_for_good(video: Path) -> None:
    with fake_youtube() as stopped:
        pass  # its port is closed now
    sleeps: list[float] = []
    http = PlatformHttp("YouTube", backoff=Backoff(retries=2), sleep=sleeps.append)
    publisher = YouTubePublisher(http, base_url=stopped.base_url)
    with pytest.raises(PublishError, match=r"kept failing.*ConnectError") as raised:
        publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert not raised.value.permanent and len(sleeps) == 2


# -- YouTube: expired sessions, the chunks' type, what creators set, the thumbnail --------------


@pytest.mark.parametrize("gone", [404, 410])
def test_an_expired_upload_session_is_replaced_and_the_whole_file_sent_again(
    request: pytest.FixtureRequest, video: Path, gone: int
) -> None:
    fake, publisher = youtube_for_test(request)
    fake.expire_sessions(2, status=gone)  # the first session dies after two of three chunks
    published = publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert list(fake.sessions) == ["session-1", "session-2"]
    assert list(fake.videos) == [published.remote_id]  # one video, from the second session
    assert fake.videos[published.remote_id][1] == video.read_bytes()
    assert bytes(fake.sessions["session-2"].received) == video.read_bytes()  # from byte 0
    first = [r for r in fake.chunk_puts() if "session-1" in r]
    assert len(first) == 3  # two chunks, then the third met the expired session


def test_sessions_that_keep_expiring_fail_for_now_not_for_good(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = youtube_for_test(request)
    fake.expire_sessions(1, 1, 1, 1)
    with pytest.raises(PublishError, match="expired 3 times") as raised:
        publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert not raised.value.permanent  # the job retries later
    assert len(fake.sessions) == 3 and fake.videos == {}  # bounded: three sessions, no video


@pytest.mark.parametrize(("suffix", "mime"), [(".mp4", "video/mp4"), (".mov", "video/quicktime")])
def test_every_chunk_carries_the_videos_content_type(
    request: pytest.FixtureRequest, video: Path, suffix: str, mime: str
) -> None:
    fake, publisher = youtube_for_test(request)
    named = video.rename(video.with_suffix(suffix))
    publisher.publish(named, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    assert fake.sessions["session-1"].mime == mime and len(fake.videos) == 1


def test_the_fake_refuses_a_chunk_without_the_videos_content_type(
    request: pytest.FixtureRequest,
) -> None:
    fake, _ = youtube_for_test(request)
    auth = {"Authorization": "Bearer access-secret-token"}
    start = httpx.post(
        f"{fake.base_url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
        json={
            "snippet": {"title": "t", "categoryId": "20"},
            "status": {"privacyStatus": "private", "selfDeclaredMadeForKids": False},
        },
        headers={**auth, "X-Upload-Content-Length": "4", "X-Upload-Content-Type": "video/mp4"},
    )
    chunk = httpx.put(
        start.headers["Location"],
        content=b"abcd",
        headers={**auth, "Content-Range": "bytes 0-3/4"},  # as ClipNET sent them before
    )
    assert chunk.status_code == 400 and "video's type" in chunk.text
    assert fake.videos == {}


def test_the_creators_choices_reach_youtube(request: pytest.FixtureRequest, video: Path) -> None:
    fake, publisher = youtube_for_test(request, privacy="public", tags=("ClipNET", "speedrun"))
    choices = PostOptions(
        privacy="unlisted", made_for_kids=True, category_id="24", tags=("funny moments",)
    )
    metadata = a_clip_metadata(Platform.YOUTUBE)
    published = publisher.publish(video, metadata, YOUTUBE_ACCOUNT, "k", choices)
    resource = fake.videos[published.remote_id][0]
    assert resource["status"] == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": True}
    assert resource["snippet"]["categoryId"] == "24"
    hashtags = [tag.lstrip("#") for tag in metadata.hashtags]
    assert resource["snippet"]["tags"] == [*hashtags, "funny moments", "ClipNET", "speedrun"]


def test_without_choices_youtube_gets_the_configured_defaults_and_an_audience(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = youtube_for_test(request)
    published = publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    status = fake.videos[published.remote_id][0]["status"]
    assert status == {"privacyStatus": "private", "selfDeclaredMadeForKids": False}


def test_a_scheduled_video_is_uploaded_private_with_its_publish_time(
    request: pytest.FixtureRequest, video: Path
) -> None:
    now = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    fake, publisher = youtube_for_test(request, privacy="public", now=lambda: now)
    fake.clock = lambda: now.timestamp()
    when = datetime(2030, 5, 2, 20, 30, tzinfo=timezone(timedelta(hours=2)))
    options = PostOptions(publish_at=when)
    published = publisher.publish(
        video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k", options
    )
    status = fake.videos[published.remote_id][0]["status"]
    assert status["privacyStatus"] == "private"  # YouTube publishes it at publishAt
    assert status["publishAt"] == "2030-05-02T18:30:00Z"


def test_a_publish_delay_schedules_every_video(request: pytest.FixtureRequest, video: Path) -> None:
    now = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    fake, publisher = youtube_for_test(request, publish_delay=3600, now=lambda: now)
    fake.clock = lambda: now.timestamp()
    published = publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k")
    status = fake.videos[published.remote_id][0]["status"]
    assert status["publishAt"] == "2030-05-01T13:00:00Z" and status["privacyStatus"] == "private"


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (PostOptions(publish_at=datetime(2020, 1, 1, tzinfo=UTC)), "not in the future"),
        (
            PostOptions(privacy="public", publish_at=datetime(2031, 1, 1, tzinfo=UTC)),
            "must be private",
        ),
    ],
)
def test_a_schedule_youtube_would_refuse_is_refused_before_any_upload(
    request: pytest.FixtureRequest, video: Path, options: PostOptions, reason: str
) -> None:
    fake, publisher = youtube_for_test(request)
    with pytest.raises(PublishError, match=reason) as raised:
        publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k", options)
    assert raised.value.permanent and fake.requests == []


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        ({"privacyStatus": "private"}, "madeForKidsRequired"),
        (
            {
                "privacyStatus": "public",
                "selfDeclaredMadeForKids": False,
                "publishAt": "2031-01-01T00:00:00Z",
            },
            "invalidPublishAt",
        ),
        (
            {
                "privacyStatus": "private",
                "selfDeclaredMadeForKids": False,
                "publishAt": "2031-01-01 00:00",  # no timezone: not RFC 3339
            },
            "invalidPublishAt",
        ),
    ],
)
def test_the_fake_refuses_a_status_youtube_refuses(
    request: pytest.FixtureRequest, status: dict[str, object], problem: str
) -> None:
    fake, _ = youtube_for_test(request)
    answer = httpx.post(
        f"{fake.base_url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
        json={"snippet": {"title": "t", "categoryId": "20"}, "status": status},
        headers={
            "Authorization": "Bearer access-secret-token",
            "X-Upload-Content-Length": "4",
            "X-Upload-Content-Type": "video/mp4",
        },
    )
    assert answer.status_code == 400 and problem in answer.text


def test_the_clips_thumbnail_is_set_after_the_video_is_inserted(
    request: pytest.FixtureRequest, video: Path, tmp_path: Path
) -> None:
    fake, publisher = youtube_for_test(request)
    thumbnail = tmp_path / "thumb.jpg"
    thumbnail.write_bytes(b"\xff\xd8\xff\xe0 a JPEG thumbnail")
    options = PostOptions(thumbnail=thumbnail)
    published = publisher.publish(
        video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k", options
    )
    assert fake.thumbnails[published.remote_id] == ("image/jpeg", thumbnail.read_bytes())
    assert "thumbnails/set" in fake.requests[-1]  # after the last chunk made the video
    assert f"videoId={published.remote_id}" in fake.requests[-1]


def test_a_refused_thumbnail_keeps_the_video(
    request: pytest.FixtureRequest, video: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake, publisher = youtube_for_test(request)
    fake.custom_thumbnails = False  # an unverified channel
    thumbnail = tmp_path / "thumb.png"
    thumbnail.write_bytes(b"\x89PNG\r\n\x1a\n a PNG thumbnail")
    options = PostOptions(thumbnail=thumbnail)
    published = publisher.publish(
        video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k", options
    )
    assert list(fake.videos) == [published.remote_id] and fake.thumbnails == {}
    assert "without its thumbnail" in caplog.text and "forbidden" in caplog.text


def test_thumbnails_can_be_turned_off(
    request: pytest.FixtureRequest, video: Path, tmp_path: Path
) -> None:
    fake, publisher = youtube_for_test(request, thumbnails=False)
    thumbnail = tmp_path / "thumb.jpg"
    thumbnail.write_bytes(b"\xff\xd8\xff\xe0 a JPEG thumbnail")
    options = PostOptions(thumbnail=thumbnail)
    publisher.publish(video, a_clip_metadata(Platform.YOUTUBE), YOUTUBE_ACCOUNT, "k", options)
    assert not any("thumbnails" in r for r in fake.requests)


# -- TikTok: the creator's info, interactions off, the duration limit ---------------------------

CREATOR_INFO = "POST /v2/post/publish/creator_info/query/"
INIT = "POST /v2/post/publish/video/init/"


def test_creator_info_is_queried_before_each_post(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request)
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "post:clip-1")
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "post:clip-2")
    calls = [r for r in fake.requests if r in (CREATOR_INFO, INIT)]
    assert calls == [CREATOR_INFO, INIT, CREATOR_INFO, INIT]


def test_a_private_account_gets_the_nearest_more_private_level_it_offers(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request, privacy_level="public_to_everyone")
    fake.creator.privacy_level_options = PRIVATE_ACCOUNT
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    [upload] = fake.posted()
    assert upload.post_info["privacy_level"] == "FOLLOWER_OF_CREATOR"


def test_a_post_choice_of_privacy_is_used_when_the_creator_offers_it(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request, privacy_level="public_to_everyone")
    options = PostOptions(privacy="mutual_follow_friends")
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k", options)
    assert fake.posted()[0].post_info["privacy_level"] == "MUTUAL_FOLLOW_FRIENDS"


def test_no_level_as_private_as_asked_is_refused_before_the_upload(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request, privacy_level="self_only")
    fake.creator.privacy_level_options = ("PUBLIC_TO_EVERYONE", "FOLLOWER_OF_CREATOR")
    with pytest.raises(PublishError, match="none is as private as SELF_ONLY") as raised:
        publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    assert raised.value.permanent and fake.uploads == {}


def test_the_fake_refuses_a_level_the_creator_does_not_offer(
    request: pytest.FixtureRequest,
) -> None:
    fake, _ = tiktok_for_test(request)
    fake.creator.privacy_level_options = PRIVATE_ACCOUNT
    auth = {"Authorization": "Bearer access-secret-token"}
    httpx.post(f"{fake.base_url}/v2/post/publish/creator_info/query/", headers=auth)
    post_info = {"title": "t", "privacy_level": "PUBLIC_TO_EVERYONE"}  # what ClipNET sent before
    source = {"source": "FILE_UPLOAD", "video_size": 1, "chunk_size": 1, "total_chunk_count": 1}
    answer = httpx.post(
        f"{fake.base_url}/v2/post/publish/video/init/",
        json={"post_info": post_info, "source_info": source},
        headers=auth,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "privacy_level_option_mismatch"


def test_the_fake_refuses_a_post_without_a_creator_info_query(
    request: pytest.FixtureRequest,
) -> None:
    fake, _ = tiktok_for_test(request)
    post_info = {
        "title": "t",
        "privacy_level": "SELF_ONLY",
        **{f"disable_{name}": True for name in ("comment", "duet", "stitch")},
    }
    source = {"source": "FILE_UPLOAD", "video_size": 1, "chunk_size": 1, "total_chunk_count": 1}
    answer = httpx.post(
        f"{fake.base_url}/v2/post/publish/video/init/",
        json={"post_info": post_info, "source_info": source},
        headers={"Authorization": "Bearer access-secret-token"},
    )
    assert answer.status_code == 400 and "creator_info/query" in answer.text


def test_comments_duets_and_stitches_are_off_unless_configured(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(request)
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    post_info = fake.posted()[0].post_info
    assert (
        post_info["disable_comment"],
        post_info["disable_duet"],
        post_info["disable_stitch"],
    ) == (
        True,
        True,
        True,
    )


def test_interactions_turned_on_stay_off_where_the_creator_disabled_them(
    request: pytest.FixtureRequest, video: Path
) -> None:
    fake, publisher = tiktok_for_test(
        request, allow_comments=True, allow_duet=True, allow_stitch=True
    )
    fake.creator.comment_disabled = True
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k")
    post_info = fake.posted()[0].post_info
    assert post_info["disable_comment"] is True  # the creator's own setting wins
    assert post_info["disable_duet"] is False and post_info["disable_stitch"] is False


def test_a_post_can_turn_one_interaction_on(request: pytest.FixtureRequest, video: Path) -> None:
    fake, publisher = tiktok_for_test(request)
    options = PostOptions(allow_duet=True)
    publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k", options)
    post_info = fake.posted()[0].post_info
    assert [post_info[f"disable_{n}"] for n in ("comment", "duet", "stitch")] == [True, False, True]


def test_a_clip_longer_than_the_creator_may_post_is_refused_before_the_upload(
    request: pytest.FixtureRequest, video: Path
) -> None:
    sleeps: list[float] = []
    fake, publisher = tiktok_for_test(request, sleeps)
    fake.creator.max_video_post_duration_sec = 60
    options = PostOptions(duration=75.0)
    with pytest.raises(PublishError, match=r"75\.0 s long .* at most 60 s") as raised:
        publisher.publish(video, a_clip_metadata(Platform.TIKTOK), TIKTOK_ACCOUNT, "k", options)
    assert raised.value.permanent and sleeps == []  # not retried
    assert fake.requests == [CREATOR_INFO]  # nothing was uploaded


@pytest.fixture
def three_second_video(tmp_path: Path) -> Path:
    found = shutil.which("ffmpeg")
    require_service(found is not None and shutil.which("ffprobe") is not None, "ffmpeg")
    assert found is not None
    path = tmp_path / "three-seconds.mp4"
    subprocess.run(
        [
            *(found, "-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=3"),
            *("-c:v", "libx264", "-preset", "ultrafast", path),
        ],
        check=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return path


@pytest.mark.ffmpeg
def test_the_fake_fails_a_real_video_longer_than_the_creator_may_post(
    request: pytest.FixtureRequest, three_second_video: Path
) -> None:
    fake, publisher = tiktok_for_test(request)
    fake.creator.max_video_post_duration_sec = 2
    metadata = a_clip_metadata(Platform.TIKTOK)
    told = PostOptions(duration=3.0)
    # Told the length, the publisher refuses it before uploading …
    with pytest.raises(PublishError, match="at most 2 s"):
        publisher.publish(three_second_video, metadata, TIKTOK_ACCOUNT, "a", told)
    assert fake.uploads == {}
    # … and a publisher that does not check is caught by TikTok's own duration check.
    with pytest.raises(PublishError, match="duration_check_failed") as raised:
        publisher.publish(three_second_video, metadata, TIKTOK_ACCOUNT, "b")
    assert raised.value.permanent
    fake.creator.max_video_post_duration_sec = 5
    publisher.publish(three_second_video, metadata, TIKTOK_ACCOUNT, "c", told)
    assert len(fake.posted()) == 1
