"""Sharing a clip over HTTP: the owner shares and unshares (POST/DELETE /clips/{id}/share);
the share page (GET /share/{token}) is public HTML while the clip is shared and a readable
404 page otherwise. The page in a real browser: tests/integration/http/test_share_page.py."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.clips.model import ClipOrigin, ClipStatus
from clipnet.domain.clips.sharing import ShareLinks, shared_on_creation
from clipnet.domain.shared.access import Role
from clipnet.domain.shared.spans import TimeSpan
from tests.unit.http.conftest import ApiUser, memory_container

PUBLIC_URL = "https://clips.example"


@pytest.fixture
def container(tmp_path: Path) -> Container:
    container = memory_container(tmp_path, CLIPNET_PUBLIC_URL=PUBLIC_URL)
    container.queue.override(providers.Singleton(RecordingJobQueue))  # jobs wait
    return container


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key:
            self.meta[key] = str(found.get("content"))
        self._in_h1 = tag == "h1"

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data

    def handle_endtag(self, tag: str) -> None:
        self._in_h1 = False


def page_meta(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    return parser


def share(client: TestClient[Litestar], user: ApiUser, clip_id: str) -> str:
    response = client.post(f"/clips/{clip_id}/share", headers=user.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["url"])


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_the_owner_shares_a_clip_and_anyone_with_the_link_opens_its_page(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).json()["share_url"] is None
    url = share(client, alice, clip_id)
    assert url.startswith(f"{PUBLIC_URL}/share/") and len(url.rsplit("/", 1)[1]) >= 24
    assert share(client, alice, clip_id) == url  # sharing again keeps the link
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).json()["share_url"] == url
    page = client.get(path_of(url))  # no token: the page is public
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-robots-tag"] == "noindex"
    meta = page_meta(page.text)
    assert meta.h1 == "a clip"
    assert (meta.meta["og:title"], meta.meta["og:type"]) == ("a clip", "video.other")
    assert meta.meta["og:url"] == url
    assert meta.meta["twitter:card"] == "summary_large_image"


def test_an_unshared_clips_link_is_a_readable_404_page_and_sharing_again_makes_a_new_link(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    first = share(client, alice, clip_id)
    assert client.delete(f"/clips/{clip_id}/share", headers=alice.headers).status_code == 204
    gone = client.get(path_of(first))
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("text/html")
    assert "This clip is not shared" in gone.text and "Traceback" not in gone.text
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).json()["share_url"] is None
    # unsharing an unshared clip is no error
    assert client.delete(f"/clips/{clip_id}/share", headers=alice.headers).status_code == 204
    second = share(client, alice, clip_id)
    assert second != first
    assert client.get(path_of(first)).status_code == 404  # the old link stays dead
    assert client.get(path_of(second)).status_code == 200


@pytest.mark.parametrize(
    "token",
    ["x", "not-a-token-of-any-clip-0000", "%2E%2E%2Fetc%2Fpasswd", "é" * 10, "a" * 5000],
)
def test_any_other_share_link_is_the_same_404_page(
    client: TestClient[Litestar], token: str
) -> None:
    response = client.get(f"/share/{token}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "This clip is not shared" in response.text


def test_another_user_cannot_share_or_unshare_your_clip(
    client: TestClient[Litestar], alice: ApiUser, bob: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    assert client.post(f"/clips/{clip_id}/share", headers=bob.headers).status_code == 404
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).json()["share_url"] is None
    url = share(client, alice, clip_id)
    refused = client.delete(f"/clips/{clip_id}/share", headers=bob.headers)
    assert refused.status_code == 404 and refused.json()["type"] == "/problems/not-found"
    assert client.get(path_of(url)).status_code == 200  # still shared


def test_sharing_needs_a_token(client: TestClient[Litestar], alice: ApiUser) -> None:
    clip_id = alice.clip(alice.source())
    assert client.post(f"/clips/{clip_id}/share").status_code == 401
    assert client.delete(f"/clips/{clip_id}/share").status_code == 401


def test_an_admin_may_share_anyones_clip(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    admin = ApiUser(client, "operator")
    with container.uow_factory()() as uow:
        user = uow.users.get(admin.id)
        user.role = Role.ADMIN
        uow.users.update(user)
        uow.commit()
    admin.tokens = client.post(
        "/auth/login", json={"email": admin.email, "password": admin.password}
    ).json()
    assert share(client, admin, clip_id).startswith(f"{PUBLIC_URL}/share/")


def test_a_cancelled_clip_has_nothing_to_share(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    assert client.post(f"/clips/{clip_id}/cancel", headers=alice.headers).status_code == 200
    refused = client.post(f"/clips/{clip_id}/share", headers=alice.headers)
    assert refused.status_code == 422 and "cancelled" in refused.json()["detail"]


def test_the_page_escapes_the_clips_title(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    hostile = '"><script>alert(1)</script>'
    assert (
        client.patch(
            f"/clips/{clip_id}", json={"title": hostile}, headers=alice.headers
        ).status_code
        == 200
    )
    page = client.get(path_of(share(client, alice, clip_id))).text
    assert "<script>" not in page
    assert page_meta(page).meta["og:title"] == hostile


def test_a_shared_clips_page_shows_its_video_and_thumbnail_once_they_exist(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    url = share(client, alice, clip_id)
    being_made = page_meta(client.get(path_of(url)).text).meta
    assert "og:video" not in being_made and "og:image" not in being_made
    with container.uow_factory()() as uow:
        clip = uow.clips.get(clip_id)
        clip.assets = {"video": f"clips/{clip_id}/video.mp4", "thumbnail": f"clips/{clip_id}/t.jpg"}
        clip.status = ClipStatus.READY
        uow.clips.update(clip)
        uow.commit()
    storage = container.storage()
    meta = page_meta(client.get(path_of(url)).text).meta
    assert meta["og:video"] == storage.url(f"clips/{clip_id}/video.mp4")
    assert meta["og:image"] == meta["twitter:image"] == storage.url(f"clips/{clip_id}/t.jpg")
    assert (meta["og:video:width"], meta["og:video:height"]) == ("1080", "1920")


def test_clips_asked_for_in_chat_are_shared_when_made_and_others_are_not(
    container: Container, alice: ApiUser
) -> None:
    assert shared_on_creation(ClipOrigin.BOT)
    assert not any(shared_on_creation(o) for o in (ClipOrigin.USER, ClipOrigin.AUTO))
    source_id = alice.source()
    lifecycle = container.lifecycle()
    from_chat = lifecycle.request_recent(source_id, alice.id, until=60, length=30)
    by_hand = lifecycle.request(source_id, alice.id, TimeSpan(0, 10))
    assert len(from_chat.share_token) >= 24 and by_hand.share_token == ""
    with container.uow_factory()() as uow:
        found = uow.clips.find_shared(from_chat.share_token)
    assert found is not None and found.id == from_chat.id
    assert ShareLinks(PUBLIC_URL).of(from_chat) == f"{PUBLIC_URL}/share/{from_chat.share_token}"
