"""Sources: the long recordings (VODs, uploads, streams) that clips are cut from."""

from __future__ import annotations

import enum
from datetime import datetime
from urllib.parse import urlsplit

import attrs

from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.url_guard import host_allowed

SPAN_SLACK = 0.5
"""Seconds a requested span may run past a source's probed end (rounding, not content)."""


class SourceKind(enum.StrEnum):
    UPLOAD = "upload"
    """A file sent to ClipNET; ``location`` is a storage key."""
    URL = "url"
    """A recording at a URL of an allowed host."""
    TWITCH = "twitch"
    """A Twitch VOD or clip link."""
    YOUTUBE = "youtube"
    """A YouTube video link."""
    LOCAL = "local"
    """A file on the machine running ClipNET (the CLI)."""


REMOTE_KINDS = frozenset({SourceKind.URL, SourceKind.TWITCH, SourceKind.YOUTUBE})
"""Kinds whose ``location`` is a URL: their media is fetched into storage before use."""


_PLATFORM_HOSTS = {
    "twitch.tv": SourceKind.TWITCH,
    "youtube.com": SourceKind.YOUTUBE,
    "youtu.be": SourceKind.YOUTUBE,
}


def url_kind(url: str) -> SourceKind:
    """A URL source's kind: Twitch or YouTube by host (subdomains too), else a plain URL."""
    host = urlsplit(url).hostname or ""
    for platform_host, kind in _PLATFORM_HOSTS.items():
        if host_allowed(host, (platform_host,)):
            return kind
    return SourceKind.URL


class SourceStatus(enum.StrEnum):
    REGISTERED = "registered"
    ANALYZING = "analyzing"
    ANALYZED = "analyzed"
    FAILED = "failed"


@attrs.define(slots=False, eq=False)
class Source:
    """A recording that clips are cut from. Identity is ``id``."""

    id: str
    owner_id: str
    kind: SourceKind
    location: str
    """Storage key, URL or path, depending on ``kind``."""
    created_at: datetime
    duration: float = 0.0
    """Seconds; 0 until the media has been probed."""
    title: str = ""
    channel: str = ""
    """The platform channel this source belongs to (for bot commands), if any."""
    category: str = ""
    """The game or category streamed (Twitch's category, e.g. "Valorant"), when known: the
    first hashtag of its clips."""
    status: SourceStatus = SourceStatus.REGISTERED
    timeline: FeatureTimeline | None = None
    """Per-second features from the analysis pass, once done."""
    last_error: str = ""
    version: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Source) and self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    def same_state_as(self, other: Source) -> bool:
        return attrs.asdict(self, recurse=False) == attrs.asdict(other, recurse=False)

    def span_within(self, span: TimeSpan) -> TimeSpan:
        """``span`` clamped to this source (unchanged while the duration is unknown)."""
        return span.clamp_to(self.duration) if self.duration > 0 else span

    def require_within(self, span: TimeSpan) -> TimeSpan:
        """``span`` itself, if it lies in this source (within :data:`SPAN_SLACK`, as probed
        durations are rounded); else ``InvalidInput`` saying how long the source is."""
        if self.duration > 0 and span.end > self.duration + SPAN_SLACK:
            raise InvalidInput(
                f"the span ends at {span.end:g} s but the source is only {self.duration:.1f} s"
                f" long; end it at {self.duration:.1f} s at the latest"
            )
        return self.span_within(span)

    def record_probe(self, duration: float) -> None:
        if duration <= 0:
            raise InvalidInput(f"source {self.id} has no playable duration")
        self.duration = duration

    def start_analysis(self) -> None:
        """The analysis pass has begun (it may have begun before: a redelivered job)."""
        self.status = SourceStatus.ANALYZING
        self.last_error = ""

    def record_analysis(self, timeline: FeatureTimeline) -> None:
        self.timeline = timeline
        self.status = SourceStatus.ANALYZED
        self.last_error = ""

    def record_failure(self, error: str) -> None:
        self.status = SourceStatus.FAILED
        self.last_error = error
