"""Sources over HTTP: streamed uploads checked by probing, URL registration behind the SSRF
guard, listing, reading and deleting (with the stored media)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.container import Container
from clipnet.entrypoints.http import create_app
from tests.unit.http.conftest import FAKE_VIDEO, ApiUser, memory_container


class FakeResolver:
    """Host name -> addresses, as a test declares them."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    def addresses(self, host: str) -> list[str]:
        return self.table.get(host, [])


@pytest.fixture
def container(tmp_path: Path) -> Container:
    container = memory_container(
        tmp_path,
        CLIPNET_ALLOWED_SOURCE_HOSTS="videos.example.com,internal.example.com",
        CLIPNET_MAX_UPLOAD_BYTES=str(64 * 1024),
    )
    resolver = FakeResolver(
        {
            "videos.example.com": ["93.184.216.34"],
            "cdn.videos.example.com": ["2606:2800:220:1::1"],
            "internal.example.com": ["93.184.216.34", "10.0.0.7"],
        }
    )
    container.url_guard.reset()
    container.url_guard.override(
        providers.Singleton(
            type(container.url_guard()),
            ("videos.example.com", "internal.example.com"),
            resolver,
        )
    )
    return container


def stored_keys(container: Container) -> list[str]:
    return container.storage().keys()  # type: ignore[no-any-return]


