"""The composition root: builds ClipNET from settings by choosing an adapter for each port.

Nothing is built at import time. ``build_container(settings)`` returns a container whose
providers make each part on first use; tests override providers to swap in fakes::

    container = build_container(settings)
    container.storage.override(providers.Object(InMemoryStorage()))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import urlsplit

import attrs
from dependency_injector import containers, providers

from clipnet.adapters.chat_wiring import chat_platforms
from clipnet.adapters.chat_wiring import clip_makers as clip_maker_adapters
from clipnet.adapters.cloudinary_storage import CloudinaryStorage
from clipnet.adapters.crypto import FernetSecretBox, load_or_create_key_file
from clipnet.adapters.dns import SystemResolver
from clipnet.adapters.dramatiq.broker import redis_broker
from clipnet.adapters.dramatiq.queue import DramatiqJobQueue
from clipnet.adapters.dramatiq.worker import InProcessJobQueue, JobWorker
from clipnet.adapters.ffmpeg import EncodeOptions, FfmpegMediaProcessor, MediaLimits
from clipnet.adapters.inference.wiring import transcriber_for, vision_scorer_for
from clipnet.adapters.local_files import LocalFileStorage
from clipnet.adapters.memory.bot_store import InMemoryBotStore
from clipnet.adapters.memory.platforms import InMemoryPublisher
from clipnet.adapters.memory.queue import SynchronousJobQueue
from clipnet.adapters.memory.rate_limits import InMemoryRateLimiter
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.memory.sessions import InMemorySessionStore
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.adapters.oauth_http import HttpOAuthClient
from clipnet.adapters.oauth_providers import provider_endpoints
from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.adapters.publishing import TikTokPublisher, YouTubePublisher
from clipnet.adapters.publishing.http import PUBLISHING_BACKOFF, PlatformHttp
from clipnet.adapters.redis_rate_limits import RedisRateLimiter
from clipnet.adapters.redis_sessions import RedisSessionStore
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.sqlalchemy.bot_store import SqlBotStore
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.adapters.tokens import HmacAccessTokens
from clipnet.domain.accounts.oauth_linking import OAuthLinking
from clipnet.domain.accounts.service import AccountService, AttemptLimit, TokenPolicy
from clipnet.domain.clipbot.channel_admin import ChannelAdmin, channel_thresholds
from clipnet.domain.clipbot.clipping import ChatClipper
from clipnet.domain.clipbot.commands import ChatCommands
from clipnet.domain.clipbot.inbox import ClipBotInbox
from clipnet.domain.clipbot.platform_clips import PlatformClipJobs
from clipnet.domain.clipbot.presence import StreamPresence
from clipnet.domain.clipbot.replies import ClipBotJobs, ClipBotNotifier, clip_links
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.service import ClipService
from clipnet.domain.highlights.candidates import LengthBounds, snapped_candidates
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.jobs.admin import JobAdmin
from clipnet.domain.jobs.model import JobType, RetryPolicy
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.jobs.queries import JobQueries
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.runner import JobRunner
from clipnet.domain.pipeline.handlers import PipelineService
from clipnet.domain.pipeline.whisper_batching import BatchPolicy, TranscriptionBatcher
from clipnet.domain.publishing.posting import PLATFORM_OF_JOB, PostingService
from clipnet.domain.shared.health import HealthService
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.service import SourceService
from clipnet.domain.sources.url_guard import UrlGuard
from clipnet.settings import Settings
from clipnet.settings.sections import MediaSettings, QueueSettings


class AdapterUnavailable(RuntimeError):
    """The settings chose an adapter this installation does not have."""


def unavailable(what: str, variable: str) -> Callable[..., NoReturn]:
    def fail(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise AdapterUnavailable(
            f"{what} is not available in this version of ClipNET; change {variable}"
        )

    return fail


def database_backend(url: str) -> str:
    scheme = urlsplit(url).scheme.split("+")[0]
    return "memory" if scheme == "memory" else "sqlalchemy"


def secret_keys(settings: Settings) -> list[str]:
    if settings.security.secret_keys:
        return list(settings.security.secret_keys)
    return load_or_create_key_file(settings.data_dir / "secret.key")


def token_policy(settings: Settings) -> TokenPolicy:
    return TokenPolicy(
        access_ttl=timedelta(minutes=settings.security.access_token_minutes),
        refresh_ttl=timedelta(days=settings.security.refresh_token_days),
    )


def database_check(uow_factory: Callable[[], Any]) -> Callable[[], None]:
    def check() -> None:
        with uow_factory() as uow:
            uow.jobs.recent(limit=1)

    return check


def broker_check(backend: str, redis: Callable[[], Any]) -> Callable[[], None]:
    def check() -> None:
        if backend == "dramatiq":
            redis().ping()

    return check


def redis_client(url: str) -> Any:
    import redis  # only the profiles that use Redis pay for the import

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def time_limit_for(queue: QueueSettings) -> Callable[[JobType], float]:
    return lambda job_type: queue.time_limit_by_type.get(job_type, queue.time_limit)


def auto_post_platforms(auto_post: bool) -> tuple[Platform, ...]:
    """Where a clip that passes the vote threshold is posted: nowhere unless CLIPNET_AUTO_POST."""
    return (Platform.YOUTUBE, Platform.TIKTOK) if auto_post else ()


def max_attempts_by_type(queue: QueueSettings) -> dict[JobType, int]:
    return {t: int(queue.max_attempts_by_type.get(t, queue.max_attempts)) for t in JobType}


def media_limits(media: MediaSettings) -> MediaLimits:
    return MediaLimits(media.max_source_bytes, media.max_source_seconds, media.max_source_pixels)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(TimeOrderedIds)
    templates = providers.Singleton(TemplateCatalogue)
    secret_box = providers.Singleton(FernetSecretBox, providers.Callable(secret_keys, settings))

    database = providers.Selector(
        providers.Callable(database_backend, settings.provided.database.url),
        memory=providers.Singleton(InMemoryDatabase),
        sqlalchemy=providers.Singleton(
            SqlDatabase,
            settings.provided.database.url,
            secret_box,
            pool_size=settings.provided.database.pool_size,
            connect_timeout=settings.provided.database.connect_timeout,
        ),
    )
    uow_factory = providers.Callable(lambda db: db.unit_of_work, database)

    # -- jobs (issue 4) -------------------------------------------------------------------------
    job_time_limit = providers.Callable(time_limit_for, settings.provided.queue)
    queue = providers.Selector(
        settings.provided.queue.backend,
        memory=providers.Singleton(SynchronousJobQueue),
        inprocess=providers.Singleton(InProcessJobQueue, job_time_limit),
        dramatiq=providers.Singleton(
            DramatiqJobQueue,
            providers.Singleton(
                redis_broker,
                settings.provided.queue.redis_url,
                settings.provided.queue.namespace,
                heartbeat_timeout=settings.provided.queue.heartbeat_timeout,
                maintenance_interval=settings.provided.queue.maintenance_interval,
            ),
            job_time_limit,
        ),
    )

    storage = providers.Selector(
        settings.provided.storage.backend,
        local=providers.Singleton(LocalFileStorage, settings.provided.storage.local_dir),
        memory=providers.Singleton(InMemoryStorage),
        cloudinary=providers.Singleton(
            CloudinaryStorage.from_url,
            settings.provided.storage.cloudinary_url,
            settings.provided.storage.folder,
            api_base=settings.provided.storage.cloudinary_api_base,
        ),
    )

    # -- inference (issue 6): local faster-whisper / none / RunPod, by CLIPNET_INFERENCE ---------
    transcriber = providers.Singleton(transcriber_for, settings.provided.inference, storage)
    vision = providers.Singleton(vision_scorer_for, settings.provided.inference, storage)

    outbox_relay = providers.Singleton(OutboxRelay, uow_factory, queue, clock)
    outbox = providers.Singleton(
        Outbox,
        queue,
        clock,
        ids,
        settings.provided.queue.max_attempts,
        max_attempts_by_type=providers.Callable(max_attempts_by_type, settings.provided.queue),
        # A synchronous queue runs the job inside enqueue: no relay (it would hold the row).
        relay=providers.Selector(
            settings.provided.queue.backend,
            memory=providers.Object(None),
            inprocess=outbox_relay,
            dramatiq=outbox_relay,
        ),
    )
    lifecycle = providers.Singleton(ClipLifecycle, uow_factory, outbox, clock, ids, templates)
    bot_store = providers.Selector(  # ClipBOT's memory (issue 8); votes read channel thresholds
        providers.Callable(database_backend, settings.provided.database.url),
        memory=providers.Singleton(InMemoryBotStore),
        sqlalchemy=providers.Singleton(SqlBotStore, database),
    )
    voting = providers.Singleton(
        VotingService,
        uow_factory,
        outbox,
        clock,
        providers.Callable(channel_thresholds, bot_store, settings.provided.bot.vote_threshold),
        auto_post_to=providers.Callable(auto_post_platforms, settings.provided.bot.auto_post),
    )
    job_runner = providers.Singleton(
        JobRunner,
        uow_factory,
        clock,
        providers.Dict(),
        providers.Callable(
            lambda q: RetryPolicy(base_delay=q.retry_base_delay, max_delay=q.retry_max_delay),
            settings.provided.queue,
        ),
    )
    job_worker = providers.Singleton(
        JobWorker,
        queue,
        job_runner,
        outbox_relay,
        concurrency=settings.provided.queue.concurrency,
        relay_interval=settings.provided.queue.relay_interval,
        shutdown_timeout=settings.provided.queue.shutdown_timeout,
    )
    # Platform -> Publisher. The Post record (PostingService) is what keeps a key to one post.
    publish_backoff = providers.Callable(
        attrs.evolve, PUBLISHING_BACKOFF, retries=settings.provided.publishing.retries
    )
    publishers = providers.Selector(
        settings.provided.publishing.backend,
        memory=providers.Dict(
            {
                Platform.YOUTUBE: providers.Singleton(InMemoryPublisher, Platform.YOUTUBE),
                Platform.TIKTOK: providers.Singleton(InMemoryPublisher, Platform.TIKTOK),
            }
        ),
        platforms=providers.Dict(
            {
                Platform.YOUTUBE: providers.Singleton(
                    YouTubePublisher,
                    providers.Singleton(PlatformHttp, "YouTube", backoff=publish_backoff),
                    base_url=settings.provided.publishing.youtube_api_base,
                    privacy=settings.provided.publishing.youtube_privacy,
                    category_id=settings.provided.publishing.youtube_category,
                ),
                Platform.TIKTOK: providers.Singleton(
                    TikTokPublisher,
                    providers.Singleton(PlatformHttp, "TikTok", backoff=publish_backoff),
                    base_url=settings.provided.publishing.tiktok_api_base,
                    privacy_level=settings.provided.publishing.tiktok_privacy,
                    processing_timeout=settings.provided.publishing.processing_timeout,
                ),
            }
        ),
    )
    posting = providers.Singleton(
        PostingService, uow_factory, lifecycle, storage, publishers, clock, ids
    )
    job_admin = providers.Singleton(
        JobAdmin,
        uow_factory,
        clock,
        # Only a shared broker takes a job from this process; otherwise the worker's relay
        # (in-process: the serving process's) sends the requeued job from the outbox.
        providers.Selector(
            settings.provided.queue.backend,
            memory=providers.Object(None),
            inprocess=providers.Object(None),
            dramatiq=outbox_relay,
        ),
    )

    # -- the HTTP API's services (issue 7) ------------------------------------------------------
    media = providers.Singleton(
        FfmpegMediaProcessor,
        settings.provided.media.ffmpeg,
        timeout=settings.provided.media.timeout,
        limits=providers.Callable(media_limits, settings.provided.media),
        encode=providers.Callable(
            lambda m: EncodeOptions(preset=m.x264_preset), settings.provided.media
        ),
    )
    # -- the media pipeline (issue 5): clip:process, ml:score, ffmpeg:polish --------------------
    pipeline = providers.Singleton(
        PipelineService,
        uow_factory,
        lifecycle,
        media,
        storage,
        transcriber,
        templates,
        vision=vision,
        bounds=providers.Callable(
            lambda m: LengthBounds(m.min_clip_seconds, m.max_clip_seconds),
            settings.provided.media,
        ),
    )
    transcription = providers.Singleton(
        TranscriptionBatcher,
        uow_factory,
        lifecycle,
        media,
        storage,
        transcriber,
        policy=providers.Callable(
            lambda i: BatchPolicy(i.whisper_batch_size, i.whisper_batch_wait),
            settings.provided.inference,
        ),
    )
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    access_tokens = providers.Singleton(HmacAccessTokens, providers.Callable(secret_keys, settings))
    redis = providers.Singleton(redis_client, settings.provided.queue.redis_url)
    sessions_redis = providers.Singleton(redis_client, settings.provided.sessions_redis_url)
    sessions = providers.Selector(
        settings.provided.security.sessions,
        memory=providers.Singleton(InMemorySessionStore),
        redis=providers.Singleton(
            RedisSessionStore, sessions_redis, settings.provided.queue.namespace
        ),
    )
    rate_limiter = providers.Selector(
        settings.provided.security.rate_limits,
        memory=providers.Singleton(InMemoryRateLimiter),
        redis=providers.Singleton(
            RedisRateLimiter, sessions_redis, settings.provided.queue.namespace
        ),
    )
    accounts = providers.Singleton(
        AccountService,
        uow_factory,
        password_hasher,
        access_tokens,
        sessions,
        clock,
        ids,
        providers.Callable(token_policy, settings),
        rate_limiter,
        providers.Callable(
            lambda limit: AttemptLimit(limit, 60), settings.provided.security.auth_rate_limit
        ),
    )
    url_guard = providers.Singleton(
        UrlGuard, settings.provided.api.allowed_source_hosts, providers.Singleton(SystemResolver)
    )
    sources_service = providers.Singleton(
        SourceService, uow_factory, storage, media, url_guard, clock, ids
    )
    clip_candidates = providers.Object(snapped_candidates)
    clips_service = providers.Singleton(
        ClipService,
        uow_factory,
        lifecycle,
        storage,
        media,
        templates,
        clip_candidates,
        providers.Callable(
            lambda m: (m.min_clip_seconds, m.max_clip_seconds), settings.provided.media
        ),
        pipeline.provided.analyze_source,
    )
    job_queries = providers.Singleton(JobQueries, uow_factory)
    health = providers.Singleton(
        HealthService,
        providers.Dict(
            database=providers.Callable(database_check, uow_factory),
            broker=providers.Callable(
                broker_check, settings.provided.queue.backend, redis.provider
            ),
        ),
    )
    oauth_client = providers.Singleton(HttpOAuthClient)
    oauth = providers.Singleton(
        OAuthLinking,
        uow_factory,
        oauth_client,
        providers.Callable(
            provider_endpoints,
            settings.provided.security.oauth_clients,
            settings.provided.security.oauth_endpoints,
        ),
        secret_box,
        clock,
        ids,
    )
    # Posting (defined above) refreshes an expiring OAuth token before each upload.
    posting.add_kwargs(fresh_account=oauth.provided.fresh_account)

    # -- ClipBOT (issue 8): chat commands, votes, replies and notifications ----------------------
    chats = providers.Singleton(chat_platforms, settings.provided.bot)
    clip_makers = providers.Singleton(
        clip_maker_adapters, settings.provided.bot, settings.provided.media.max_source_bytes
    )
    clip_url = providers.Callable(clip_links, settings.provided.api.public_url)
    clipbot_notifier = providers.Singleton(ClipBotNotifier, bot_store, uow_factory, outbox)
    # One BotStore serves every ClipBOT memory protocol (claims, links, cooldowns, ...).
    chat_clipper = providers.Singleton(
        ChatClipper,
        bot_store,
        uow_factory,
        outbox,
        clock,
        lifecycle,
        clip_seconds=settings.provided.bot.clip_seconds,
        platform_clips=providers.Callable(frozenset, clip_makers),
        after_request=clipbot_notifier.provided.clip_changed,
    )
    chat_commands = providers.Singleton(
        ChatCommands,
        bot_store,
        bot_store,
        bot_store,
        uow_factory,
        outbox,
        clock,
        chat_clipper,
        voting,
        clip_url,
    )
    stream_presence = providers.Singleton(StreamPresence, bot_store, bot_store, bot_store, clock)
    channel_admin = providers.Singleton(ChannelAdmin, bot_store, uow_factory, clock)
    clipbot_inbox = providers.Singleton(ClipBotInbox, chat_commands, stream_presence, clock)
    clipbot_jobs = providers.Singleton(ClipBotJobs, bot_store, uow_factory, chats, clip_url)
    platform_clip_jobs = providers.Singleton(
        PlatformClipJobs,
        bot_store,
        uow_factory,
        outbox,
        clock,
        lifecycle,
        sources_service,
        clip_makers,
        after_request=clipbot_notifier.provided.clip_changed,
    )


def register_pipeline(container: Container) -> None:
    """The pipeline's job handlers, built on first use (so a missing adapter fails that job)."""
    runner = container.job_runner()
    for job_type in PipelineService.JOB_TYPES:
        runner.register(job_type, _lazy_pipeline_handler(container, job_type))


