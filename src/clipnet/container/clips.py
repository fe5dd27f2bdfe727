"""Sources and clips: the clip lifecycle, the media pipeline's job handlers, Whisper batching,
the one highlights service, and the services the HTTP API offers over them."""

from __future__ import annotations

from dependency_injector import providers

from clipnet.adapters.chat_replay import ChatReplayFiles
from clipnet.adapters.media_fetch.downloader import HttpMediaDownloader
from clipnet.adapters.media_fetch.guarded_http import GuardedHttp
from clipnet.adapters.memory.events import InMemoryEventLog
from clipnet.adapters.redis_events import RedisEventLog
from clipnet.adapters.yake_phrases import YakeKeyPhrases
from clipnet.container.accounts import AccountsContainer, sessions_redis_url
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.service import ClipService
from clipnet.domain.clips.sharing import ClipSharing, ShareLinks
from clipnet.domain.framing.service import FramingService
from clipnet.domain.highlights.selection import ScoreFloor
from clipnet.domain.highlights.service import HighlightService
from clipnet.domain.pipeline.handlers import PipelineService
from clipnet.domain.pipeline.whisper_batching import BatchPolicy, TranscriptionBatcher
from clipnet.domain.shared.live import LiveEvents
from clipnet.domain.sources.fetching import FetchLimits, SourceFetcher
from clipnet.domain.sources.service import SourceService
from clipnet.ports.media_fetch import MediaResolver
from clipnet.settings.sections import InferenceSettings, MediaSettings


def fetch_limits(media: MediaSettings) -> FetchLimits:
    """A URL source's download caps: the media limits FFmpeg applies to any source."""
    return FetchLimits(media.max_source_bytes, media.max_source_seconds)


def ytdlp_resolver(http: GuardedHttp) -> MediaResolver:
    """yt-dlp is imported only by a process that fetches a URL source (it is slow to load)."""
    from clipnet.adapters.media_fetch.ytdlp import YtDlpResolver

    return YtDlpResolver(http)


def batch_policy(inference: InferenceSettings) -> BatchPolicy:
    return BatchPolicy(inference.whisper_batch_size, inference.whisper_batch_wait)


class ClipsContainer(AccountsContainer):
    __self__ = AccountsContainer.__self__

    api = AccountsContainer.settings.provided.api
    # GET /events: the memory log on the embedded profile, Redis Streams where processes are many.
    event_log = providers.Selector(
        api.events,
        memory=providers.Singleton(InMemoryEventLog, api.events_keep),
        redis=providers.Singleton(
            RedisEventLog,
            AccountsContainer.sessions_redis,
            providers.Callable(sessions_redis_url, AccountsContainer.settings),
            AccountsContainer.key_namespace,
            keep=api.events_keep,
            ttl=providers.Callable(lambda hours: hours * 3600, api.events_ttl_hours),
        ),
    )
    live_events = providers.Singleton(LiveEvents, event_log)
    lifecycle = providers.Singleton(
        ClipLifecycle,
        AccountsContainer.uow_factory,
        AccountsContainer.outbox,
        AccountsContainer.clock,
        AccountsContainer.ids,
        AccountsContainer.templates,
        events=live_events,
    )
    framing = providers.Singleton(
        FramingService,
        AccountsContainer.subject_scanner,
        face_cams=AccountsContainer.settings.provided.media.face_cams,
    )
    # Titles and hashtags from what was said (YAKE!, offline).
    key_phrases = providers.Singleton(YakeKeyPhrases)
    # URL sources: yt-dlp resolves the page, the guarded client streams the media to storage.
    guarded_http = providers.Singleton(GuardedHttp, AccountsContainer.url_guard.provided.check_hop)
    source_fetcher = providers.Singleton(
        SourceFetcher,
        AccountsContainer.url_guard,
        providers.Singleton(ytdlp_resolver, guarded_http),
        providers.Singleton(HttpMediaDownloader, guarded_http),
        AccountsContainer.media,
        AccountsContainer.storage,
        providers.Callable(fetch_limits, AccountsContainer.settings.provided.media),
    )
    # clip:process, ml:score, ffmpeg:polish
    pipeline = providers.Singleton(
        PipelineService,
        AccountsContainer.uow_factory,
        lifecycle,
        AccountsContainer.media,
        AccountsContainer.storage,
        AccountsContainer.transcriber,
        AccountsContainer.templates,
        vision=AccountsContainer.vision,
        framing=framing,
        events=live_events,
        key_phrases=key_phrases,
        fetcher=source_fetcher,
    )
    transcription = providers.Singleton(  # whisper:batch
        TranscriptionBatcher,
        AccountsContainer.uow_factory,
        lifecycle,
        AccountsContainer.media,
        AccountsContainer.storage,
        AccountsContainer.transcriber,
        policy=providers.Callable(batch_policy, AccountsContainer.settings.provided.inference),
        sleep=AccountsContainer.sleep,
        bounds=AccountsContainer.clip_bounds,
    )
    # The one way to pick a source's best moments: the API, the CLI, the worker and ClipBOT.
    highlights = providers.Singleton(
        HighlightService,
        AccountsContainer.uow_factory,
        AccountsContainer.clock,
        AccountsContainer.ids,
        pipeline.provided.analyze_source,
        lifecycle,
        AccountsContainer.templates,
        AccountsContainer.clip_bounds,
        floor=providers.Factory(
            ScoreFloor, AccountsContainer.settings.provided.media.min_relative_score
        ),
        outbox=AccountsContainer.outbox,
    )
    # Chat replays (clipnet clip --chat, POST /sources/{id}/chat) and chat's delay behind video.
    chat_replays = providers.Singleton(ChatReplayFiles)
    chat_delay = AccountsContainer.settings.provided.media.chat_delay
    sources_service = providers.Singleton(
        SourceService,
        AccountsContainer.uow_factory,
        AccountsContainer.storage,
        AccountsContainer.media,
        AccountsContainer.url_guard,
        AccountsContainer.clock,
        AccountsContainer.ids,
    )
    # Public share pages (POST/DELETE /clips/{id}/share, GET /share/{token}).
    share_links = providers.Singleton(
        ShareLinks, AccountsContainer.settings.provided.api.public_url
    )
    clips_service = providers.Singleton(
        ClipService,
        AccountsContainer.uow_factory,
        lifecycle,
        AccountsContainer.storage,
        AccountsContainer.templates,
        highlights,
        share_links=share_links,
        bounds=AccountsContainer.clip_bounds,
    )
    clip_sharing = providers.Singleton(
        ClipSharing,
        AccountsContainer.uow_factory,
        AccountsContainer.storage,
        share_links,
        AccountsContainer.templates,
    )
