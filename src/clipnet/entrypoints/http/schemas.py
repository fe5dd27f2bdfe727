"""Request and response bodies. Requests forbid unknown fields; every limit is declared here
so that it also appears in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from clipnet.domain.sources.service import MAX_CATEGORY

Email = Annotated[str, Meta(min_length=3, max_length=320)]
Password = Annotated[str, Meta(min_length=1, max_length=256)]
Title = Annotated[str, Meta(max_length=200)]
Category = Annotated[str, Meta(max_length=MAX_CATEGORY)]
Name = Annotated[str, Meta(max_length=100)]
TemplateName = Annotated[str, Meta(max_length=64)]
CaptionStyleName = Annotated[str, Meta(max_length=32)]
AspectName = Annotated[str, Meta(max_length=16)]
Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Seconds = Annotated[float, Meta(ge=0, le=7 * 24 * 3600)]


class Request(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: unknown fields are an error, not silently ignored."""


# -- auth --------------------------------------------------------------------------------------


class SignUp(Request):
    email: Email
    password: Password
    display_name: Name = ""


class Login(Request):
    email: Email
    password: Password


class RefreshRequest(Request):
    refresh_token: Annotated[str, Meta(min_length=1, max_length=512)]


class ProfileUpdate(Request):
    display_name: Name | None = None
    password: Password | None = None
    email: Email | None = None
    current_password: Password | None = None
    """Needed to change ``password`` or ``email``."""


class UserOut(msgspec.Struct, kw_only=True):
    id: str
    email: str
    display_name: str
    role: str
    created_at: datetime


class TokensOut(msgspec.Struct, kw_only=True):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    user: UserOut


class ProfileOut(UserOut, kw_only=True):
    tokens: TokensOut | None = None
    """A new session's tokens, when the password or email changed (every session ended)."""


# -- sources -----------------------------------------------------------------------------------


class UrlSourceIn(Request):
    url: Annotated[str, Meta(min_length=1, max_length=2048)]
    title: Title = ""
    category: Category = ""
    """The game or category streamed (e.g. Twitch's), when known: its clips' first hashtag."""


