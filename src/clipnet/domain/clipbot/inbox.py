"""ClipBOT's one door for webhooks: each delivered event goes to the service it concerns."""

from __future__ import annotations

from datetime import datetime

import attrs

from clipnet.domain.clipbot.commands import BotAnswer, ChatCommands
from clipnet.domain.clipbot.events import BotEvent
from clipnet.domain.clipbot.model import ChatMessage
from clipnet.domain.clipbot.presence import StreamPresence
from clipnet.ports.clock import Clock
from clipnet.ports.secrets import SecretBox


class ClipBotInbox:
    """Routes chat messages to :class:`ChatCommands` and stream events to :class:`StreamPresence`,
    so a webhook route calls one service whatever its platform delivered.

    A Discord interaction token is sealed here, at the door, so that no job payload, bot store
    row or log line downstream ever holds it readable; ``ClipBotJobs`` opens it to answer.
    """

    def __init__(
        self, commands: ChatCommands, presence: StreamPresence, clock: Clock, box: SecretBox
    ) -> None:
        self._commands = commands
        self._presence = presence
        self._clock = clock
        self._box = box

    def receive(self, event: BotEvent, *, answer_inline: bool = False) -> BotAnswer:
        """Act on one event; only chat messages have an answer to show."""
        if isinstance(event, ChatMessage):
            sealed = attrs.evolve(event, target=event.target.sealed(self._box))
            return self._commands.on_message(sealed, answer_inline=answer_inline)
        self._presence.handle(event)
        return BotAnswer()

    def now(self) -> datetime:
        """The bot's time (webhook timestamps are checked against it)."""
        return self._clock.now()
