"""Publishing: a publisher per platform (``CLIPNET_PUBLISHING``: the real YouTube and TikTok
APIs, or in memory) and the posting service behind ``post:youtube`` and ``post:tiktok``."""

from __future__ import annotations

import attrs
from dependency_injector import providers

from clipnet.adapters.http_resilience import Backoff
from clipnet.adapters.memory.platforms import InMemoryPublisher, InMemoryUploadSessions
from clipnet.adapters.publishing import TikTokPublisher, YouTubePublisher
from clipnet.adapters.publishing.http import PUBLISHING_BACKOFF, PlatformHttp
from clipnet.adapters.sqlalchemy.upload_sessions import SqlUploadSessions
from clipnet.container.clips import ClipsContainer
from clipnet.container.core import database_backend
from clipnet.domain.publishing.posting import PostingService
from clipnet.domain.publishing.service import PublishingService
from clipnet.domain.shared.platforms import Platform


def publish_backoff(retries: int) -> Backoff:
    return attrs.evolve(PUBLISHING_BACKOFF, retries=retries)


class PublishingContainer(ClipsContainer):
    __self__ = ClipsContainer.__self__
    publishing = ClipsContainer.settings.provided.publishing

    backoff = providers.Callable(publish_backoff, publishing.retries)
    # Upload sessions by post key, where every worker sees them: a post run again after its
    # worker died resumes its upload (or finds the video) instead of uploading a second one.
    upload_sessions = providers.Selector(
        providers.Callable(database_backend, ClipsContainer.settings.provided.database.url),
        memory=providers.Singleton(InMemoryUploadSessions),
        sqlalchemy=providers.Singleton(SqlUploadSessions, ClipsContainer.database),
    )
    # Platform -> Publisher. The Post record (PostingService) is what keeps a key to one post.
    publishers = providers.Selector(
        publishing.backend,
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
                    providers.Singleton(PlatformHttp, "YouTube", backoff=backoff),
                    base_url=publishing.youtube_api_base,
                    privacy=publishing.youtube_privacy,
                    category_id=publishing.youtube_category,
                    made_for_kids=publishing.youtube_made_for_kids,
                    tags=publishing.youtube_tags,
                    publish_delay=publishing.youtube_publish_delay,
                    thumbnails=publishing.youtube_thumbnails,
                    now=ClipsContainer.clock.provided.now,
                    sessions=upload_sessions,
                ),
                Platform.TIKTOK: providers.Singleton(
                    TikTokPublisher,
                    providers.Singleton(PlatformHttp, "TikTok", backoff=backoff),
                    base_url=publishing.tiktok_api_base,
                    privacy_level=publishing.tiktok_privacy,
                    allow_comments=publishing.tiktok_allow_comments,
                    allow_duet=publishing.tiktok_allow_duet,
                    allow_stitch=publishing.tiktok_allow_stitch,
                    processing_timeout=publishing.processing_timeout,
                ),
            }
        ),
    )
    posting = providers.Singleton(
        PostingService,
        ClipsContainer.uow_factory,
        ClipsContainer.lifecycle,
        ClipsContainer.storage,
        publishers,
        ClipsContainer.clock,
        ClipsContainer.ids,
        # An expiring OAuth token is refreshed before each upload.
        fresh_account=ClipsContainer.oauth.provided.fresh_account,
        events=ClipsContainer.live_events,
    )
    # The API's and the CLI's posts: now or scheduled (the job waits in the outbox).
    publishing_service = providers.Singleton(
        PublishingService,
        ClipsContainer.uow_factory,
        ClipsContainer.outbox,
        ClipsContainer.clock,
        ClipsContainer.ids,
        publishers.provided.keys.call(),
        events=ClipsContainer.live_events,
    )
