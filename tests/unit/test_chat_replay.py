"""Reading chat replays: three downloaders' formats, streamed, with one-line errors."""

from __future__ import annotations

import io

import pytest

from clipnet.adapters.chat_replay import ChatReplayFiles
from clipnet.domain.highlights.chat import ChatMessage, chat_series
from clipnet.ports.chat_replay import ChatReplayError
from tests.chat_replays import FORMATS, replay_bytes

MESSAGES = [
    ChatMessage(0.5, "ann", "hello, chat"),
    ChatMessage(12.25, "bob", 'he said "clip it"'),
    ChatMessage(12.75, "cy", "KEKW"),
    ChatMessage(30, "dee", "ünïcode ✓ LUL"),
]


def read(data: bytes, name: str = "chat.json") -> list[ChatMessage]:
    return list(ChatReplayFiles().messages(io.BytesIO(data), name))


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_back_the_messages_written(fmt: str) -> None:
    assert read(replay_bytes(MESSAGES, fmt)) == MESSAGES


def test_the_three_formats_give_the_same_chat_series() -> None:
    messages = [
        ChatMessage(t + i / 7, f"user{i}", ("LUL", "hi", "clip that", "gg")[(t + i) % 4])
        for t in range(0, 200)
        for i in range(1 + 6 * (90 <= t < 96))
    ]
    series = {fmt: chat_series(read(replay_bytes(messages, fmt)), 200, 8) for fmt in FORMATS}
    assert series["csv"] == series["twitch-downloader"] == series["chat-downloader"]
    assert max(series["csv"]) > 0.5  # the burst is in it


def test_a_csv_without_header_and_with_unquoted_commas_reads() -> None:
    data = b"1.5,ann,hi, all\r\n2,bob,LUL\n"
    assert read(data, "c.csv") == [ChatMessage(1.5, "ann", "hi, all"), ChatMessage(2, "bob", "LUL")]


def test_chat_downloader_messages_from_before_the_recording_are_left_out() -> None:
    data = (
        b'[{"time_in_seconds": -5.0, "author": {"name": "a"}, "message": "early"},'
        b' {"time_in_seconds": 3, "author": {"name": "b"}, "message": "on time"}]'
    )
    assert read(data) == [ChatMessage(3, "b", "on time")]


def test_truncated_json_is_one_line_naming_where_it_ended() -> None:
    data = replay_bytes(MESSAGES, "twitch-downloader")
    with pytest.raises(ChatReplayError) as caught:
        read(data[: len(data) // 2], "vod.json")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("vod.json: the JSON ends early after message 1")


def test_bad_json_syntax_names_the_message_it_followed() -> None:
    data = b'[{"time_in_seconds": 1, "author": {"name": "a"}, "message": "x"} {"oops"]'
    with pytest.raises(ChatReplayError, match=r"^c.json: bad JSON after message 1 .*: parse"):
        read(data, "c.json")


def test_a_json_element_without_its_time_names_the_element() -> None:
    data = (
        b'{"comments": [{"content_offset_seconds": 1, "commenter": {"name": "a"},'
        b' "message": {"body": "x"}}, {"commenter": {"name": "b"}, "message": {"body": "y"}}]}'
    )
    with pytest.raises(ChatReplayError, match=r"message 2 \(JSON element\): no 'content_off"):
        read(data, "t.json")


def test_a_bad_csv_line_is_one_line_naming_the_line() -> None:
    data = b"offset_seconds,author,message\n1,ann,hi\nsoon,bob,hello\n"
    with pytest.raises(ChatReplayError) as caught:
        read(data, "chat.csv")
    assert str(caught.value).startswith("chat.csv: line 3: the offset 'soon' is not a number")
    with pytest.raises(ChatReplayError, match=r"^chat.csv: line 2: expected offset_seconds"):
        read(b"1,ann,hi\n2,bob\n", "chat.csv")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b'{"video": {"title": "x"}}', "no messages under 'comments'"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "line 1: not UTF-8"),
        (b"<html><body>hi</body></html>", "line 1"),
    ],
)
def test_an_unknown_format_says_which_formats_are_known(data: bytes, reason: str) -> None:
    with pytest.raises(ChatReplayError) as caught:
        read(data, "x")
    assert reason in str(caught.value)
    assert "TwitchDownloader" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_replay_is_read_as_it_is_needed_not_all_at_once() -> None:
    many = (ChatMessage(i / 10, f"u{i % 50}", "some chat message") for i in range(60_000))
    stream = io.BytesIO(replay_bytes(many, "twitch-downloader"))
    messages = ChatReplayFiles().messages(stream, "big.json")
    assert next(messages) == ChatMessage(0, "u0", "some chat message")
    assert stream.tell() < len(stream.getvalue()) / 10
