"""Chat replays written in each format the chat reader knows (for tests and the bench)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from clipnet.domain.highlights.chat import ChatMessage

FORMATS = ("twitch-downloader", "chat-downloader", "csv")


def write_replay(messages: Iterable[ChatMessage], out: BinaryIO, fmt: str) -> None:
    """``messages`` as a replay in ``fmt`` (one of :data:`FORMATS`), written as they come."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        if fmt == "csv":
            rows = csv.writer(text)
            rows.writerow(["offset_seconds", "author", "message"])
            for m in messages:
                rows.writerow([f"{m.offset:g}", m.author, m.text])
        elif fmt == "twitch-downloader":
            text.write('{"FileInfo": {"Version": {"Major": 1}}, "streamer": {"name": "s"},')
            _json_list(text, "comments", (_twitch(m) for m in messages))
            text.write(', "embeddedData": null}')
        elif fmt == "chat-downloader":
            _json_list(text, "", (_chat_downloader(m) for m in messages))
        else:
            raise ValueError(f"unknown chat format {fmt!r}")
    finally:
        text.detach()


def save_replay(messages: Iterable[ChatMessage], path: Path, fmt: str) -> Path:
    with path.open("wb") as out:
        write_replay(messages, out, fmt)
    return path


def replay_bytes(messages: Iterable[ChatMessage], fmt: str) -> bytes:
    out = io.BytesIO()
    write_replay(messages, out, fmt)
    return out.getvalue()


def _json_list(text: io.TextIOWrapper, key: str, elements: Iterable[dict[str, object]]) -> None:
    text.write(f'"{key}": [' if key else "[")
    for i, element in enumerate(elements):
        text.write(("," if i else "") + json.dumps(element))
    text.write("]")


def _twitch(m: ChatMessage) -> dict[str, object]:
    return {
        "_id": "x",
        "content_offset_seconds": m.offset,
        "commenter": {"display_name": m.author.title(), "name": m.author},
        "message": {"body": m.text, "fragments": [{"text": m.text}]},
    }


def _chat_downloader(m: ChatMessage) -> dict[str, object]:
    return {
        "message_id": "x",
        "time_in_seconds": m.offset,
        "author": {"name": m.author, "id": "1"},
        "message": m.text,
    }
