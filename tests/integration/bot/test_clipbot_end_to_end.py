"""ClipBOT end to end on the embedded default: SQLite, the in-process queue, local storage and
real FFmpeg. A signed Twitch ``!clip`` goes in over HTTP; the finished clip's link comes out
on a loopback Helix server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from clipnet.adapters.crypto import new_key
from clipnet.container import Container, build_container
from clipnet.domain.accounts.model import User
from clipnet.domain.clipbot.model import ChannelLink
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source, SourceKind
from clipnet.entrypoints.http import create_app
from clipnet.ports.repositories import ClipQuery
from clipnet.settings import load_settings
from tests.bot_webhooks import BOT_USER, TWITCH_SECRET, twitch_chat, twitch_delivery
from tests.integration.bot.generated_media import generated_video
from tests.loopback.asgi import serving
from tests.loopback.chat_platforms import (
    TWITCH_CLIENT_ID,
    TWITCH_TOKEN,
    ChatServerState,
    helix_server,
)

PUBLIC_URL = "https://clipnet.example"
BROADCASTER = "broadcaster-1"
OWNER = "owner-1"
#: Generous: two shared cores analyse and encode; the wait ends as soon as the reply arrives.
PIPELINE_TIMEOUT = 300.0

pytestmark = pytest.mark.slow


def embedded_container(tmp_path: Path, helix_url: str, **env: str) -> Container:
    """The embedded default (no database or queue settings) with Twitch chat configured."""
    settings = load_settings(
        {
            "CLIPNET_DATA_DIR": str(tmp_path / "data"),
            "CLIPNET_SECRET_KEYS": new_key(),
            "CLIPNET_PUBLIC_URL": PUBLIC_URL,
            "CLIPNET_X264_PRESET": "ultrafast",
            "CLIPNET_TWITCH_EVENTSUB_SECRET": TWITCH_SECRET,
            "CLIPNET_TWITCH_API_URL": helix_url,
            "CLIPNET_TWITCH_CLIENT_ID": TWITCH_CLIENT_ID,
            "CLIPNET_TWITCH_BOT_TOKEN": TWITCH_TOKEN,
            "CLIPNET_TWITCH_BOT_USER_ID": BOT_USER,
            **env,
        }
    )
    assert settings.database.url.startswith("sqlite:///")
    return build_container(settings)


def linked_vod(container: Container, video: Path) -> str:
    """A streamer with a recorded VOD, linked to their Twitch channel."""
    info = container.media().probe(video)
    now = datetime.now(UTC)
    with container.database().unit_of_work() as uow:
        uow.users.add(User(id=OWNER, email="streamer@example.com", created_at=now))
        uow.sources.add(
            Source(
                "vod-1",
                OWNER,
                SourceKind.LOCAL,
                str(video),
                now,
                duration=info.duration,
                channel=BROADCASTER,
            )
        )
        uow.commit()
    container.channel_admin().link_channel(
        ChannelLink(Platform.TWITCH, BROADCASTER, OWNER, "vod-1")
    )
    return "vod-1"


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PIPELINE_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def texts(server: ChatServerState) -> list[str]:
    with server.lock:
        return [str(body.get("message", "")) for _, body in server.received]


def clips_of(container: Container) -> list[Clip]:
    with container.database().unit_of_work() as uow:
        return uow.clips.search(ClipQuery(owner_id=OWNER))


@pytest.fixture
def helix() -> Iterator[tuple[str, ChatServerState]]:
    with helix_server() as served:
        yield served


@pytest.fixture
def container(tmp_path: Path, helix: tuple[str, ChatServerState]) -> Iterator[Container]:
    built = embedded_container(tmp_path, helix[0])
    yield built
    built.job_worker().stop(timeout=30)


def test_a_signed_twitch_clip_command_ends_with_the_ready_clips_link_in_chat(
    tmp_path: Path, container: Container, helix: tuple[str, ChatServerState]
) -> None:
    # given a streamer's VOD linked to their channel, and the API serving on loopback
    _, server = helix
    linked_vod(container, generated_video(tmp_path / "vod.mp4"))
    body, headers = twitch_delivery(
        "notification", twitch_chat("!clip what a save", message="chat-7"), "d-1", datetime.now(UTC)
    )
    # when a viewer types !clip in chat (Twitch delivers it twice: at least once)
    with serving(create_app(container)) as base_url, httpx.Client(base_url=base_url) as http:
        statuses = [
            http.post("/bot/twitch", content=body, headers=headers).status_code for _ in range(2)
        ]
        wait_until(lambda: len(texts(server)) >= 2, "the ready notice")
    # then one clip of the VOD's last 30 s was made, processed by FFmpeg and stored
    assert statuses == [204, 204]
    (clip,) = clips_of(container)
    assert clip.status is ClipStatus.READY
    assert (clip.span.start, clip.span.end) == pytest.approx((10.0, 40.0), abs=0.1)
    assert clip.title == "what a save"
    video = container.storage().fetch(clip.assets["video"], tmp_path / "out.mp4")
    finished = container.media().probe(video)
    assert finished.has_video and finished.duration == pytest.approx(30.0, abs=1.0)
    assert (finished.width, finished.height) == (1080, 1920)
    # and chat heard twice, in reply to the viewer's message: requested, then ready with the link
    requested, ready = texts(server)
    assert requested.startswith(f"Clip {clip.id} requested (30 s)")
    # (asked for in chat, so shared when made: the link is its public share page, which opens)
    assert clip.share_token
    assert ready == f"Your clip 'what a save' is ready: {PUBLIC_URL}/share/{clip.share_token}"
    with TestClient(create_app(container)) as anyone:
        page = anyone.get(f"/share/{clip.share_token}")
    assert page.status_code == 200 and "what a save" in page.text
    with server.lock:
        replies_to = [body["reply_parent_message_id"] for _, body in server.received]
    assert replies_to == ["chat-7", "chat-7"]


def test_with_twitch_clips_on_a_live_clip_command_is_made_by_twitch_and_ends_ready_in_chat(
    tmp_path: Path, helix: tuple[str, ChatServerState]
) -> None:
    # given Twitch clips on, a linked channel that just went live, and Twitch's clip video
    _, server = helix
    server.clips.media = generated_video(tmp_path / "twitch-clip.mp4", seconds=20.0).read_bytes()
    server.clips.looks_before_ready = 0  # found on the first look: no real waiting here
    container = embedded_container(tmp_path, helix[0], CLIPNET_TWITCH_CLIPS="true")
    try:
        linked_vod(container, generated_video(tmp_path / "vod.mp4"))
        now = datetime.now(UTC)
        online = {
            "subscription": {"id": "sub-2", "type": "stream.online"},
            "event": {"broadcaster_user_id": BROADCASTER, "started_at": now.isoformat()},
        }
        chat = twitch_chat("!clip big play", message="chat-8")
        with serving(create_app(container)) as base_url, httpx.Client(base_url=base_url) as http:
            for delivery, payload in (("on-1", online), ("d-2", chat)):
                body, headers = twitch_delivery("notification", payload, delivery, now)
                assert http.post("/bot/twitch", content=body, headers=headers).status_code == 204
            wait_until(lambda: len(texts(server)) >= 3, "the ready notice")
        # then Twitch was asked once, and its clip's video was processed into a ready clip
        assert server.clips.created == [BROADCASTER]
        (clip,) = clips_of(container)
        assert clip.status is ClipStatus.READY
        assert clip.span.end == pytest.approx(20.0, abs=0.2)
        video = container.storage().fetch(clip.assets["video"], tmp_path / "out.mp4")
        assert container.media().probe(video).duration == pytest.approx(20.0, abs=1.0)
        (made,) = server.clips.looks
        assert sorted(texts(server)) == [
            "Asking Twitch to clip that...",
            f"Clip {clip.id} made by Twitch (https://clips.twitch.tv/{made}), 30 s. "
            "I will post the link when it is ready.",
            f"Your clip 'big play' is ready: {PUBLIC_URL}/share/{clip.share_token}",
        ]
    finally:
        container.job_worker().stop(timeout=30)
