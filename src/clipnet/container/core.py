"""The parts every context stands on: settings, clock, ids, the database, storage, media.

Each context's container (``jobs``, ``accounts``, ``clips`` …) extends the one before it, so
the root :class:`~clipnet.container.Container` has every provider under one flat name
(``container.storage``, ``container.uow_factory``) while each context's wiring lives in its
own module. Every container re-declares ``__self__`` from this one, so a provider that must
reach the finished container (the job table, the lazy dispatcher) gets the instance, not a
class.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from dependency_injector import containers, providers

from clipnet.adapters.cloudinary_storage import CloudinaryStorage
from clipnet.adapters.crypto import FernetSecretBox, load_or_create_key_file
from clipnet.adapters.dns import SystemResolver
from clipnet.adapters.ffmpeg import EncodeOptions, FfmpegMediaProcessor, MediaLimits
from clipnet.adapters.file_cache import FileCache
from clipnet.adapters.local_files import LocalFileStorage
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.adapters.opencv import OpencvSubjectScanner
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.domain.highlights.candidates import LengthBounds
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.sources.url_guard import UrlGuard
from clipnet.ports.secrets import SecretBox
from clipnet.settings import Settings
from clipnet.settings.sections import MediaSettings


def database_backend(url: str) -> str:
    """``memory`` for ``CLIPNET_DATABASE_URL=memory://``, else ``sqlalchemy``."""
    scheme = urlsplit(url).scheme.split("+")[0]
    return "memory" if scheme == "memory" else "sqlalchemy"


def secret_keys(settings: Settings) -> list[str]:
    if settings.security.secret_keys:
        return list(settings.security.secret_keys)
    return load_or_create_key_file(settings.data_dir / "secret.key")


def sql_database(
    url: str, secret_box: SecretBox, pool_size: int, connect_timeout: float
) -> Iterator[SqlDatabase]:
    """The SQL database while the container lives; its pool closes at shutdown."""
    database = SqlDatabase(url, secret_box, pool_size=pool_size, connect_timeout=connect_timeout)
    try:
        yield database
    finally:
        database.dispose()


def redis_client(url: str) -> Iterator[Any]:
    """A Redis client, closed at shutdown; only the profiles that use Redis import it."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        yield client
    finally:
        client.close()


def media_limits(media: MediaSettings) -> MediaLimits:
    return MediaLimits(media.max_source_bytes, media.max_source_seconds, media.max_source_pixels)


def encode_options(media: MediaSettings) -> EncodeOptions:
    return EncodeOptions(preset=media.x264_preset)


def default_clip_bounds(media: MediaSettings) -> LengthBounds:
    """How long a clip may be when the caller does not say."""
    return LengthBounds(media.min_clip_seconds, media.max_clip_seconds)


class CoreContainer(containers.DeclarativeContainer):
    __self__ = providers.Self()
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    sleep = providers.Object(time.sleep)
    """How a service waits between polls (tests give one that advances a manual clock)."""
    ids = providers.Singleton(TimeOrderedIds)
    templates = providers.Singleton(TemplateCatalogue)
    secret_box = providers.Singleton(FernetSecretBox, providers.Callable(secret_keys, settings))

    database = providers.Selector(
        providers.Callable(database_backend, settings.provided.database.url),
        memory=providers.Singleton(InMemoryDatabase),
        sqlalchemy=providers.Resource(
            sql_database,
            settings.provided.database.url,
            secret_box,
            settings.provided.database.pool_size,
            settings.provided.database.connect_timeout,
        ),
    )
    uow_factory = database.provided.unit_of_work

    storage = providers.Selector(
        settings.provided.storage.backend,
        local=providers.Singleton(LocalFileStorage, settings.provided.storage.local_dir),
        memory=providers.Singleton(InMemoryStorage),
        cloudinary=providers.Singleton(
            CloudinaryStorage.from_url,
            settings.provided.storage.cloudinary_url,
            settings.provided.storage.folder,
            api_base=settings.provided.storage.cloudinary_api_base,
            folder_mode=settings.provided.storage.cloudinary_folder_mode,
            cache=providers.Singleton(
                FileCache,
                settings.provided.storage.cache_dir,
                settings.provided.storage.cache_bytes,
            ),
        ),
    )
    media = providers.Singleton(
        FfmpegMediaProcessor,
        settings.provided.media.ffmpeg,
        timeout=settings.provided.media.timeout,
        limits=providers.Callable(media_limits, settings.provided.media),
        encode=providers.Callable(encode_options, settings.provided.media),
        analysis=settings.provided.media.analysis,
    )
    # Faces, motion, bars and face cams in a clip's span (FFmpeg decodes, OpenCV looks).
    subject_scanner = providers.Singleton(OpencvSubjectScanner, media)
    clip_bounds = providers.Callable(default_clip_bounds, settings.provided.media)
    url_guard = providers.Singleton(
        UrlGuard,
        settings.provided.api.allowed_source_hosts,
        providers.Singleton(SystemResolver),
        settings.provided.api.allowed_source_addresses,
    )
    redis = providers.Resource(redis_client, settings.provided.queue.redis_url)
    """The queue's Redis (readiness checks ping it); sessions may have their own."""
