"""ClipBOT: answers chat commands by making clips, counting votes and reporting on clips.

Answers leave as ``clipbot:post`` jobs (or inline, for platforms that take an answer in the
webhook's response), so a slow or rate-limited chat API never holds up a webhook.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime

import attrs

from clipnet.domain.clipbot.cooldowns import DEFAULT_RULES, CooldownRule, slots_for
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
from clipnet.domain.clipbot.platform_clips import clip_job_payload
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.jobs.model import JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import ConcurrencyConflict, DomainError, InvalidInput, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source
from clipnet.ports.bot import BotStore
from clipnet.ports.clock import Clock
from clipnet.ports.repositories import ClipQuery, UnitOfWorkFactory

ClipUrl = Callable[[str], str]
"""The public link of a clip, from its id."""
ClipWatcher = Callable[[str], None]
"""Told a clip's id once its requester is remembered (to catch a clip that finished first)."""

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


@attrs.frozen
class _Result:
    text: str
    queued_work: bool = False


class ClipBot:
    def __init__(
        self,
        store: BotStore,
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        clock: Clock,
        lifecycle: ClipLifecycle,
        voting: VotingService,
        clip_url: ClipUrl,
        *,
        clip_seconds: float = 30.0,
        cooldowns: Mapping[CommandName, CooldownRule] = DEFAULT_RULES,
        platform_clips: Collection[Platform] = (),
        after_request: ClipWatcher | None = None,
    ) -> None:
        self._store = store
        self._uow = uow
        self._outbox = outbox
        self._clock = clock
        self._lifecycle = lifecycle
        self._voting = voting
        self._clip_url = clip_url
        self._clip_seconds = clip_seconds
        self._cooldowns = cooldowns
        self._platform_clips = frozenset(platform_clips)
        self._after_request = after_request

    # -- chat ----------------------------------------------------------------------------------

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
        if not self._store.claim(message.platform, message.delivery_id, self._now()):
            return BotAnswer(duplicate=True)
        try:
            result = self._answer(message, command, problem)
        except BaseException:
            self._store.release(message.platform, message.delivery_id)  # let a redelivery retry
            raise
        if result is None:
            return BotAnswer(ignored=True)
        return self._deliver(message, result, answer_inline)

    def _answer(
        self, message: ChatMessage, command: BotCommand | None, problem: str
    ) -> _Result | None:
        wait = self._store.take_cooldowns(self._slots(message, command), self._now())
        if wait > 0:
            return None
        if command is None:
            return _Result(problem)
        try:
            return self._run(command, message.target)
        except DomainError as error:
            return _Result(_short(error))

    def _slots(self, message: ChatMessage, command: BotCommand | None) -> list[Cooldown]:
        # An invalid command cools down like !help, so bad input cannot flood the chat.
        as_command = command or BotCommand(
            message.platform, message.target.channel, message.target.user, CommandName.HELP
        )
        return slots_for(as_command, self._cooldowns)

    def _deliver(self, message: ChatMessage, result: _Result, answer_inline: bool) -> BotAnswer:
        if answer_inline and not result.queued_work:
            return BotAnswer(result.text)
        self._post(message.target, result.text, message.delivery_id)
        return BotAnswer(result.text, deferred=answer_inline)

    def _post(self, target: ReplyTarget, text: str, delivery_id: str) -> None:
        key = job_key(JobType.CLIPBOT_POST, target.platform.value, delivery_id)
        payload = {
            "platform": target.platform.value,
            "channel": target.channel,
            "reply_to": target.reply_to,
            "text": text,
        }
        with self._uow() as uow:
            job = self._outbox.add(uow, JobType.CLIPBOT_POST, payload, key)
            uow.commit()
        self._outbox.release([job])

    # -- commands ------------------------------------------------------------------------------

    def _run(self, command: BotCommand, target: ReplyTarget) -> _Result:
        if command.name is CommandName.HELP:
            return _Result(HELP)
        link = self._store.find_link(command.platform, command.channel)
        if link is None:
            return _Result(NOT_LINKED)
        if command.name is CommandName.CLIP:
            return self._clip(command, link, target)
        if command.name is CommandName.TOP:
            return _Result(self._top(link, int(command.args[0])))
        clip = self._channel_clip(link, command.args[0])
        if command.name is CommandName.VOTE:
            direction = Direction.UP if command.args[1] == "up" else Direction.DOWN
            tally = _retrying(
                lambda: self._voting.cast(clip.id, command.platform, command.user, direction)
            )
            return _Result(f"Clip {clip.id}: {_tally(tally)}.")
        if command.name is CommandName.UNVOTE:
            tally = _retrying(
                lambda: self._voting.withdraw(clip.id, command.platform, command.user)
            )
            return _Result(f"Vote withdrawn. Clip {clip.id}: {_tally(tally)}.")
        return _Result(self._status(clip))

    def _clip(self, command: BotCommand, link: ChannelLink, target: ReplyTarget) -> _Result:
        title = command.args[0] if command.args else ""
        if command.platform in self._platform_clips and link.live_since is not None:
            return self._platform_clip(command, target, title)
        until = self._clip_end(link)
        if until <= 0:
            return _Result("There is nothing to clip yet: the stream has not started.")
        clip = self._lifecycle.request_recent(
            link.source_id, link.owner_id, until, self._clip_seconds, title
        )
        self._store.remember_request(clip.id, target)
        if self._after_request is not None:
            self._after_request(clip.id)  # it may have finished (or failed) already
        seconds = round(clip.span.duration)
        return _Result(
            f"Clip {clip.id} requested ({seconds} s). I will post the link when it is ready.",
            queued_work=True,
        )

    def _platform_clip(self, command: BotCommand, target: ReplyTarget, title: str) -> _Result:
        """A live channel whose platform makes clips: ask it, in a ``clipbot:clip`` job."""
        key = job_key(JobType.CLIPBOT_CLIP, command.platform.value, command.message_id)
        payload = clip_job_payload(target, command.message_id, title)
        with self._uow() as uow:
            job = self._outbox.add(uow, JobType.CLIPBOT_CLIP, payload, key)
            uow.commit()
        self._outbox.release([job])
        name = command.platform.value.capitalize()
        return _Result(f"Asking {name} to clip that...", queued_work=True)

    def _clip_end(self, link: ChannelLink) -> float:
        """Seconds into the source where ``!clip`` ends: now in a live stream, the end of a VOD."""
        if link.live_since is not None:
            return (self._now() - link.live_since).total_seconds()
        with self._uow() as uow:
            return uow.sources.get(link.source_id).duration

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
        return self._clip_url(clip.id) if clip.status in _LINKABLE else ""

    # -- platform events -----------------------------------------------------------------------

    def stream_started(
        self, platform: Platform, channel: str, delivery_id: str, started_at: datetime
    ) -> bool:
        """A linked channel went live: ``!clip`` now cuts from the live stream's clock."""
        return self._set_live(platform, channel, delivery_id, started_at)

    def stream_ended(self, platform: Platform, channel: str, delivery_id: str) -> bool:
        return self._set_live(platform, channel, delivery_id, None)

    def _set_live(
        self, platform: Platform, channel: str, delivery_id: str, since: datetime | None
    ) -> bool:
        if not self._store.claim(platform, delivery_id, self._now()):
            return False
        link = self._store.find_link(platform, channel)
        if link is not None:
            link.live_since = since
            self._store.save_link(link)
        return True

    def subscription_revoked(self, platform: Platform, subscription_id: str, reason: str) -> None:
        self._store.revoke_subscription(platform, subscription_id, reason, self._now())

    def link_channel(self, link: ChannelLink) -> ChannelLink:
        """Tie a chat channel to the source its ``!clip`` commands cut from."""
        with self._uow() as uow:
            source = uow.sources.get(link.source_id)
        if source.owner_id != link.owner_id:
            raise NotFound("source", link.source_id)
        self._store.save_link(link)
        return link

    def links(self) -> list[ChannelLink]:
        """Every linked channel, by platform and channel."""
        return self._store.all_links()

    def unlink(self, platform: Platform, channel: str) -> None:
        """Untie a chat channel: its ``!clip`` commands are ignored from now on."""
        if not self._store.remove_link(platform, channel):
            raise NotFound(f"{platform.value} channel link", channel)

    def link_source(
        self,
        platform: Platform,
        channel: str,
        source_id: str,
        *,
        live: bool = False,
        vote_threshold: int | None = None,
    ) -> ChannelLink:
        """Tie a chat channel to a source, for the source's owner (an operator's command).

        ``live``: the source is a stream that is live now, so ``!clip`` cuts up to now.
        ``vote_threshold``: this channel's net votes for auto-posting (else the global one).
        """
        if vote_threshold is not None and vote_threshold < 1:
            raise InvalidInput("a vote threshold is at least 1")
        with self._uow() as uow:
            source = uow.sources.get(source_id)
        since = self._now() if live else None
        return self.link_channel(
            ChannelLink(platform, channel, source.owner_id, source.id, since, vote_threshold)
        )

    def now(self) -> datetime:
        """The bot's time (webhook timestamps are checked against it)."""
        return self._clock.now()

    _now = now


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


def channel_thresholds(store: BotStore, default: int) -> Callable[[Source], int]:
    """Net votes for auto-posting a source's clips: the lowest threshold set on a channel
    linked to the source, else ``default`` (``CLIPNET_VOTE_THRESHOLD``)."""

    def threshold(source: Source) -> int:
        chosen = [
            link.vote_threshold
            for link in store.links_for_source(source.id)
            if link.vote_threshold is not None
        ]
        return min(chosen, default=default)

    return threshold


def clip_links(public_url: str) -> ClipUrl:
    """Links to clips on the ClipNET site at ``public_url``."""
    base = public_url.rstrip("/")
    return lambda clip_id: f"{base}/clips/{clip_id}"
