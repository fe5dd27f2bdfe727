"""Reading chat commands: the same grammar on every platform.

    !clip [title]   !vote <clip> up|down   !unvote <clip>   !top [n]   !status <clip>   !help

Leading @mentions are skipped (``@clipbot !clip`` on X). A message that does not start with
``!`` is ordinary chat and is not a command; a bad command raises :class:`InvalidCommand`
whose ``reply`` is the short help the bot answers with.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from clipnet.domain.clipbot.model import BotCommand, ChatMessage, CommandName
from clipnet.domain.shared.errors import InvalidInput

HELP = (
    "ClipBOT commands: !clip [title] | !vote <clip> up|down | !unvote <clip> | !top [n] | "
    "!status <clip> | !help"
)
USAGE = {
    CommandName.CLIP: "!clip [title]",
    CommandName.VOTE: "!vote <clip> up|down",
    CommandName.UNVOTE: "!unvote <clip>",
    CommandName.TOP: "!top [n] (n from 1 to 10)",
    CommandName.STATUS: "!status <clip>",
    CommandName.HELP: "!help",
}
MAX_TITLE = 200
MAX_TOP = 10
DEFAULT_TOP = 3
_CLIP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_Parser = Callable[[list[str]], tuple[str, ...]]
_DIRECTIONS = {"up": "up", "+": "up", "+1": "up", "down": "down", "-": "down", "-1": "down"}


class InvalidCommand(InvalidInput):
    """A ``!`` message the bot cannot act on; ``reply`` says how to use it."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def parse_command(message: ChatMessage) -> BotCommand | None:
    """The message's command, ``None`` for ordinary chat; raises :class:`InvalidCommand`."""
    words = _without_mentions(message.text.split())
    if not words or not words[0].startswith("!") or len(words[0]) < 2:
        return None
    name = _command_name(words[0][1:].lower())
    return BotCommand(
        platform=message.platform,
        channel=message.target.channel,
        user=message.target.user,
        name=name,
        args=_PARSERS[name](words[1:]),
        message_id=message.delivery_id,
        received_at=message.received_at,
    )


def _without_mentions(words: list[str]) -> list[str]:
    while words and words[0].startswith("@"):
        words = words[1:]
    return words


def _command_name(word: str) -> CommandName:
    try:
        return CommandName(word)
    except ValueError:
        raise InvalidCommand(f"Unknown command !{word[:20]}. {HELP}") from None


def _usage(name: CommandName) -> InvalidCommand:
    return InvalidCommand(f"Usage: {USAGE[name]}")


def _clip(args: list[str]) -> tuple[str, ...]:
    title = " ".join(args)
    if len(title) > MAX_TITLE:
        raise InvalidCommand(f"A clip title can be at most {MAX_TITLE} characters.")
    return (title,) if title else ()


def _clip_id(name: CommandName, word: str) -> str:
    if not _CLIP_ID.match(word):
        raise _usage(name)
    return word


def _vote(args: list[str]) -> tuple[str, ...]:
    if len(args) != 2 or args[1].lower() not in _DIRECTIONS:
        raise _usage(CommandName.VOTE)
    return (_clip_id(CommandName.VOTE, args[0]), _DIRECTIONS[args[1].lower()])


def _one_clip(name: CommandName) -> _Parser:
    def parse(args: list[str]) -> tuple[str, ...]:
        if len(args) != 1:
            raise _usage(name)
        return (_clip_id(name, args[0]),)

    return parse


def _top(args: list[str]) -> tuple[str, ...]:
    if not args:
        return (str(DEFAULT_TOP),)
    if len(args) > 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_TOP:
        raise _usage(CommandName.TOP)
    return (str(int(args[0])),)


def _help(_args: list[str]) -> tuple[str, ...]:
    return ()


_PARSERS: dict[CommandName, _Parser] = {
    CommandName.CLIP: _clip,
    CommandName.VOTE: _vote,
    CommandName.UNVOTE: _one_clip(CommandName.UNVOTE),
    CommandName.TOP: _top,
    CommandName.STATUS: _one_clip(CommandName.STATUS),
    CommandName.HELP: _help,
}
