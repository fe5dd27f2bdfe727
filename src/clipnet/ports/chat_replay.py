"""Reading a chat replay: a downloaded chat log of a recording -> its messages, in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol, runtime_checkable

from clipnet.domain.highlights.chat import ChatMessage


class ChatReplayError(ValueError):
    """A chat file that cannot be read; the message is one line naming where and why."""


@runtime_checkable  # Litestar checks the type of what it injects
class ChatReplayReader(Protocol):
    def messages(self, stream: BinaryIO, name: str = "chat") -> Iterator[ChatMessage]:
        """The messages of the replay in ``stream`` (``name`` says which file in errors),
        read as they are needed, so a file of any size takes bounded memory.

        Raises :class:`ChatReplayError` for a file in no known format or a malformed one,
        when the iteration reaches the problem.
        """
        ...
