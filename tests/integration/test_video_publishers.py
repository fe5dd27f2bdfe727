"""The YouTube and TikTok publishers over real HTTP, against loopback servers of each API."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.http_resilience import Backoff
from clipnet.adapters.publishing import YouTubePublisher
from clipnet.adapters.publishing.http import PlatformHttp
from clipnet.domain.highlights.metadata import ClipMetadata, build_metadata
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import PublishError, TokenExpired
from tests.builders import an_account
from tests.loopback.tiktok import tiktok_for_test
from tests.loopback.youtube import fake_youtube, youtube_for_test

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
