"""Local storage's media over HTTP: upload and clip answers link to ``/media/...``, which serves
exactly the stored file and nothing outside the storage folder."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.container import Container
from tests.unit.http.conftest import FAKE_VIDEO, ApiUser, memory_container


@pytest.fixture
def container(tmp_path: Path) -> Container:
    return memory_container(
        tmp_path, CLIPNET_STORAGE="local", CLIPNET_PUBLIC_URL="https://clips.example.com/api"
    )


def test_an_uploaded_video_links_to_the_api_and_the_link_serves_the_same_bytes(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    source = alice.upload().json()
    link = urlsplit(source["url"])
    assert (link.scheme, link.netloc) == ("https", "clips.example.com")
    assert link.path == f"/api/media/sources/{source['id']}/stream.mp4"
    served = client.get(link.path.removeprefix("/api"))  # the app is mounted at /api here
    assert served.status_code == 200
    assert served.content == FAKE_VIDEO
    assert served.headers["content-type"] == "video/mp4"


def test_a_clips_media_links_point_at_the_api(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = alice.clip(alice.source())
    rendered = tmp_path / "rendered.mp4"
    rendered.write_bytes(b"rendered clip")
    container.storage().put(f"clips/{clip_id}/video.mp4", rendered)
    with container.uow_factory()() as uow:
        clip = uow.clips.get(clip_id)
        clip.assets = {"video": f"clips/{clip_id}/video.mp4"}
        uow.clips.update(clip)
        uow.commit()
    media = client.get(f"/clips/{clip_id}", headers=alice.headers).json()["media"]
    assert media == {"video": f"https://clips.example.com/api/media/clips/{clip_id}/video.mp4"}
    assert client.get(f"/media/clips/{clip_id}/video.mp4").content == b"rendered clip"


@pytest.mark.parametrize(
    "path",
    [
        "/media/sources/nope/stream.mp4",
        "/media/../clipnet.key",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/sources",
        "/media/",
    ],
)
def test_anything_but_a_stored_file_is_a_404_problem(
    client: TestClient[Litestar], alice: ApiUser, tmp_path: Path, path: str
) -> None:
    alice.upload()
    (tmp_path / "clipnet.key").write_text("secret")
    response = client.get(path)
    assert response.status_code in (404, 400), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "secret" not in response.text


def test_with_memory_storage_urls_are_left_as_they_are_and_media_is_404(tmp_path: Path) -> None:
    from clipnet.entrypoints.http import create_app

    with TestClient(create_app(memory_container(tmp_path))) as client:
        user = ApiUser(client, "memory")
        source = user.upload().json()
        assert not source["url"].startswith("http://127.0.0.1:8000/media")
        assert client.get(f"/media/sources/{source['id']}/stream.mp4").status_code == 404
