"""The settings of each concern, one class per concern, every field documented.

Later features add fields to the section they belong to; the CLI's ``clipnet config`` and
the README's configuration table are generated from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from clipnet.settings.fields import (
    REQUIRED,
    Context,
    Profile,
    as_bool,
    as_choice,
    as_float,
    as_int,
    as_list,
    as_path,
    as_url,
    setting,
)


def _per_profile(
    embedded: object, staging: object, production: object | None = None
) -> Callable[[Context], object]:
    """A default that differs by profile (production defaults to staging's)."""
    production = staging if production is None else production
    table = {Profile.EMBEDDED: embedded, Profile.STAGING: staging, Profile.PRODUCTION: production}
    return lambda context: table[context.profile]


def _embedded_database(context: Context) -> object:
    if context.profile is Profile.EMBEDDED:
        return f"sqlite:///{context.data_dir / 'clipnet.db'}"
    return REQUIRED


@attrs.frozen
class DatabaseSettings:
    url: str = setting(
        "CLIPNET_DATABASE_URL",
        parse=as_url("sqlite", "postgresql", "postgres", "memory"),
        default_for=_embedded_database,
        doc="Database URL: sqlite:///PATH, postgresql+psycopg://USER@HOST/DB, or memory://",
    )
    pool_size: int = setting(
        "CLIPNET_DATABASE_POOL_SIZE", 5, parse=as_int(1), doc="Connections kept open (Postgres)"
    )
    connect_timeout: float = setting(
        "CLIPNET_DATABASE_CONNECT_TIMEOUT",
        5.0,
        parse=as_float(0.1),
        doc="Seconds to wait for a database connection",
    )


@attrs.frozen
class QueueSettings:
    backend: str = setting(
        "CLIPNET_QUEUE",
        parse=as_choice("inprocess", "dramatiq", "memory"),
        default_for=_per_profile("inprocess", "dramatiq"),
        doc="Where jobs run: inprocess (a thread of this process), dramatiq (Redis), memory",
    )
    redis_url: str = setting(
        "CLIPNET_REDIS_URL",
        "redis://127.0.0.1:6379/0",
        parse=as_url("redis", "rediss"),
        secret=True,
        doc="Redis for the Dramatiq broker",
    )
    namespace: str = setting(
        "CLIPNET_REDIS_NAMESPACE",
        default_for=lambda c: f"clipnet-{c.profile.value}",
        doc="Prefix of every Redis key and queue, so environments can share one Redis",
    )
    concurrency: int = setting(
        "CLIPNET_WORKER_CONCURRENCY",
        1,
        parse=as_int(1),
        doc="Jobs a worker runs at once (Phase 1: one, in order)",
    )


@attrs.frozen
class StorageSettings:
    backend: str = setting(
        "CLIPNET_STORAGE",
        parse=as_choice("local", "cloudinary", "memory"),
        default_for=_per_profile("local", "cloudinary"),
        doc="Where media is kept: local (a folder), cloudinary, memory",
    )
    local_dir: Path = setting(
        "CLIPNET_STORAGE_DIR",
        parse=as_path,
        default_for=lambda c: c.data_dir / "media",
        doc="Folder of the local storage",
    )
    cloudinary_url: str = setting(
        "CLIPNET_CLOUDINARY_URL",
        "",
        parse=as_url("cloudinary"),
        secret=True,
        doc="cloudinary://KEY:SECRET@CLOUD",
    )
    folder: str = setting(
        "CLIPNET_STORAGE_FOLDER",
        default_for=_per_profile("clips", "staging_clips", "prod_clips"),
        doc="Folder (prefix) for this environment's objects",
    )


@attrs.frozen
class InferenceSettings:
    backend: str = setting(
        "CLIPNET_INFERENCE",
        parse=as_choice("local", "runpod"),
        default_for=_per_profile("local", "runpod"),
        doc="Where Whisper/BLIP/CLIP run: local (this machine's CPU or GPU) or runpod",
    )
    whisper_model: str = setting(
        "CLIPNET_WHISPER_MODEL",
        "",
        doc="faster-whisper model directory or name; empty = no speech features",
    )
    runpod_base_url: str = setting(
        "CLIPNET_RUNPOD_BASE_URL",
        "https://api.runpod.ai",
        parse=as_url("http", "https"),
        doc="RunPod serverless API base URL",
    )
    runpod_endpoint: str = setting(
        "CLIPNET_RUNPOD_ENDPOINT", "", doc="RunPod serverless endpoint id"
    )
    runpod_api_key: str = setting("CLIPNET_RUNPOD_API_KEY", "", secret=True, doc="RunPod API key")
    namespace: str = setting(
        "CLIPNET_INFERENCE_NAMESPACE",
        default_for=lambda c: c.profile.value,
        doc="Namespace the shared GPU server files this environment's work under",
    )


@attrs.frozen
class MediaSettings:
    ffmpeg: str = setting(
        "CLIPNET_FFMPEG", "", doc="ffmpeg binary; empty = the one on PATH, else imageio-ffmpeg's"
    )
    min_clip_seconds: float = setting(
        "CLIPNET_MIN_CLIP_SECONDS", 15.0, parse=as_float(1), doc="Shortest automatic clip"
    )
    max_clip_seconds: float = setting(
        "CLIPNET_MAX_CLIP_SECONDS", 60.0, parse=as_float(1), doc="Longest automatic clip"
    )
    timeout: float = setting(
        "CLIPNET_FFMPEG_TIMEOUT",
        3600.0,
        parse=as_float(1),
        doc="Seconds an FFmpeg run may take before it is killed",
    )


@attrs.frozen
class ApiSettings:
    host: str = setting("CLIPNET_HOST", "127.0.0.1", doc="Address `clipnet serve` listens on")
    port: int = setting(
        "CLIPNET_PORT", 8000, parse=as_int(1), doc="Port `clipnet serve` listens on"
    )
    public_url: str = setting(
        "CLIPNET_PUBLIC_URL",
        "http://127.0.0.1:8000",
        parse=as_url("http", "https"),
        doc="How clients reach the API (links in chat replies)",
    )
    max_upload_bytes: int = setting(
        "CLIPNET_MAX_UPLOAD_BYTES",
        4 * 1024**3,
        parse=as_int(1),
        doc="Largest accepted upload",
    )
    allowed_source_hosts: tuple[str, ...] = setting(
        "CLIPNET_ALLOWED_SOURCE_HOSTS",
        (),
        parse=as_list,
        doc="Hosts a source URL may point at (comma-separated)",
    )


@attrs.frozen
class SecuritySettings:
    secret_keys: tuple[str, ...] = setting(
        "CLIPNET_SECRET_KEYS",
        parse=as_list,
        default_for=_per_profile((), REQUIRED),
        secret=True,
        doc="Fernet keys, newest first, sealing OAuth tokens at rest (embedded: a key file)",
    )


@attrs.frozen
class BotSettings:
    twitch_eventsub_secret: str = setting(
        "CLIPNET_TWITCH_EVENTSUB_SECRET", "", secret=True, doc="Twitch EventSub webhook secret"
    )
    discord_public_key: str = setting(
        "CLIPNET_DISCORD_PUBLIC_KEY", "", doc="Discord application public key (hex)"
    )
    x_consumer_secret: str = setting(
        "CLIPNET_X_CONSUMER_SECRET", "", secret=True, doc="X (Twitter) app consumer secret"
    )
    clip_seconds: float = setting(
        "CLIPNET_BOT_CLIP_SECONDS", 30.0, parse=as_float(1), doc="Length of a `!clip` clip"
    )
    vote_threshold: int = setting(
        "CLIPNET_VOTE_THRESHOLD",
        5,
        parse=as_int(1),
        doc="Net votes that make a clip eligible for auto-posting",
    )
    auto_post: bool = setting(
        "CLIPNET_AUTO_POST", False, parse=as_bool, doc="Post clips that pass the vote threshold"
    )
