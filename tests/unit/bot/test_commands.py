"""The chat command grammar, the same on every platform."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.clipbot.model import ChatMessage, CommandName, ReplyTarget
from clipnet.domain.clipbot.parser import HELP, InvalidCommand, parse_command
from clipnet.domain.shared.platforms import Platform


def said(text: str, platform: Platform = Platform.TWITCH) -> ChatMessage:
    return ChatMessage(ReplyTarget(platform, "chan-1", "msg-1", "viewer-1"), text, "delivery-1")


@pytest.mark.parametrize(
    "text, name, args",
    [
        ("!clip", CommandName.CLIP, ()),
        ("!clip what   a play", CommandName.CLIP, ("what a play",)),
        ("!CLIP Epic", CommandName.CLIP, ("Epic",)),
        ("!vote clip-1 up", CommandName.VOTE, ("clip-1", "up")),
        ("!vote clip-1 DOWN", CommandName.VOTE, ("clip-1", "down")),
        ("!vote clip-1 +1", CommandName.VOTE, ("clip-1", "up")),
        ("!unvote clip-1", CommandName.UNVOTE, ("clip-1",)),
        ("!top", CommandName.TOP, ("3",)),
        ("!top 10", CommandName.TOP, ("10",)),
        ("!status 01hx3k", CommandName.STATUS, ("01hx3k",)),
        ("!help me please", CommandName.HELP, ()),
        ("@clipbot @friend !clip hi", CommandName.CLIP, ("hi",)),
    ],
)
def test_a_command_reads_the_same_on_every_platform(
    text: str, name: CommandName, args: tuple[str, ...]
) -> None:
    for platform in (Platform.TWITCH, Platform.DISCORD, Platform.X):
        command = parse_command(said(text, platform))
        assert command is not None
        assert (command.name, command.args, command.platform) == (name, args, platform)
        assert (command.channel, command.user, command.message_id) == (
            "chan-1",
            "viewer-1",
            "delivery-1",
        )


@pytest.mark.parametrize("text", ["", "hello chat", "!", "@clipbot hi", "clip!", "   "])
def test_ordinary_chat_is_not_a_command(text: str) -> None:
    assert parse_command(said(text)) is None


@pytest.mark.parametrize(
    "text, hint",
    [
        ("!dance", HELP),
        ("!vote", "!vote <clip> up|down"),
        ("!vote clip-1", "!vote <clip> up|down"),
        ("!vote clip-1 sideways", "!vote <clip> up|down"),
        ("!vote clip-1 up extra", "!vote <clip> up|down"),
        ("!vote ../etc/passwd up", "!vote <clip> up|down"),
        ("!unvote", "!unvote <clip>"),
        ("!status", "!status <clip>"),
        ("!status a b", "!status <clip>"),
        ("!top 0", "!top [n]"),
        ("!top 11", "!top [n]"),
        ("!top many", "!top [n]"),
        ("!top -1", "!top [n]"),
        ("!clip " + "x" * 201, "at most 200"),
    ],
)
def test_a_bad_command_raises_a_short_help_reply(text: str, hint: str) -> None:
    with pytest.raises(InvalidCommand) as raised:
        parse_command(said(text))
    assert hint in raised.value.reply
    assert len(raised.value.reply) < 200


@given(st.text(max_size=300))
def test_any_text_is_a_command_ordinary_chat_or_a_short_help_reply(text: str) -> None:
    try:
        command = parse_command(said(text))
    except InvalidCommand as bad:
        assert 0 < len(bad.reply) < 200
    else:
        assert command is None or command.name in set(CommandName)