class SourceOut(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    title: str
    category: str
    status: str
    duration: float
    url: str | None
    """The registered URL (URL sources) or a media URL (uploads)."""
    created_at: datetime
    analysed: bool
    last_error: str


class SourceList(msgspec.Struct, kw_only=True):
    items: list[SourceOut]


class TimelineOut(msgspec.Struct, kw_only=True):
    """A source's signals, one sample per second (what the studio's score timeline draws)."""

    source_id: str
    analysed: bool
    """False until the pipeline has measured the source: every series is then empty."""
    duration: float
    score: list[float]
    """Per second, the score (0-100) of the five seconds around it."""
    features: dict[str, list[float]]
    """Per second, each feature in [0, 1]: loudness (bursts), motion, speech, cuts; and
    chat (intensity, moved back by chat's delay) once the source's chat is added."""
    scene_cuts: list[float]


class ChatAddedOut(msgspec.Struct, kw_only=True):
    """What adding a source's chat replay did."""

    source_id: str
    messages: int
    """Messages read from the replay (those timed before the recording are left out)."""
    delay: float
    """Seconds chat was moved back to meet the moments it reacts to."""
    delay_estimated: bool
    """Whether ``delay`` was estimated from the source (``delay=auto`` and confident)."""
    notable_seconds: int
    """Seconds of the source whose chat intensity is notable (a spike)."""


# -- clips -------------------------------------------------------------------------------------


class ClipCreate(Request):
    source_id: Id
    mode: Literal["span", "auto"] = "span"
    start: Seconds | None = None
    """Span mode: seconds from the start of the source."""
    end: Seconds | None = None
    count: Annotated[int, Meta(ge=1, le=10)] = 1
    """Auto mode: how many of the best moments to clip."""
    title: Title = ""
    template: TemplateName = ""
    captions: CaptionStyleName = ""
    aspect: AspectName = ""
    """Output aspect ratio: 9:16 (1080x1920), 1:1 (1080x1080) or 16:9 (1920x1080); empty:
    the template's. Kept with the clip, so a re-render keeps it."""
    """Caption style: bold-pop, lower-third, boxed or none; empty: the template's."""


class ClipUpdate(Request):
    title: Title | None = None
    template: TemplateName | None = None
    start: Seconds | None = None
    """A new start, in seconds of the source (a trim, or an extension); with ``end``."""
    end: Seconds | None = None
    """A new end, in seconds of the source; with ``start``. A ready clip is rendered again."""


class PostCreate(Request):
    platform: Literal["youtube", "tiktok"]
    privacy: Annotated[str, Meta(max_length=32)] = ""
    """The platform's own word: YouTube public/unlisted/private, TikTok public_to_everyone,
    follower_of_creator, mutual_follow_friends or self_only; empty: the configured default."""
    publish_at: datetime | None = None
    """RFC 3339 with a timezone, in the future: the post goes out then (it is ``scheduled``
    until then and may be cancelled); absent: at once."""
    title: Annotated[str, Meta(max_length=100)] = ""
    """This post's title instead of the clip's."""
    description: Annotated[str, Meta(max_length=5000)] = ""
    """This post's description instead of the generated one."""
    again: bool = False
    """Post once more although the clip already has a post on the platform (otherwise that
    post comes back)."""


class ScoreOut(msgspec.Struct, kw_only=True):
    total: float
    explanation: str
    values: dict[str, float]
    weights: dict[str, float]


class WordOut(msgspec.Struct, kw_only=True):
    text: str
    start: float
    end: float


class TranscriptOut(msgspec.Struct, kw_only=True):
    text: str
    language: str
    words: list[WordOut]


class VotesOut(msgspec.Struct, kw_only=True):
    up: int
    down: int
    net: int


class PostOut(msgspec.Struct, kw_only=True):
    id: str
    clip_id: str
    platform: str
    status: Literal["scheduled", "pending", "posting", "posted", "failed", "cancelled"]
    publish_at: datetime | None
    """When a scheduled post goes out; null: at once."""
    url: str | None
    """The video on the platform, once posted."""
    error: str | None
    """Why the post failed (the platform's reason), if it did."""
    last_error: str
    """The same reason, "" when none (kept for older clients)."""
    created_at: datetime


class PostList(msgspec.Struct, kw_only=True):
    items: list[PostOut]


class JobOut(msgspec.Struct, kw_only=True):
    id: str
    type: str
    status: str
    attempts: int
    max_attempts: int
    last_error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobList(msgspec.Struct, kw_only=True):
    items: list[JobOut]


class ClipOut(msgspec.Struct, kw_only=True):
    id: str
    source_id: str
    status: str
    origin: str
    start: float
    end: float
    title: str
    template: str
    score: float | None
    created_at: datetime


class ClipUpdated(ClipOut, kw_only=True):
    rerendering: bool
    """True when the change alters the video: the clip is rendered again (status
    ``polishing``) and its media is replaced when the new render is ready."""


class ClipDetailOut(msgspec.Struct, kw_only=True):
    id: str
    source_id: str
    status: str
    origin: str
    start: float
    end: float
    title: str
    template: str
    caption_style: str
    """The caption style asked for with the clip; empty: the template's."""
    aspect: str
    """The aspect ratio asked for with the clip; empty: the template's."""
    created_at: datetime
    score: ScoreOut | None
    transcript: TranscriptOut | None
    captions: list[str]
    tags: list[str]
    description: str
    hashtags: list[str]
    media: dict[str, str]
    votes: VotesOut
    posts: list[PostOut]
    job: JobOut | None
    attempts: int
    last_error: str
    share_url: str | None
    """The public share page (``POST /clips/{id}/share``); null while not shared."""


class ShareOut(msgspec.Struct, kw_only=True):
    url: str
    """The share page: anyone with this link may watch the clip, until it is unshared."""


class ClipPage(msgspec.Struct, kw_only=True):
    items: list[ClipOut]
    next_cursor: str | None
    """Pass as ``after`` for the next page; null on the last page."""


class CreatedClips(msgspec.Struct, kw_only=True):
    items: list[ClipOut]
    analysis: JobOut | None = None
    """Auto mode on a source not analysed yet (202): the job that analyses it, then clips."""


# -- oauth, health -----------------------------------------------------------------------------


class OAuthStartOut(msgspec.Struct, kw_only=True):
    authorize_url: str


class LinkedAccountOut(msgspec.Struct, kw_only=True):
    provider: str
    provider_user_id: str
    scopes: list[str]
    expires_at: datetime | None
    linked_at: datetime


class LinkedAccounts(msgspec.Struct, kw_only=True):
    items: list[LinkedAccountOut]
    providers: list[str]
    """Providers this deployment can link."""


class HealthOut(msgspec.Struct, kw_only=True):
    status: str
    checks: dict[str, str]


class WorkerOut(msgspec.Struct, kw_only=True):
    id: str
    """Random per worker process (its log says ``worker started: id …``); no host is named."""
    queues: list[str]
    """The job types it takes."""
    threads: dict[str, int]
    """Threads per queue group it runs (``media``, ``publish``, ``chat``)."""
    started_at: datetime
    last_beat: datetime


class WorkersOut(msgspec.Struct, kw_only=True):
    alive: int
    items: list[WorkerOut]
    note: str
    """Empty, or why there is none (e.g. "no worker is alive: jobs wait in the queue …")."""


class ReadyOut(HealthOut, kw_only=True):
    chat_replies: list[str]
    """The chat platforms ClipBOT can answer on (those with bot credentials); information,
    not a check: a platform missing here does not make ClipNET unready."""
    workers: WorkersOut
    """The live job workers, by their heartbeats; information, not a check: the API is ready
    with no worker (jobs wait in the queue)."""


class ProblemOut(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details."""

    type: str
    """``/problems/<kind>``: stable, switch on it."""
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, str]] | None = None
    """For ``validation-failed``: what was wrong, field by field."""
