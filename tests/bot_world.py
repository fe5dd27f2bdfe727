"""ClipBOT wired to in-memory adapters: the real services, with fakes only at the edges."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

import attrs

from clipnet.adapters.memory.bot_store import InMemoryBotStore
from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.platforms import InMemoryChat
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.clipbot.bot import BotAnswer, ClipBot
from clipnet.domain.clipbot.cooldowns import DEFAULT_RULES, CooldownRule
from clipnet.domain.clipbot.model import ChannelLink, ChatMessage, CommandName, ReplyTarget
from clipnet.domain.clipbot.replies import ClipBotJobs, ClipBotNotifier
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import BotStore
from clipnet.ports.chat import ChatPlatform
from clipnet.ports.repositories import UnitOfWork
from tests.builders import T0, a_source, a_user

CHANNEL = "broadcaster-1"
OWNER = "user-1"
SOURCE = "source-1"


def clip_url(clip_id: str) -> str:
    return f"https://clipnet.example/clips/{clip_id}"


class Database(Protocol):
    def unit_of_work(self) -> UnitOfWork: ...


@attrs.define
class BotWorld:
    db: Database
    clock: ManualClock
    queue: RecordingJobQueue
    store: BotStore
    lifecycle: ClipLifecycle
    voting: VotingService
    bot: ClipBot
    jobs: ClipBotJobs
    notifier: ClipBotNotifier
    chats: dict[Platform, InMemoryChat]
    outbox: Outbox
    ids: SequentialIds

    def say(
        self,
        text: str,
        *,
        user: str = "viewer-1",
        delivery: str = "",
        platform: Platform = Platform.TWITCH,
        channel: str = CHANNEL,
        inline: bool = False,
    ) -> BotAnswer:
        delivery = delivery or f"delivery-{len(self.queue.jobs)}-{self.clock.now().isoformat()}"
        # Discord answers a slash command through the interaction's webhook token.
        reply_to = f"interaction:token-{delivery}" if platform is Platform.DISCORD else ""
        target = ReplyTarget(platform, channel, reply_to or f"msg-of-{delivery}", user)
        message = ChatMessage(target, text, delivery, self.clock.now())
        return self.bot.on_message(message, answer_inline=inline)

    def jobs_of(self, job_type: JobType) -> list[Job]:
        return [job for job in self.queue.jobs if job.type is job_type]

    def replies(self) -> list[str]:
        return [str(job.payload["text"]) for job in self.jobs_of(JobType.CLIPBOT_POST)]


def bot_world(
    *,
    threshold: int = 3,
    chats: Mapping[Platform, ChatPlatform] | None = None,
    cooldowns: Mapping[CommandName, CooldownRule] = DEFAULT_RULES,
    platform_clips: Collection[Platform] = (),
    database: Database | None = None,
    store: BotStore | None = None,
) -> BotWorld:
    """ClipBOT on in-memory adapters, or on ``database`` and ``store`` (e.g. SQL ones)."""
    db, clock, ids, queue = (
        database or InMemoryDatabase(),
        ManualClock(T0),
        SequentialIds("id"),
        RecordingJobQueue(),
    )
    outbox = Outbox(queue, clock, ids)
    lifecycle = ClipLifecycle(db.unit_of_work, outbox, clock, ids, TemplateCatalogue())
    voting = VotingService(db.unit_of_work, outbox, clock, lambda _channel: threshold)
    store = store or InMemoryBotStore()
    bot = ClipBot(
        store,
        db.unit_of_work,
        outbox,
        clock,
        lifecycle,
        voting,
        clip_url,
        cooldowns=cooldowns,
        platform_clips=platform_clips,
    )
    memory_chats = {p: InMemoryChat(p) for p in (Platform.TWITCH, Platform.DISCORD, Platform.X)}
    jobs = ClipBotJobs(store, db.unit_of_work, memory_chats if chats is None else chats, clip_url)
    notifier = ClipBotNotifier(store, db.unit_of_work, outbox)
    with db.unit_of_work() as uow:
        uow.users.add(a_user(OWNER))
        uow.sources.add(a_source(SOURCE, OWNER, duration=600.0, channel=CHANNEL))
        uow.commit()
    for platform in (Platform.TWITCH, Platform.DISCORD, Platform.X):
        store.save_link(ChannelLink(platform, CHANNEL, OWNER, SOURCE))
    return BotWorld(
        db, clock, queue, store, lifecycle, voting, bot, jobs, notifier, memory_chats, outbox, ids
    )
