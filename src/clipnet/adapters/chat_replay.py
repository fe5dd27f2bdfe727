"""Chat replays from the common chat downloaders, read in a streaming fashion.

Three formats, told apart by their first character:

* ``{`` TwitchDownloader: ``{"comments": [{"content_offset_seconds": 12.3,
  "commenter": {"display_name": .., "name": ..}, "message": {"body": ".."}}, ...], ...}``
* ``[`` chat-downloader: ``[{"time_in_seconds": 12.3, "author": {"name": ..},
  "message": ".."}, ...]``
* anything else: CSV ``offset_seconds,author,message`` (the header line optional; a message
  with unquoted commas keeps them).

JSON is read with ijson (its C backend, yajl2) incrementally: one comment is built at a time,
so a 200 MB replay (TwitchDownloader files also embed emote images after the comments) takes
the memory of a comment, not of the file, at C speed. The stdlib's ``raw_decode`` over chunks
would need a hand-made scanner for the enclosing object and array and their separators.
Messages timed before the recording started (chat-downloader gives them negative times) are
left out.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import ijson

from clipnet.domain.highlights.chat import ChatMessage
from clipnet.ports.chat_replay import ChatReplayError

FORMATS = "TwitchDownloader JSON, chat-downloader JSON or CSV offset_seconds,author,message"
#: Bytes looked at to tell the format.
_SNIFF = 64


class _CountingReader(io.RawIOBase):
    """A binary stream that knows how many bytes were read from it (for error positions)."""

    def __init__(self, stream: BinaryIO, head: bytes) -> None:
        self._stream = stream
        self._head = head
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            data, self._head = self._head[: len(buffer)], self._head[len(buffer) :]
        else:
            data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


class ChatReplayFiles:
    """The :class:`~clipnet.ports.chat_replay.ChatReplayReader` for downloaded replays."""

    def messages(self, stream: BinaryIO, name: str = "chat") -> Iterator[ChatMessage]:
        head = stream.read(_SNIFF)
        first = head.lstrip(codecs.BOM_UTF8).lstrip()[:1]
        reader = _CountingReader(stream, head)
        if not head.strip():
            raise ChatReplayError(f"{name}: the file is empty; expected {FORMATS}")
        if first == b"{":
            return _json_messages(reader, name, "comments.item", _twitch_downloader)
        if first == b"[":
            return _json_messages(reader, name, "item", _chat_downloader)
        return _csv_messages(reader, name)


# -- JSON ------------------------------------------------------------------------------------

Convert = Callable[[Any], "tuple[Any, Any, Any]"]
"""A JSON element -> its offset, author and text (raising ``_BadElement`` with the reason)."""


class _BadElement(Exception):
    pass


def _json_messages(
    reader: _CountingReader, name: str, prefix: str, convert: Convert
) -> Iterator[ChatMessage]:
    count = 0
    try:
        for element in _elements(reader, name, prefix):
            count += 1
            try:
                offset, author, text = convert(element)
                message = _message(offset, author, text)
            except _BadElement as error:
                raise ChatReplayError(f"{name}: message {count} (JSON element): {error}") from None
            if message is not None:
                yield message
    except ijson.JSONError as error:
        where = f"after message {count} (byte {reader.position} read)"
        reason = (str(error).splitlines() or ["bad JSON"])[0]
        if "premature EOF" in reason:
            raise ChatReplayError(f"{name}: the JSON ends early {where}: truncated?") from None
        raise ChatReplayError(f"{name}: bad JSON {where}: {reason}") from None


def _elements(reader: _CountingReader, name: str, prefix: str) -> Iterator[Any]:
    """The values at ``prefix`` (ijson's path; "item" is each element of the top list), each
    built whole by ijson's C backend, one at a time."""
    found = 0
    for element in ijson.items(reader, prefix, use_float=True):
        found += 1
        yield element
    if not found and prefix != "item":
        raise ChatReplayError(
            f"{name}: a JSON object with no messages under {prefix.partition('.')[0]!r} is no "
            f"chat replay (or an empty one); expected {FORMATS}"
        )


def _field(element: Any, *path: str) -> Any:
    value = element
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise _BadElement(f"no {'.'.join(path)!r}")
        value = value[key]
    return value


def _twitch_downloader(element: Any) -> tuple[Any, Any, Any]:
    commenter = _field(element, "commenter")
    author = commenter.get("name") or commenter.get("display_name") or ""
    return _field(element, "content_offset_seconds"), author, _field(element, "message", "body")


def _chat_downloader(element: Any) -> tuple[Any, Any, Any]:
    author = _field(element, "author")
    name = author.get("name", "") if isinstance(author, dict) else author
    return _field(element, "time_in_seconds"), name, _field(element, "message")


def _message(offset: Any, author: Any, text: Any) -> ChatMessage | None:
    """The message, None when it was sent before the recording began; else ``_BadElement``."""
    if isinstance(offset, bool) or not isinstance(offset, (int, float)):
        try:
            offset = float(offset)
        except (TypeError, ValueError):
            raise _BadElement(f"the offset {offset!r} is not a number of seconds") from None
    if not math.isfinite(offset):
        raise _BadElement(f"the offset {offset!r} is not a number of seconds")
    if not isinstance(text, str):
        raise _BadElement(f"the message {text!r} is not text")
    if offset < 0:
        return None
    return ChatMessage(offset, str(author or ""), text)


# -- CSV -------------------------------------------------------------------------------------

HEADER = "offset_seconds"


def _csv_messages(reader: _CountingReader, name: str) -> Iterator[ChatMessage]:
    text = io.TextIOWrapper(io.BufferedReader(reader), encoding="utf-8-sig", newline="")
    rows = csv.reader(text)
    line = 0
    try:
        for row in rows:
            line = rows.line_num
            if not row or (line == 1 and row[0].strip().lower() == HEADER):
                continue
            message = _csv_row(row, name, line)
            if message is not None:
                yield message
    except UnicodeDecodeError:
        raise ChatReplayError(
            f"{name}: near line {line + 1}: not UTF-8 text; expected {FORMATS}"
        ) from None
    except csv.Error as error:
        raise ChatReplayError(f"{name}: line {rows.line_num}: bad CSV: {error}") from None


def _csv_row(row: list[str], name: str, line: int) -> ChatMessage | None:
    if len(row) < 3:
        raise ChatReplayError(
            f"{name}: line {line}: expected offset_seconds,author,message, got {len(row)} "
            f"field(s); the file is none of {FORMATS}"
        )
    offset, author, *words = row
    try:
        return _message(offset.strip(), author.strip(), ",".join(words))
    except _BadElement as error:
        raise ChatReplayError(f"{name}: line {line}: {error}; expected {FORMATS}") from None
