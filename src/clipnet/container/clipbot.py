"""ClipBOT: its memory (``BotStore``, one object serving every ClipBOT memory protocol), the
chat adapters and Twitch clip makers (a platform without credentials has none), votes, the
chat services and the jobs that speak to chat."""

from __future__ import annotations

from collections.abc import Callable

from dependency_injector import providers

from clipnet.adapters.chat_http import ChatHttp
from clipnet.adapters.discord.chat import DiscordChat
from clipnet.adapters.memory.bot_store import InMemoryBotStore
from clipnet.adapters.sqlalchemy.bot_store import SqlBotStore
from clipnet.adapters.twitch.clips import HelixClips
from clipnet.adapters.twitch.helix import TwitchChat
from clipnet.adapters.x.chat import XChat
from clipnet.container.core import database_backend
from clipnet.container.publishing import PublishingContainer
from clipnet.domain.clipbot.channel_admin import ChannelAdmin
from clipnet.domain.clipbot.clipping import ChatClipper
from clipnet.domain.clipbot.commands import ChatCommands
from clipnet.domain.clipbot.cooldowns import DEFAULT_RULES
from clipnet.domain.clipbot.inbox import ClipBotInbox
from clipnet.domain.clipbot.platform_clips import PlatformClipJobs
from clipnet.domain.clipbot.presence import StreamPresence
from clipnet.domain.clipbot.replies import (
    ChatReplies,
    ClipBotJobs,
    ClipBotNotifier,
    clip_links,
)
from clipnet.domain.clipbot.voting import VotingService, channel_thresholds
from clipnet.domain.clips.review import ClipReview
from clipnet.domain.pipeline.handlers import PipelineService
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source
from clipnet.ports.chat import ChatPlatform
from clipnet.ports.platform_clips import PlatformClipMaker
from clipnet.settings.sections import BotSettings


def chat_platforms(bot: BotSettings) -> dict[Platform, ChatPlatform]:
    """One adapter per platform with bot credentials (``BotSettings.reply_platforms``);
    ClipBOT queues no answers for another."""
    chats: dict[Platform, ChatPlatform] = {}
    able = bot.reply_platforms
    if Platform.TWITCH in able:
        chats[Platform.TWITCH] = TwitchChat(
            bot.twitch_api_url,
            bot.twitch_client_id,
            bot.twitch_bot_token,
            bot.twitch_bot_user_id,
            ChatHttp("twitch"),
        )
    if Platform.DISCORD in able:
        chats[Platform.DISCORD] = DiscordChat(
            bot.discord_api_url,
            bot.discord_application_id,
            bot.discord_bot_token,
            ChatHttp("discord"),
        )
    if Platform.X in able:
        chats[Platform.X] = XChat(bot.x_api_url, bot.x_bot_token, ChatHttp("x"))
    return chats


def twitch_clip_makers(bot: BotSettings, max_bytes: int) -> dict[Platform, PlatformClipMaker]:
    """Twitch makes ``!clip`` clips itself when ``CLIPNET_TWITCH_CLIPS`` is on."""
    if not (
        bot.twitch_clips
        and bot.twitch_bot_token
        and bot.twitch_client_id
        and bot.twitch_bot_user_id
    ):
        return {}
    helix = HelixClips(
        bot.twitch_api_url,
        bot.twitch_client_id,
        bot.twitch_bot_token,
        bot.twitch_bot_user_id,
        ChatHttp("twitch"),
        max_bytes=max_bytes,
    )
    return {Platform.TWITCH: helix}


def analysing_lazily(pipeline: Callable[[], PipelineService]) -> Callable[[str], Source]:
    """The pipeline's ``analyze_source``, built on first use: ``clipnet bot links`` and the
    like make no broker (the pipeline's outbox needs one)."""
    return lambda source_id: pipeline().analyze_source(source_id)


class ClipBotContainer(PublishingContainer):
    __self__ = PublishingContainer.__self__
    bot = PublishingContainer.settings.provided.bot
    uow_factory = PublishingContainer.uow_factory
    outbox = PublishingContainer.outbox
    clock = PublishingContainer.clock
    lifecycle = PublishingContainer.lifecycle

    bot_store = providers.Selector(
        providers.Callable(database_backend, PublishingContainer.settings.provided.database.url),
        memory=providers.Singleton(InMemoryBotStore),
        sqlalchemy=providers.Singleton(SqlBotStore, PublishingContainer.database),
    )
    voting = providers.Singleton(
        VotingService,
        uow_factory,
        outbox,
        clock,
        providers.Callable(channel_thresholds, bot_store, bot_store, bot.vote_threshold),
        auto_post=bot.auto_post,
    )
    # Approve / reject (the API, the studio): an approved clip is auto-posted like an eligible one.
    clip_review = providers.Singleton(
        ClipReview, uow_factory, lifecycle, auto_post=voting.provided.queue_auto_posts
    )
    chats = providers.Singleton(chat_platforms, bot)
    clip_makers = providers.Singleton(
        twitch_clip_makers, bot, PublishingContainer.settings.provided.media.max_source_bytes
    )
    clip_url = providers.Callable(clip_links, PublishingContainer.settings.provided.api.public_url)
    reply_platforms = providers.Callable(sorted, chats)
    """The chat platforms ClipBOT can answer on: those with a chat adapter."""
    chat_replies = providers.Singleton(ChatReplies, uow_factory, outbox, reply_platforms)
    clipbot_notifier = providers.Singleton(
        ClipBotNotifier, bot_store, uow_factory, outbox, reply_platforms
    )
    chat_clipper = providers.Singleton(
        ChatClipper,
        bot_store,
        uow_factory,
        outbox,
        clock,
        lifecycle,
        clip_seconds=bot.clip_seconds,
        platform_clips=providers.Callable(frozenset, clip_makers),
        after_request=clipbot_notifier.provided.clip_changed,
    )
    cooldown_rules = providers.Object(DEFAULT_RULES)
    """How often each chat command may be used, per user and per channel."""
    chat_commands = providers.Singleton(
        ChatCommands,
        bot_store,
        bot_store,
        bot_store,
        uow_factory,
        chat_replies,
        clock,
        chat_clipper,
        voting,
        clip_url,
        rules=cooldown_rules,
    )
    stream_presence = providers.Singleton(StreamPresence, bot_store, bot_store, bot_store, clock)
    channel_admin = providers.Singleton(
        ChannelAdmin,
        bot_store,
        uow_factory,
        clock,
        PublishingContainer.sources_service,
        providers.Callable(analysing_lazily, PublishingContainer.pipeline.provider),
    )
    clipbot_inbox = providers.Singleton(
        ClipBotInbox, chat_commands, stream_presence, clock, PublishingContainer.secret_box
    )
    clipbot_jobs = providers.Singleton(
        ClipBotJobs, bot_store, uow_factory, chats, clip_url, PublishingContainer.secret_box
    )
    platform_clip_jobs = providers.Singleton(
        PlatformClipJobs,
        bot_store,
        uow_factory,
        chat_replies,
        clock,
        lifecycle,
        PublishingContainer.sources_service,
        clip_makers,
        sleep=PublishingContainer.sleep,
        after_request=clipbot_notifier.provided.clip_changed,
    )
