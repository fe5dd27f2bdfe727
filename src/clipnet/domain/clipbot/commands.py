"""Chat commands: ``!clip``, ``!vote``, ``!unvote``, ``!top``, ``!status`` and ``!help``.

Answers leave as ``clipbot:post`` jobs (or inline, for platforms that take an answer in the
webhook's response), so a slow or rate-limited chat API never holds up a webhook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from clipnet.domain.clipbot.clipping import ChatClipper, CommandResult
from clipnet.domain.clipbot.cooldowns import (
    DEFAULT_RULES,
    USAGE_RULE,
    CooldownRule,
    slots_for,
    usage_slots,
)
from clipnet.domain.clipbot.model import (
    BotCommand,
    ChannelLink,
    ChatMessage,
    CommandName,
    Cooldown,
    Direction,
    ReplyTarget,
    Tally,
)
from clipnet.domain.clipbot.parser import HELP, InvalidCommand, parse_command
from clipnet.domain.clipbot.replies import ChatReplies, ClipUrl
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.jobs.model import JobType, job_key
from clipnet.domain.shared.errors import ConcurrencyConflict, DomainError, NotFound
from clipnet.ports.bot import ChannelLinks, CommandCooldowns, DeliveryClaims
from clipnet.ports.clock import Clock
from clipnet.ports.repositories import ClipQuery, UnitOfWorkFactory

NOT_LINKED = "This channel is not linked to ClipNET yet."
_HIDDEN = frozenset({ClipStatus.FAILED, ClipStatus.REJECTED, ClipStatus.CANCELLED})
_LINKABLE = frozenset({ClipStatus.READY, ClipStatus.POSTED})


@attrs.frozen
class BotAnswer:
    """What became of a chat message."""

    text: str = ""
    """The answer (also sent as a ``clipbot:post`` job unless it was answered inline)."""
    deferred: bool = False
    """The answer comes later as a follow-up (Discord: answer the interaction with type 5)."""
    duplicate: bool = False
    """A redelivery of a message already handled: nothing was done."""
    ignored: bool = False
    """Not a command, or a command still cooling down: nothing was done."""


class ChatCommands:
    """Answers each chat command once, however often its message is delivered."""

    def __init__(
        self,
        claims: DeliveryClaims,
        cooldowns: CommandCooldowns,
        links: ChannelLinks,
        uow: UnitOfWorkFactory,
        replies: ChatReplies,
        clock: Clock,
        clipper: ChatClipper,
        voting: VotingService,
        clip_url: ClipUrl,
        *,
        rules: Mapping[CommandName, CooldownRule] = DEFAULT_RULES,
        usage_rule: CooldownRule = USAGE_RULE,
    ) -> None:
        """``rules``: how often each command may be used; ``usage_rule``: how often one user
        is told how to use a command they got wrong."""
        self._claims = claims
        self._cooldowns = cooldowns
        self._links = links
        self._uow = uow
        self._replies = replies
        self._clock = clock
        self._clipper = clipper
        self._voting = voting
        self._clip_url = clip_url
        self._rules = rules
        self._usage_rule = usage_rule

    def on_message(self, message: ChatMessage, *, answer_inline: bool = False) -> BotAnswer:
        """Act on a chat message once, however often it is delivered.

        With ``answer_inline`` a quick answer is only returned (the caller sends it); work
        that is queued is answered later by a ``clipbot:post`` job either way.
        """
        try:
            command = parse_command(message)
        except InvalidCommand as bad:
            command, problem = None, bad.reply
        else:
            if command is None:
                return BotAnswer(ignored=True)
            problem = ""
        if not self._claims.claim(message.platform, message.delivery_id, self._clock.now()):
            return BotAnswer(duplicate=True)
        try:
            result = self._answer(message, command, problem)
        except BaseException:
            self._claims.release(message.platform, message.delivery_id)  # a redelivery retries
            raise
        if result is None:
            return BotAnswer(ignored=True)
        return self._deliver(message, result, answer_inline)

    def _answer(
        self, message: ChatMessage, command: BotCommand | None, problem: str
    ) -> CommandResult | None:
        wait = self._cooldowns.take_cooldowns(self._slots(message, command), self._clock.now())
        if wait > 0:
            return None
        if command is None:
            return CommandResult(problem)
        try:
            return self._run(command, message.target)
        except DomainError as error:
            return CommandResult(_short(error))

    def _slots(self, message: ChatMessage, command: BotCommand | None) -> list[Cooldown]:
        if command is None:  # a bad command: its usage reply is limited per user only
            target = message.target
            return usage_slots(target.platform, target.channel, target.user, self._usage_rule)
        return slots_for(command, self._rules)

    def _deliver(
        self, message: ChatMessage, result: CommandResult, answer_inline: bool
    ) -> BotAnswer:
        can_follow_up = self._replies.can_reply(message.platform)
        if answer_inline and not (result.queued_work and can_follow_up):
            return BotAnswer(result.text)  # now, or never: nothing could follow it up
        key = job_key(JobType.CLIPBOT_POST, message.platform.value, message.delivery_id)
        self._replies.queue(message.target, result.text, key)
        return BotAnswer(result.text, deferred=answer_inline)

    def _run(self, command: BotCommand, target: ReplyTarget) -> CommandResult:
        if command.name is CommandName.HELP:
            return CommandResult(HELP)
        link = self._links.find_link(command.platform, command.channel)
        if link is None:
            return CommandResult(NOT_LINKED)
        if command.name is CommandName.CLIP:
            return self._clipper.clip(command, link, target)
        if command.name is CommandName.TOP:
            return CommandResult(self._top(link, int(command.args[0])))
        clip = self._channel_clip(link, command.args[0])
        if command.name is CommandName.VOTE:
            direction = Direction.UP if command.args[1] == "up" else Direction.DOWN
            tally = _retrying(
                lambda: self._voting.cast(
                    clip.id, command.platform, command.user, direction, channel=command.channel
                )
            )
            return CommandResult(f"Clip {clip.id}: {_tally(tally)}.")
        if command.name is CommandName.UNVOTE:
            tally = _retrying(
                lambda: self._voting.withdraw(
                    clip.id, command.platform, command.user, channel=command.channel
                )
            )
            return CommandResult(f"Vote withdrawn. Clip {clip.id}: {_tally(tally)}.")
        return CommandResult(self._status(clip))

    def _channel_clip(self, link: ChannelLink, clip_id: str) -> Clip:
        """A clip of the channel owner's; other owners' clips do not exist for this chat."""
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
        if clip.owner_id != link.owner_id:
            raise NotFound("clip", clip_id)
        return clip

    def _top(self, link: ChannelLink, count: int) -> str:
        ranked = sorted(
            ((self._voting.tally(clip.id), clip) for clip in self._owner_clips(link.owner_id)),
            key=lambda pair: (-pair[0].net, pair[1].id),
        )[:count]
        if not ranked:
            return "No clips yet. Try !clip"
        entries = [
            f"{place}. {clip.title or clip.id} ({tally.net:+d}) {self._link_of(clip)}".rstrip()
            for place, (tally, clip) in enumerate(ranked, start=1)
        ]
        return "Top clips: " + " | ".join(entries)

    def _owner_clips(self, owner_id: str, limit: int = 1000) -> list[Clip]:
        clips: list[Clip] = []
        after: str | None = None
        with self._uow() as uow:
            while len(clips) < limit:
                page = uow.clips.search(ClipQuery(owner_id=owner_id, after=after, limit=200))
                clips.extend(c for c in page if c.status not in _HIDDEN)
                if len(page) < 200:
                    break
                after = page[-1].id
        return clips

    def _status(self, clip: Clip) -> str:
        title = f" '{clip.title}'" if clip.title else ""
        text = f"Clip {clip.id}{title}: {clip.status.value}"
        if clip.status is ClipStatus.FAILED and clip.last_error:
            text += f" ({clip.last_error[:80]})"
        link = self._link_of(clip)
        return f"{text} {link}" if link else text

    def _link_of(self, clip: Clip) -> str:
        return self._clip_url(clip) if clip.status in _LINKABLE else ""


def _retrying(change: Callable[[], Tally], attempts: int = 5) -> Tally:
    """Votes racing on one clip: the loser of a version check simply votes again."""
    for _ in range(attempts - 1):
        try:
            return change()
        except ConcurrencyConflict:
            continue
    return change()


def _tally(tally: Tally) -> str:
    return f"{tally.up} up, {tally.down} down (net {tally.net:+d})"


def _short(error: DomainError) -> str:
    if isinstance(error, NotFound):
        return f"No {error.what} {error.identifier} here."
    return str(error)[:200]
