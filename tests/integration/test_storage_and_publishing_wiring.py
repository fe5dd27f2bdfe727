"""The container builds Cloudinary storage and the platform publishers from CLIPNET_* settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.cloudinary_storage import CloudinaryStorage
from clipnet.adapters.crypto import new_key
from clipnet.adapters.memory.platforms import InMemoryPublisher
from clipnet.adapters.publishing import TikTokPublisher, YouTubePublisher
from clipnet.container import Container, build_container
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.shared.platforms import Platform
from clipnet.settings import ConfigError, load_settings
from tests.builders import an_account
from tests.loopback.cloudinary import fake_cloudinary
from tests.loopback.tiktok import fake_tiktok
from tests.loopback.youtube import fake_youtube
from tests.sql_databases import sql_database, sqlite_url


def container_for(tmp_path: Path, profile: str, **env: str) -> Container:
    base = {
        "CLIPNET_PROFILE": profile,
        "CLIPNET_DATA_DIR": str(tmp_path),
        "CLIPNET_DATABASE_URL": "memory://",
        "CLIPNET_QUEUE": "memory",
        "CLIPNET_SECRET_KEYS": new_key(),
    }
    return build_container(load_settings({**base, **env}))


@pytest.mark.parametrize(
    ("profile", "folder"), [("staging", "staging_clips"), ("production", "prod_clips")]
)
def test_each_environment_keeps_its_clips_in_its_own_cloudinary_folder(
    tmp_path: Path, profile: str, folder: str
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video bytes")
    with fake_cloudinary() as fake:
        container = container_for(
            tmp_path,
            profile,
            CLIPNET_CLOUDINARY_URL=fake.url,
            CLIPNET_CLOUDINARY_API_BASE=fake.base_url,
        )
        storage = container.storage()
        assert isinstance(storage, CloudinaryStorage)
        storage.put("clips/c1/video.mp4", video)
        assert ("video", "authenticated", f"{folder}/clips/c1/video.mp4") in fake.assets
        copy = storage.fetch("clips/c1/video.mp4", tmp_path / "copy.mp4")
        assert copy.read_bytes() == b"video bytes"


def test_cloudinary_storage_without_its_url_fails_naming_the_variable(tmp_path: Path) -> None:
    # Caught when the settings are read, before any container (or request) exists.
    with pytest.raises(ConfigError, match="CLIPNET_CLOUDINARY_URL must be set"):
        container_for(tmp_path, "staging")


def test_the_platform_publishers_talk_to_the_configured_api(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video bytes")
    with fake_youtube() as fake:
        container = container_for(
            tmp_path, "production", CLIPNET_STORAGE="memory", CLIPNET_YOUTUBE_API_BASE=fake.base_url
        )
        publishers = container.publishers()
        assert isinstance(publishers[Platform.TIKTOK], TikTokPublisher)
        youtube = publishers[Platform.YOUTUBE]
        assert isinstance(youtube, YouTubePublisher)
        account = an_account(provider=Platform.YOUTUBE)
        published = youtube.publish(video, ClipMetadata("T", "D"), account, "k")
        resource, data = fake.videos[published.remote_id]
        assert data == b"video bytes"
        assert resource["status"]["privacyStatus"] == "public"  # production's default


def test_workers_on_one_database_share_youtube_upload_sessions(tmp_path: Path) -> None:
    # Two worker processes' containers on one database: a post the first uploaded (and died
    # before recording) is found by the second through the session kept in the database.
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video bytes")
    url = sqlite_url(tmp_path)
    with fake_youtube() as fake, sql_database(url):
        workers = [
            container_for(
                tmp_path,
                "staging",
                CLIPNET_DATABASE_URL=url,
                CLIPNET_STORAGE="memory",
                CLIPNET_YOUTUBE_API_BASE=fake.base_url,
            )
            for _ in range(2)
        ]
        account = an_account(provider=Platform.YOUTUBE)
        made = [
            worker.publishers()[Platform.YOUTUBE].publish(
                video, ClipMetadata("T", "D"), account, "post:youtube:clip-1"
            )
            for worker in workers
        ]
        for worker in workers:
            worker.shutdown_resources()
    assert made[0] == made[1] and list(fake.videos) == [made[0].remote_id]
    assert list(fake.sessions) == ["session-1"]


def test_publishing_can_be_switched_to_memory(tmp_path: Path) -> None:
    container = container_for(
        tmp_path, "staging", CLIPNET_PUBLISHING="memory", CLIPNET_STORAGE="memory"
    )
    publishers = container.publishers()
    assert set(publishers) == {Platform.YOUTUBE, Platform.TIKTOK}
    assert all(isinstance(p, InMemoryPublisher) for p in publishers.values())
    assert publishers[Platform.TIKTOK].platform is Platform.TIKTOK


def test_the_youtube_settings_shape_every_upload(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video bytes")
    with fake_youtube() as fake:
        container = container_for(
            tmp_path,
            "staging",
            CLIPNET_STORAGE="memory",
            CLIPNET_YOUTUBE_API_BASE=fake.base_url,
            CLIPNET_YOUTUBE_CATEGORY="24",
            CLIPNET_YOUTUBE_MADE_FOR_KIDS="true",
            CLIPNET_YOUTUBE_TAGS="ClipNET, speedrun",
            CLIPNET_YOUTUBE_PUBLISH_DELAY="3600",
        )
        youtube = container.publishers()[Platform.YOUTUBE]
        account = an_account(provider=Platform.YOUTUBE)
        published = youtube.publish(video, ClipMetadata("T", "D"), account, "k")
        resource = fake.videos[published.remote_id][0]
        assert resource["snippet"]["categoryId"] == "24"
        assert resource["snippet"]["tags"] == ["ClipNET", "speedrun"]
        assert resource["status"]["selfDeclaredMadeForKids"] is True
        assert resource["status"]["privacyStatus"] == "private" and resource["status"]["publishAt"]


def test_the_tiktok_interaction_settings_reach_the_post(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video bytes")
    with fake_tiktok() as fake:
        container = container_for(
            tmp_path,
            "staging",
            CLIPNET_STORAGE="memory",
            CLIPNET_TIKTOK_API_BASE=fake.base_url,
            CLIPNET_TIKTOK_ALLOW_COMMENTS="true",
        )
        fake.processing_polls = 0  # published at the first poll: no wait between polls
        tiktok = container.publishers()[Platform.TIKTOK]
        assert isinstance(tiktok, TikTokPublisher)
        tiktok._poll = 0.0
        tiktok.publish(video, ClipMetadata("T", "D"), an_account(provider=Platform.TIKTOK), "k")
        post_info = fake.posted()[0].post_info
        assert post_info["disable_comment"] is False
        assert post_info["disable_duet"] is True and post_info["disable_stitch"] is True
        assert post_info["privacy_level"] == "SELF_ONLY"  # staging's default


@pytest.mark.parametrize("mode", ["dynamic", "fixed"])
def test_the_cloudinary_folder_mode_can_be_set(tmp_path: Path, mode: str) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video bytes")
    with fake_cloudinary() as fake:
        fake.folder_mode = mode
        container = container_for(
            tmp_path,
            "staging",
            CLIPNET_CLOUDINARY_URL=fake.url,
            CLIPNET_CLOUDINARY_API_BASE=fake.base_url,
            CLIPNET_CLOUDINARY_FOLDER_MODE=mode,
        )
        container.storage().put("clips/c1/video.mp4", video)
        assert fake.in_folder("staging_clips/clips/c1") == {"staging_clips/clips/c1/video.mp4"}
        assert not any("/config" in r for r in fake.requests)  # set, so not asked


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CLIPNET_CLOUDINARY_FOLDER_MODE", "flexible"),
        ("CLIPNET_YOUTUBE_CATEGORY", "Gaming"),
        ("CLIPNET_YOUTUBE_MADE_FOR_KIDS", "maybe"),
        ("CLIPNET_YOUTUBE_PUBLISH_DELAY", "-5"),
    ],
)
def test_a_bad_publishing_setting_stops_clipnet_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        container_for(tmp_path, "embedded", **{variable: value})
