"""The chat platform contract, for the in-memory chat and the Twitch, Discord and X adapters
(over HTTP, against loopback servers that check each platform's protocol)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipnet.adapters.chat_http import ChatHttp
from clipnet.adapters.discord.chat import DiscordChat
from clipnet.adapters.memory.platforms import InMemoryChat
from clipnet.adapters.twitch.helix import TwitchChat
from clipnet.adapters.x.chat import XChat
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.chat import ChatPlatform
from tests.loopback.chat_platforms import (
    DISCORD_APP,
    DISCORD_BOT_TOKEN,
    TWITCH_CLIENT_ID,
    TWITCH_TOKEN,
    X_TOKEN,
    discord_server,
    helix_server,
    x_server,
)

CHATS = ["memory", "twitch", "discord", "x"]


@attrs.frozen
class ChatUnderTest:
    chat: ChatPlatform
    posted: Callable[[], list[str]]
    """The texts the platform received, in order (what its users would see)."""


def _no_sleep(seconds: float) -> None:
    pass


@pytest.fixture(params=CHATS)
def chat(request: pytest.FixtureRequest) -> Iterator[ChatUnderTest]:
    if request.param == "memory":
        memory = InMemoryChat(Platform.TWITCH)
        yield ChatUnderTest(memory, lambda: [m.text for m in memory.messages()])
        return
    servers = {"twitch": helix_server, "discord": discord_server, "x": x_server}
    with servers[request.param]() as (url, state):
        http = ChatHttp(request.param, sleep=_no_sleep)
        adapter: ChatPlatform
        if request.param == "twitch":
            adapter = TwitchChat(url, TWITCH_CLIENT_ID, TWITCH_TOKEN, "bot-9", http)
        elif request.param == "discord":
            adapter = DiscordChat(url, DISCORD_APP, DISCORD_BOT_TOKEN, http)
        else:
            adapter = XChat(url, X_TOKEN, http)
        yield ChatUnderTest(adapter, state.texts)
        http.close()


def test_each_chat_names_its_platform(chat: ChatUnderTest) -> None:
    assert isinstance(chat.chat.platform, Platform)


def test_a_sent_message_is_posted_and_gets_an_id(chat: ChatUnderTest) -> None:
    message_id = chat.chat.send("1234", "clip ready: https://clips.example/1", idempotency_key="k")
    assert isinstance(message_id, str) and message_id
    assert chat.posted() == ["clip ready: https://clips.example/1"]


def test_a_reply_is_posted_too(chat: ChatUnderTest) -> None:
    message_id = chat.chat.send("1234", "on it", reply_to="555", idempotency_key="reply:555")
    assert message_id and chat.posted() == ["on it"]


def test_a_message_with_one_key_is_posted_once_with_one_id(chat: ChatUnderTest) -> None:
    first = chat.chat.send("1234", "clip ready", idempotency_key="notify:clip-1")
    again = chat.chat.send("1234", "clip ready", idempotency_key="notify:clip-1")
    other = chat.chat.send("1234", "another", idempotency_key="notify:clip-2")
    assert first == again != other
    assert chat.posted() == ["clip ready", "another"]


words = st.text("abcdefghij ", min_size=1, max_size=20).filter(str.strip)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sends=st.lists(st.tuples(st.integers(0, 3), words), min_size=1, max_size=6))
def test_every_key_posts_once_and_ids_differ_exactly_when_keys_do(
    chat: ChatUnderTest, sends: list[tuple[int, str]]
) -> None:
    run = uuid.uuid4().hex  # the chat is shared by the examples
    before = len(chat.posted())
    ids: dict[int, str] = {}
    first_texts: dict[int, str] = {}
    for key, text in sends:
        message_id = chat.chat.send("1234", text, idempotency_key=f"{run}:{key}")
        assert ids.setdefault(key, message_id) == message_id
        first_texts.setdefault(key, text)
    assert len(set(ids.values())) == len(ids)
    assert chat.posted()[before:] == list(first_texts.values())
