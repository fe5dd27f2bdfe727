"""The chat adapters against loopback Twitch Helix, Discord and X servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clipnet.adapters.chat_http import ChatHttp
from clipnet.adapters.discord.chat import DiscordChat, nonce
from clipnet.adapters.twitch.helix import TwitchChat
from clipnet.adapters.x.chat import XChat
from clipnet.domain.clipbot.model import INTERACTION_PREFIX
from clipnet.ports.bot import ChatSendError
from tests.loopback.chat_platforms import (
    DISCORD_APP,
    DISCORD_BOT_TOKEN,
    TWITCH_CLIENT_ID,
    TWITCH_TOKEN,
    X_TOKEN,
    ChatServerState,
    Throttle,
    discord_server,
    helix_server,
    x_server,
)

TwitchPair = tuple[TwitchChat, ChatServerState]
DiscordPair = tuple[DiscordChat, ChatServerState]
XPair = tuple[XChat, ChatServerState]


class Sleeps:
    """Records the pauses an adapter takes instead of taking them."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def twitch(sleeps: Sleeps) -> Iterator[tuple[TwitchChat, ChatServerState]]:
    with helix_server() as (url, state):
        http = ChatHttp("twitch", sleep=sleeps)
        yield TwitchChat(url, TWITCH_CLIENT_ID, TWITCH_TOKEN, "bot-9", http), state
        http.close()


@pytest.fixture
def discord(sleeps: Sleeps) -> Iterator[tuple[DiscordChat, ChatServerState]]:
    with discord_server() as (url, state):
        http = ChatHttp("discord", sleep=sleeps)
        yield DiscordChat(url, DISCORD_APP, DISCORD_BOT_TOKEN, http), state
        http.close()


@pytest.fixture
def x(sleeps: Sleeps) -> Iterator[tuple[XChat, ChatServerState]]:
    with x_server() as (url, state):
        http = ChatHttp("x", sleep=sleeps)
        yield XChat(url, X_TOKEN, http), state
        http.close()


def test_twitch_replies_go_to_helix_send_chat_message(twitch: TwitchPair) -> None:
    chat, server = twitch
    message_id = chat.send("broadcaster-1", "hello chat", reply_to="m-1", idempotency_key="k1")
    assert message_id == "twitch-msg-1"
    assert server.received == [
        (
            "/helix/chat/messages",
            {
                "broadcaster_id": "broadcaster-1",
                "sender_id": "bot-9",
                "message": "hello chat",
                "reply_parent_message_id": "m-1",
            },
        )
    ]


def test_a_twitch_429_waits_as_long_as_retry_after_says(twitch: TwitchPair, sleeps: Sleeps) -> None:
    chat, server = twitch
    server.throttle = Throttle(count=1, headers={"Retry-After": "2"})
    assert chat.send("broadcaster-1", "hi", idempotency_key="k1") == "twitch-msg-1"
    assert sleeps.taken == [2.0]
    assert (server.attempts, server.texts()) == (2, ["hi"])


def test_a_429_asking_for_too_long_a_wait_fails_for_a_later_retry(
    twitch: TwitchPair, sleeps: Sleeps
) -> None:
    chat, server = twitch
    server.throttle = Throttle(count=1, headers={"Retry-After": "3600"})
    with pytest.raises(ChatSendError) as failed:
        chat.send("broadcaster-1", "hi", idempotency_key="k1")
    assert not failed.value.permanent and sleeps.taken == [] and server.received == []


def test_server_errors_are_retried_then_given_up(twitch: TwitchPair, sleeps: Sleeps) -> None:
    chat, server = twitch
    server.failures = 10
    with pytest.raises(ChatSendError) as failed:
        chat.send("broadcaster-1", "hi", idempotency_key="k1")
    assert not failed.value.permanent
    assert server.attempts == 4 and len(sleeps.taken) == 3


def test_a_refused_message_fails_permanently(sleeps: Sleeps) -> None:
    with helix_server() as (url, server):
        chat = TwitchChat(url, TWITCH_CLIENT_ID, "revoked-token", "bot-9", ChatHttp("twitch"))
        with pytest.raises(ChatSendError) as failed:
            chat.send("broadcaster-1", "hi", idempotency_key="k1")
    assert failed.value.permanent and server.attempts == 1


def test_one_key_posts_once(twitch: TwitchPair) -> None:
    chat, server = twitch
    first = chat.send("broadcaster-1", "once", idempotency_key="same")
    assert chat.send("broadcaster-1", "once", idempotency_key="same") == first
    assert server.texts() == ["once"]


def test_a_discord_interaction_answer_is_a_follow_up_on_its_webhook(discord: DiscordPair) -> None:
    chat, server = discord
    chat.send(
        "chan-1", "Clip requested", reply_to=INTERACTION_PREFIX + "tok-1", idempotency_key="k"
    )
    assert server.received == [(f"/webhooks/{DISCORD_APP}/tok-1", {"content": "Clip requested"})]


def test_a_discord_channel_message_replies_with_a_nonce(discord: DiscordPair) -> None:
    chat, server = discord
    chat.send("chan-1", "Your clip is ready", reply_to="msg-5", idempotency_key="k")
    ((path, body),) = server.received
    assert path == "/channels/chan-1/messages"
    assert body["message_reference"]["message_id"] == "msg-5"
    assert (body["nonce"], body["enforce_nonce"]) == (nonce("k"), True)


def test_discord_deduplicates_a_resend_from_another_process_by_nonce(discord: DiscordPair) -> None:
    chat, server = discord
    first = chat.send("chan-1", "ready", idempotency_key="k")
    restarted = DiscordChat(
        f"http://127.0.0.1:{_port_of(chat)}", DISCORD_APP, DISCORD_BOT_TOKEN, ChatHttp("discord")
    )
    assert restarted.send("chan-1", "ready", idempotency_key="k") == first
    assert len(server.received) == 1


def _port_of(chat: DiscordChat) -> str:
    return chat._base.rsplit(":", 1)[1]


def test_discords_retry_after_in_the_body_is_honoured(discord: DiscordPair, sleeps: Sleeps) -> None:
    chat, server = discord
    server.throttle = Throttle(count=2, body={"message": "rate limited", "retry_after": 0.25})
    chat.send("chan-1", "hi", idempotency_key="k")
    assert sleeps.taken == [0.25, 0.25] and server.texts() == ["hi"]


def test_x_replies_are_posts_in_reply(x: XPair) -> None:
    chat, server = x
    assert chat.send("account-1", "ready!", reply_to="555", idempotency_key="k") == "9001"
    assert server.received == [
        ("/2/tweets", {"text": "ready!", "reply": {"in_reply_to_tweet_id": "555"}})
    ]


def test_x_429_with_retry_after_is_honoured(x: XPair, sleeps: Sleeps) -> None:
    chat, server = x
    server.throttle = Throttle(count=1, headers={"Retry-After": "1"})
    chat.send("account-1", "hello", idempotency_key="k")
    assert sleeps.taken == [1.0] and server.attempts == 2


def test_a_real_retry_after_pause_is_taken() -> None:
    with x_server() as (url, server):
        server.throttle = Throttle(count=1, headers={"Retry-After": "1"})
        chat = XChat(url, X_TOKEN, ChatHttp("x"))
        chat.send("account-1", "hello", idempotency_key="k")
    assert server.attempts == 2 and server.texts() == ["hello"]
