"""ClipBOT as production wires it: the real container on in-memory settings, with fakes only
at the edges (a manual clock, sequential ids, a queue that records jobs, in-memory chats)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.platforms import InMemoryChat
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.clipbot.channel_admin import ChannelAdmin
from clipnet.domain.clipbot.commands import BotAnswer, ChatCommands
from clipnet.domain.clipbot.cooldowns import DEFAULT_RULES, CooldownRule
from clipnet.domain.clipbot.model import ChannelLink, ChatMessage, CommandName, ReplyTarget
from clipnet.domain.clipbot.presence import StreamPresence
from clipnet.domain.clipbot.replies import ClipBotJobs, ClipBotNotifier
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import BotStore
from clipnet.ports.chat import ChatPlatform
from clipnet.ports.platform_clips import PlatformClipMaker
from clipnet.ports.repositories import UnitOfWork
from clipnet.settings import Settings, load_settings
from tests.builders import T0, a_source, a_user
from tests.containers import app_container, memory_env

CHANNEL = "broadcaster-1"
OWNER = "user-1"
SOURCE = "source-1"
PUBLIC_URL = "https://clipnet.example"
CHAT_PLATFORMS = (Platform.TWITCH, Platform.DISCORD, Platform.X)


def share_url(token: str) -> str:
    """A share page's link, as ClipBOT posts it."""
    return f"{PUBLIC_URL}/share/{token}"


class Database(Protocol):
    def unit_of_work(self) -> UnitOfWork: ...


@attrs.define
class BotWorld:
    container: Container
    db: Database
    clock: ManualClock
    queue: RecordingJobQueue
    store: BotStore
    lifecycle: ClipLifecycle
    voting: VotingService
    commands: ChatCommands
    presence: StreamPresence
    admin: ChannelAdmin
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
        return self.commands.on_message(message, answer_inline=inline)

    def jobs_of(self, job_type: JobType) -> list[Job]:
        return [job for job in self.queue.jobs if job.type is job_type]

    def replies(self) -> list[str]:
        return [str(job.payload["text"]) for job in self.jobs_of(JobType.CLIPBOT_POST)]


def bot_settings_env(**env: str) -> dict[str, str]:
    """In-memory settings for a ClipBOT world (``env`` adds to or replaces them)."""
    return memory_env(
        tempfile.gettempdir(),
        **{"CLIPNET_PUBLIC_URL": PUBLIC_URL, "CLIPNET_AUTO_POST": "true", **env},
    )


def bot_world(
    *,
    threshold: int = 3,
    chats: Mapping[Platform, ChatPlatform] | None = None,
    cooldowns: Mapping[CommandName, CooldownRule] = DEFAULT_RULES,
    clip_makers: Mapping[Platform, PlatformClipMaker] | None = None,
    database: Database | None = None,
    store: BotStore | None = None,
    settings: Settings | None = None,
    restart_of: BotWorld | None = None,
) -> BotWorld:
    """ClipBOT built by the real container, on in-memory adapters or on ``database`` and
    ``store`` (e.g. SQL ones); ``settings`` replace the in-memory defaults (keep memory://).
    ``restart_of``: ClipBOT started again on that world's database, store, clock and ids."""
    chosen = settings or load_settings(bot_settings_env(CLIPNET_VOTE_THRESHOLD=str(threshold)))
    clock, ids, queue = ManualClock(T0), SequentialIds("id"), RecordingJobQueue()
    if restart_of is not None:
        clock, ids = restart_of.clock, restart_of.ids
        database, store = database or restart_of.db, store or restart_of.store
    memory_chats = {p: InMemoryChat(p) for p in CHAT_PLATFORMS}
    fakes: dict[str, Any] = {
        "clock": clock,
        "ids": ids,
        "queue": queue,
        "chats": memory_chats if chats is None else dict(chats),
        "cooldown_rules": dict(cooldowns),
    }
    if clip_makers is not None:
        fakes["clip_makers"] = dict(clip_makers)
    if database is not None:
        fakes["database"] = database
    if store is not None:
        fakes["bot_store"] = store
    container = app_container(chosen, **fakes)
    world = BotWorld(
        container,
        container.database(),
        clock,
        queue,
        container.bot_store(),
        container.lifecycle(),
        container.voting(),
        container.chat_commands(),
        container.stream_presence(),
        container.channel_admin(),
        container.clipbot_jobs(),
        container.clipbot_notifier(),
        memory_chats,
        container.outbox(),
        ids,
    )
    if restart_of is None:
        _seed(world)
    return world


def _seed(world: BotWorld) -> None:
    """The owner, a 600-second VOD, and every chat platform's channel linked to it."""
    with world.db.unit_of_work() as uow:
        uow.users.add(a_user(OWNER))
        uow.sources.add(a_source(SOURCE, OWNER, duration=600.0, channel=CHANNEL))
        uow.commit()
    for platform in CHAT_PLATFORMS:
        world.store.save_link(ChannelLink(platform, CHANNEL, OWNER, SOURCE))