def _lazy_pipeline_handler(container: Container, job_type: JobType) -> Callable[[Any], None]:
    def handle(job: Any) -> None:
        container.pipeline().handlers()[job_type](job)

    return handle


def register_clipbot(container: Container) -> None:
    """ClipBOT's jobs, and a chat notification check after every job that moves a clip."""
    runner = container.job_runner()
    runner.register(JobType.CLIPBOT_POST, lambda job: container.clipbot_jobs().post(job))
    runner.register(JobType.CLIPBOT_NOTIFY, lambda job: container.clipbot_jobs().notify(job))
    runner.register(JobType.CLIPBOT_CLIP, lambda job: container.platform_clip_jobs().handle(job))
    for job_type in (*PipelineService.JOB_TYPES, *PLATFORM_OF_JOB):
        inner = runner.handler(job_type)
        if inner is not None:
            runner.register(job_type, _notifying(container, inner))


def _notifying(container: Container, inner: Callable[[Any], None]) -> Callable[[Any], None]:
    def handle(job: Any) -> None:
        container.clipbot_notifier().after(inner)(job)

    return handle


def build_container(settings: Settings) -> Container:
    """A container for ``settings``; jobs enqueued in-process run through the job runner."""
    container = Container(settings=settings)
    register_pipeline(container)
    container.job_runner().register(
        JobType.WHISPER_BATCH, lambda job: container.transcription().handle(job)
    )
    for job_type in PLATFORM_OF_JOB:  # post:youtube, post:tiktok
        container.job_runner().register(job_type, lambda job: container.posting().handle(job))
    register_clipbot(container)  # after the handlers it wraps
    queue = container.queue()
    if isinstance(queue, SynchronousJobQueue):
        queue.dispatcher = container.job_runner()
    elif isinstance(queue, InProcessJobQueue):
        # Embedded: the first job enqueued starts this process's worker threads.
        queue.start_with(lambda: container.job_worker().start())
    return container
