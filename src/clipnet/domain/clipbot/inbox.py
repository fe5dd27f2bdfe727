"""ClipBOT's one door for webhooks: each delivered event goes to the service it concerns."""

from __future__ import annotations

from datetime import datetime

from clipnet.domain.clipbot.commands import BotAnswer, ChatCommands
from clipnet.domain.clipbot.events import BotEvent
from clipnet.domain.clipbot.model import ChatMessage
from clipnet.domain.clipbot.presence import StreamPresence
from clipnet.ports.clock import Clock


class ClipBotInbox:
    """Routes chat messages to :class:`ChatCommands` and stream events to :class:`StreamPresence`,
    so a webhook route calls one service whatever its platform delivered."""

    def __init__(self, commands: ChatCommands, presence: StreamPresence, clock: Clock) -> None:
        self._commands = commands
        self._presence = presence
        self._clock = clock

    def receive(self, event: BotEvent, *, answer_inline: bool = False) -> BotAnswer:
        """Act on one event; only chat messages have an answer to show."""
        if isinstance(event, ChatMessage):
            return self._commands.on_message(event, answer_inline=answer_inline)
        self._presence.handle(event)
        return BotAnswer()

    def now(self) -> datetime:
        """The bot's time (webhook timestamps are checked against it)."""
        return self._clock.now()