def test_an_uploaded_video_is_probed_stored_and_listed(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    response = alice.upload(title="Friday stream")
    assert response.status_code == 201, response.text
    source = response.json()
    assert source["kind"] == "upload" and source["duration"] == 120.0
    assert source["title"] == "Friday stream"
    assert stored_keys(container) == [f"sources/{source['id']}/stream.mp4"]
    listed = client.get("/sources/", headers=alice.headers).json()["items"]
    assert [s["id"] for s in listed] == [source["id"]]


def test_a_file_that_is_not_a_video_is_refused_and_nothing_is_stored(
    container: Container, alice: ApiUser
) -> None:
    response = alice.upload(content=b"#!/bin/sh\necho pretending to be an mp4\n")
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-input"
    assert stored_keys(container) == []


def test_an_upload_over_the_size_limit_is_413_and_nothing_is_stored(
    container: Container, alice: ApiUser
) -> None:
    response = alice.upload(content=FAKE_VIDEO + b"\0" * (80 * 1024))
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/payload-too-large"
    assert stored_keys(container) == []


def test_an_upload_must_be_multipart_with_a_file_part(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    raw = client.post(
        "/sources/upload",
        content=FAKE_VIDEO,
        headers={**alice.headers, "Content-Type": "video/mp4"},
    )
    no_file = client.post("/sources/upload", data={"title": "x"}, files={}, headers=alice.headers)
    truncated = client.post(
        "/sources/upload",
        content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\nFAKE',
        headers={**alice.headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert raw.status_code == 415
    assert no_file.status_code in (400, 415)
    assert truncated.status_code == 400
    for response in (raw, no_file, truncated):
        assert response.headers["content-type"].startswith("application/problem+json")


def test_an_upload_with_a_form_field_other_than_file_and_title_is_a_400_naming_it(
    container: Container, client: TestClient[Litestar], alice: ApiUser
) -> None:
    response = client.post(
        "/sources/upload",
        files={"file": ("stream.mp4", FAKE_VIDEO, "video/mp4")},
        data={"title": "my stream", "owner_id": "someone-else"},
        headers=alice.headers,
    )
    assert response.status_code == 400, response.text
    assert "'owner_id'" in response.json()["detail"]
    assert stored_keys(container) == []
    assert alice.upload().status_code == 201  # 'file' and 'title' alone are accepted


def test_a_url_on_an_allowed_public_host_is_registered(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    for url in ("https://videos.example.com/vod/1.mp4", "http://cdn.videos.example.com/2.mp4"):
        response = client.post("/sources/url", json={"url": url}, headers=alice.headers)
        assert response.status_code == 201, response.text
        assert response.json()["url"] == url and response.json()["kind"] == "url"


def test_a_source_may_name_its_game_or_category_and_a_long_one_is_a_400(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    url = "https://videos.example.com/vod/1.mp4"
    made = client.post(
        "/sources/url", json={"url": url, "category": " Just  Chatting "}, headers=alice.headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["category"] == "Just Chatting"
    listed = client.get(f"/sources/{made.json()['id']}", headers=alice.headers)
    assert listed.json()["category"] == "Just Chatting"
    uploaded = client.post(
        "/sources/upload",
        files={"file": ("stream.mp4", FAKE_VIDEO, "video/mp4")},
        data={"title": "my stream", "category": "Valorant"},
        headers=alice.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["category"] == "Valorant"
    too_long = client.post(
        "/sources/url", json={"url": url, "category": "x" * 101}, headers=alice.headers
    )
    assert too_long.status_code == 400
    assert too_long.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://evil.example.org/a.mp4", "not on the list"),
        ("https://internal.example.com/a.mp4", "non-public address"),
        ("https://127.0.0.1/a.mp4", "not on the list"),
        ("file:///etc/passwd", "http"),
        ("ftp://videos.example.com/a.mp4", "http"),
        ("https://user:pw@videos.example.com/a.mp4", "credentials"),
        ("https://unknown.videos.example.com/a.mp4", "does not resolve"),
        ("https://videos.example.com:99999/a.mp4", "malformed"),
    ],
)
def test_urls_that_could_reach_inside_the_network_are_refused(
    client: TestClient[Litestar], alice: ApiUser, url: str, reason: str
) -> None:
    response = client.post("/sources/url", json={"url": url}, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]


def test_deleting_a_source_removes_its_clips_and_their_media(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    source_id = alice.source()
    clip_id = alice.clip(source_id)
    with container.uow_factory()() as uow:  # give the clip a stored video, as the pipeline would
        clip = uow.clips.get(clip_id)
        clip.assets = {**clip.assets, "video": f"clips/{clip_id}/video.mp4"}
        uow.clips.update(clip)
        uow.commit()
    (Path(container.settings().data_dir) / "v.mp4").write_bytes(b"video")
    container.storage().put(
        f"clips/{clip_id}/video.mp4", Path(container.settings().data_dir) / "v.mp4"
    )
    assert client.delete(f"/sources/{source_id}", headers=alice.headers).status_code == 204
    assert client.get(f"/sources/{source_id}", headers=alice.headers).status_code == 404
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).status_code == 404
    assert stored_keys(container) == []


def test_an_unknown_source_is_a_404_problem(client: TestClient[Litestar], alice: ApiUser) -> None:
    response = client.get("/sources/no-such-source", headers=alice.headers)
    assert response.status_code == 404
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "source 'no-such-source' not found",
    }


def test_the_app_builds_with_the_guard_from_settings(tmp_path: Path) -> None:
    # The default wiring (system resolver) is used when nothing is overridden.
    app = create_app(memory_container(tmp_path))
    with TestClient(app) as client:
        user = ApiUser(client, "guarded")
        response = client.post(
            "/sources/url", json={"url": "http://localhost/a.mp4"}, headers=user.headers
        )
        assert response.status_code == 422


def test_a_sources_timeline_has_its_score_and_features_per_second_once_analysed(
    client: TestClient[Litestar], alice: ApiUser, bob: ApiUser
) -> None:
    source_id = alice.source()
    before = client.get(f"/sources/{source_id}/timeline", headers=alice.headers)
    assert before.status_code == 200
    assert (before.json()["analysed"], before.json()["score"]) == (False, [])
    alice.auto_clip_spans(source_id, 1)  # analyses the source

    timeline = client.get(f"/sources/{source_id}/timeline", headers=alice.headers).json()
    assert timeline["analysed"] is True
    assert len(timeline["score"]) == 120
    assert {"loudness", "motion", "speech"} <= set(timeline["features"])
    assert all(len(v) == 120 for v in timeline["features"].values())
    assert all(0 <= v <= 1 for values in timeline["features"].values() for v in values)
    assert max(timeline["score"][70:90]) > max(timeline["score"][:60])  # the loud stretch
    assert timeline["scene_cuts"] == [75.0, 80.0]
    assert client.get(f"/sources/{source_id}/timeline", headers=bob.headers).status_code == 404
