"""The webhook routes: signatures first, then one effect per delivery, never a 500."""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from clipnet.domain.clipbot.model import ReplyTarget
from clipnet.domain.clipbot.parser import HELP
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.platforms import Platform
from tests.bot_webhooks import (
    BOT_USER,
    bot_app,
    bot_settings,
    discord_command,
    discord_delivery,
    twitch_chat,
    twitch_delivery,
    x_delivery,
    x_mention,
)
from tests.bot_world import BotWorld, bot_world
from tests.builders import T0
from tests.loopback.asgi import serving


@pytest.fixture
def world() -> BotWorld:
    return bot_world()


@pytest.fixture
def client(world: BotWorld, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    app = bot_app(world.container, bot_settings(tmp_path))
    with TestClient(app) as test_client:
        yield test_client


def clips_made(world: BotWorld) -> int:
    return len(world.jobs_of(JobType.CLIP_PROCESS))


# -- Twitch --------------------------------------------------------------------------------------


def test_twitch_callback_verification_answers_the_raw_challenge(client: TestClient) -> None:  # type: ignore[type-arg]
    payload = {"challenge": "pogchamp-kappa-360noscope", "subscription": {"id": "sub-1"}}
    body, headers = twitch_delivery("webhook_callback_verification", payload, "v-1", T0)
    response = client.post("/bot/twitch", content=body, headers=headers)
    assert response.status_code == 200
    assert response.text == "pogchamp-kappa-360noscope"
    assert response.headers["content-type"].startswith("text/plain")


def test_a_signed_twitch_chat_clip_makes_a_clip_and_queues_a_reply(
    client: TestClient,
    world: BotWorld,  # type: ignore[type-arg]
) -> None:
    body, headers = twitch_delivery("notification", twitch_chat("!clip nice"), "n-1", T0)
    assert client.post("/bot/twitch", content=body, headers=headers).status_code == 204
    assert clips_made(world) == 1
    (reply,) = world.jobs_of(JobType.CLIPBOT_POST)
    assert reply.payload["reply_to"] == "m1" and reply.payload["channel"] == "broadcaster-1"


def test_a_bad_twitch_signature_is_forbidden_and_has_no_effect(
    client: TestClient,
    world: BotWorld,  # type: ignore[type-arg]
) -> None:
    body, headers = twitch_delivery("notification", twitch_chat("!clip"), "n-1", T0, secret="nope")
    response = client.post("/bot/twitch", content=body, headers=headers)
    assert response.status_code == 403 and clips_made(world) == 0


def test_a_twitch_delivery_older_than_ten_minutes_is_forbidden(
    client: TestClient,
    world: BotWorld,  # type: ignore[type-arg]
) -> None:
    sent = T0 - timedelta(minutes=10, seconds=1)
    body, headers = twitch_delivery("notification", twitch_chat("!clip"), "n-1", sent)
    assert client.post("/bot/twitch", content=body, headers=headers).status_code == 403
    assert clips_made(world) == 0


def test_a_re_serialised_twitch_body_is_forbidden(client: TestClient) -> None:  # type: ignore[type-arg]
    body, headers = twitch_delivery("notification", twitch_chat("!clip"), "n-1", T0)
    same_data = json.dumps(json.loads(body), indent=2).encode()
    assert client.post("/bot/twitch", content=same_data, headers=headers).status_code == 403


def test_twitch_revocation_marks_the_subscription_revoked(
    client: TestClient,
    world: BotWorld,  # type: ignore[type-arg]
) -> None:
    payload = {"subscription": {"id": "sub-7", "status": "authorization_revoked"}}
    body, headers = twitch_delivery("revocation", payload, "r-1", T0)
    assert client.post("/bot/twitch", content=body, headers=headers).status_code == 204
    assert world.store.revoked_subscriptions(Platform.TWITCH) == {"sub-7": "authorization_revoked"}


def test_twitch_ignores_the_bots_own_chat_lines(client: TestClient, world: BotWorld) -> None:  # type: ignore[type-arg]
    body, headers = twitch_delivery("notification", twitch_chat("!help", chatter=BOT_USER), "n", T0)
    assert client.post("/bot/twitch", content=body, headers=headers).status_code == 204
    assert world.queue.jobs == []


def test_twitch_stream_online_starts_the_live_clock(client: TestClient, world: BotWorld) -> None:  # type: ignore[type-arg]
    payload = {
        "subscription": {"id": "sub-2", "type": "stream.online"},
        "event": {"broadcaster_user_id": "broadcaster-1", "started_at": "2026-01-01T11:58:00Z"},
    }
    body, headers = twitch_delivery("notification", payload, "on-1", T0)
    assert client.post("/bot/twitch", content=body, headers=headers).status_code == 204
    link = world.store.find_link(Platform.TWITCH, "broadcaster-1")
    assert link is not None and link.live_since == T0 - timedelta(minutes=2)


@pytest.mark.parametrize(
    "kind, payload",
    [
        ("notification", {"subscription": {"type": "channel.chat.message"}}),
        ("notification", {"subscription": {"type": "channel.chat.message"}, "event": []}),
        ("mystery", twitch_chat("!clip")),
        ("notification", [1, 2, 3]),
    ],
)
def test_a_signed_but_malformed_twitch_payload_is_a_400(
    client: TestClient,
    kind: str,
    payload: object,  # type: ignore[type-arg]
) -> None:
    body, headers = twitch_delivery(kind, payload, "bad-1", T0)  # type: ignore[arg-type]
    response = client.post("/bot/twitch", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/bad-request"


def test_signed_bytes_that_are_not_json_are_a_400(client: TestClient) -> None:  # type: ignore[type-arg]
    headers = twitch_delivery("notification", {}, "raw-1", T0)[1]
    raw = b"\xff\xfe not json"
    stamp = headers["Twitch-Eventsub-Message-Timestamp"]
    mac = hmac.new(b"twitch-eventsub-secret-0123", b"raw-1" + stamp.encode() + raw, "sha256")
    headers["Twitch-Eventsub-Message-Signature"] = "sha256=" + mac.hexdigest()
    assert client.post("/bot/twitch", content=raw, headers=headers).status_code == 400


def test_one_twitch_message_delivered_50_times_at_once_has_one_effect(
    world: BotWorld, tmp_path: Path
) -> None:
    body, headers = twitch_delivery("notification", twitch_chat("!clip"), "same-id", T0)
    app = bot_app(world.container, bot_settings(tmp_path))
    with serving(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as http:

        def deliver(_: int) -> int:
            return http.post("/bot/twitch", content=body, headers=headers).status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(deliver, range(50)))
    assert statuses == [204] * 50
    assert clips_made(world) == 1
    assert len(world.jobs_of(JobType.CLIPBOT_POST)) == 1


# -- Discord -------------------------------------------------------------------------------------


def test_a_discord_ping_gets_a_pong(client: TestClient) -> None:  # type: ignore[type-arg]
    body, headers = discord_delivery({"type": 1, "id": "p"})
    response = client.post("/bot/discord", content=body, headers=headers)
    assert (response.status_code, response.json()) == (200, {"type": 1})


def test_a_badly_signed_discord_interaction_is_a_401(client: TestClient) -> None:  # type: ignore[type-arg]
    body, headers = discord_delivery({"type": 1, "id": "p"})
    headers["X-Signature-Timestamp"] = "1767268801"
    assert client.post("/bot/discord", content=body, headers=headers).status_code == 401
    assert client.post("/bot/discord", content=body).status_code == 401


def test_a_quick_discord_command_is_answered_inline(client: TestClient, world: BotWorld) -> None:  # type: ignore[type-arg]
    body, headers = discord_delivery(discord_command("help"))
    response = client.post("/bot/discord", content=body, headers=headers)
    assert response.json() == {"type": 4, "data": {"content": HELP, "flags": 0}}
    assert world.queue.jobs == []


def test_a_discord_clip_is_deferred_and_followed_up(client: TestClient, world: BotWorld) -> None:  # type: ignore[type-arg]
    body, headers = discord_delivery(discord_command("clip", "what a save"))
    response = client.post("/bot/discord", content=body, headers=headers)
    assert response.json() == {"type": 5}
    assert clips_made(world) == 1
    (follow_up,) = world.jobs_of(JobType.CLIPBOT_POST)
    # the follow-up goes to the interaction, whose token the job keeps sealed
    reply_to = str(follow_up.payload["reply_to"])
    target = ReplyTarget(Platform.DISCORD, "broadcaster-1", reply_to)
    assert "token-clip" not in reply_to
    assert target.opened(world.container.secret_box()).reply_to == "interaction:token-clip"


def test_a_discord_command_with_bad_arguments_gets_its_usage(client: TestClient) -> None:  # type: ignore[type-arg]
    body, headers = discord_delivery(discord_command("vote", "clip-1", "sideways"))
    response = client.post("/bot/discord", content=body, headers=headers)
    assert response.json()["data"]["content"] == "Usage: !vote <clip> up|down"


def test_an_unsupported_discord_interaction_type_is_a_400(client: TestClient) -> None:  # type: ignore[type-arg]
    body, headers = discord_delivery({"type": 3, "id": "button"})
    assert client.post("/bot/discord", content=body, headers=headers).status_code == 400


# -- X -------------------------------------------------------------------------------------------


def test_the_x_crc_check_is_answered(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/bot/x", params={"crc_token": "abc"})
    digest = hmac.new(b"x-consumer-secret-0123", b"abc", hashlib.sha256).digest()
    assert response.json() == {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    assert client.get("/bot/x").status_code == 400


def test_a_signed_x_mention_is_handled_once(client: TestClient, world: BotWorld) -> None:  # type: ignore[type-arg]
    body, headers = x_delivery(x_mention("@clipbot !clip", tweet_id="555"))
    for _ in range(3):
        assert client.post("/bot/x", content=body, headers=headers).status_code == 200
    assert clips_made(world) == 1
    (reply,) = world.jobs_of(JobType.CLIPBOT_POST)
    assert (reply.payload["platform"], reply.payload["reply_to"]) == ("x", "555")


def test_the_bots_own_posts_on_x_are_ignored(client: TestClient, world: BotWorld) -> None:  # type: ignore[type-arg]
    body, headers = x_delivery(x_mention("!help", author="broadcaster-1"))
    assert client.post("/bot/x", content=body, headers=headers).json() == {"received": 0}
    assert world.queue.jobs == []


def test_a_badly_signed_x_delivery_is_forbidden(client: TestClient, world: BotWorld) -> None:  # type: ignore[type-arg]
    body, headers = x_delivery(x_mention("!clip"), secret="wrong")
    assert client.post("/bot/x", content=body, headers=headers).status_code == 403
    assert clips_made(world) == 0


# -- not configured ------------------------------------------------------------------------------


def test_a_route_without_its_secret_is_unavailable(world: BotWorld, tmp_path: Path) -> None:
    settings = bot_settings(
        tmp_path,
        CLIPNET_TWITCH_EVENTSUB_SECRET=" ",
        CLIPNET_DISCORD_PUBLIC_KEY=" ",
        CLIPNET_X_CONSUMER_SECRET=" ",
    )
    with TestClient(bot_app(world.container, settings)) as client:
        body, headers = twitch_delivery("notification", twitch_chat("!clip"), "n-1", T0)
        responses = [
            client.post("/bot/twitch", content=body, headers=headers),
            client.post("/bot/discord", content=b"{}"),
            client.get("/bot/x", params={"crc_token": "abc"}),
            client.post("/bot/x", content=b"{}"),
        ]
    assert [r.status_code for r in responses] == [503] * 4
    assert "CLIPNET_TWITCH_EVENTSUB_SECRET" in responses[0].json()["detail"]


# -- every signed part, at the route -------------------------------------------------------------


def flipped(text: str, index: int) -> str:
    """``text`` with one bit of the character at ``index`` flipped."""
    return text[:index] + chr(ord(text[index]) ^ 0x01) + text[index + 1 :]


@pytest.mark.parametrize(
    "part", ["body", "Twitch-Eventsub-Message-Id", "Twitch-Eventsub-Message-Timestamp", "sig"]
)
def test_a_twitch_delivery_with_any_signed_part_changed_is_forbidden_and_has_no_effect(
    client: TestClient,  # type: ignore[type-arg]
    world: BotWorld,
    part: str,
) -> None:
    body, headers = twitch_delivery("notification", twitch_chat("!clip"), "n-1", T0)
    if part == "body":
        body = body.replace(b"!clip", b"!clap")
    elif part == "sig":
        signature = headers["Twitch-Eventsub-Message-Signature"]
        headers["Twitch-Eventsub-Message-Signature"] = flipped(signature, 30)
    else:
        headers[part] = flipped(headers[part], 1)
    assert client.post("/bot/twitch", content=body, headers=headers).status_code == 403
    assert world.queue.jobs == []


@pytest.mark.parametrize("part", ["body", "timestamp", "signature"])
def test_a_discord_interaction_with_any_signed_part_changed_is_a_401_with_no_effect(
    client: TestClient,  # type: ignore[type-arg]
    world: BotWorld,
    part: str,
) -> None:
    body, headers = discord_delivery(discord_command("clip", "what a save"))
    if part == "body":
        body = body.replace(b"what a save", b"what a savf")
    elif part == "timestamp":
        headers["X-Signature-Timestamp"] = flipped(headers["X-Signature-Timestamp"], 9)
    else:
        headers["X-Signature-Ed25519"] = flipped(headers["X-Signature-Ed25519"], 0)
    assert client.post("/bot/discord", content=body, headers=headers).status_code == 401
    assert world.queue.jobs == []


def test_a_discord_interaction_ten_minutes_and_one_second_old_is_a_401(
    client: TestClient,  # type: ignore[type-arg]
    world: BotWorld,
) -> None:
    sent = str(int((T0 - timedelta(minutes=10, seconds=1)).timestamp()))
    body, headers = discord_delivery(discord_command("clip"), timestamp=sent)
    assert client.post("/bot/discord", content=body, headers=headers).status_code == 401
    assert world.queue.jobs == []


def test_a_re_serialised_discord_or_x_body_is_refused(
    client: TestClient,  # type: ignore[type-arg]
    world: BotWorld,
) -> None:
    body, headers = discord_delivery(discord_command("clip"))
    same_data = json.dumps(json.loads(body), indent=2).encode()
    assert client.post("/bot/discord", content=same_data, headers=headers).status_code == 401
    body, headers = x_delivery(x_mention("@clipbot !clip"))
    same_data = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert same_data != body
    assert client.post("/bot/x", content=same_data, headers=headers).status_code == 403
    assert world.queue.jobs == []


def test_an_x_delivery_with_a_changed_body_or_signature_is_forbidden(
    client: TestClient,  # type: ignore[type-arg]
    world: BotWorld,
) -> None:
    body, headers = x_delivery(x_mention("@clipbot !clip"))
    changed_body = body.replace(b"!clip", b"!clap")
    changed_signature = {
        **headers,
        "x-twitter-webhooks-signature": flipped(headers["x-twitter-webhooks-signature"], 10),
    }
    assert client.post("/bot/x", content=changed_body, headers=headers).status_code == 403
    assert client.post("/bot/x", content=body, headers=changed_signature).status_code == 403
    assert world.queue.jobs == []
