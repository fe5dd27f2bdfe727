"""Fetching a URL source's media into storage, once, before anything reads it.

The source keeps its URL; its media is stored under :func:`~.media.fetched_key` and read from
there like an upload's (``SourceMedia``). The download goes to a scratch folder (removed when
it ends; a worker killed mid-download leaves one that the next start sweeps away), is probed
(so a page or a text file served as "the video" is refused), and only then stored: a failed
or refused fetch stores nothing, and a retried job starts the download again cleanly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.sources.media import fetched_key
from clipnet.domain.sources.model import REMOTE_KINDS, Source
from clipnet.domain.sources.url_guard import UrlGuard
from clipnet.ports.media import MediaError, MediaProcessor
from clipnet.ports.media_fetch import MediaDownloader, MediaResolver, RemoteMedia
from clipnet.ports.storage import ObjectStorage

Share = Callable[[float], None]
"""The download's share done, 0 to 1 (called only while the size is known)."""


@attrs.frozen
class FetchLimits:
    max_bytes: int = 8 * 1024**3
    max_seconds: float = 6 * 3600.0


class SourceFetcher:
    def __init__(
        self,
        guard: UrlGuard,
        resolver: MediaResolver,
        downloader: MediaDownloader,
        media: MediaProcessor,
        storage: ObjectStorage,
        limits: FetchLimits = FetchLimits(),
        scratch_dir: Path | None = None,
    ) -> None:
        self._guard = guard
        self._resolver = resolver
        self._downloader = downloader
        self._media = media
        self._storage = storage
        self._limits = limits
        self._scratch_dir = scratch_dir

    def ensure_stored(self, source: Source, share: Share) -> str:
        """The storage key of the source's media, downloading it first unless stored.

        Raises ``MediaError`` with a one-line reason for a refusal (the guard, a cap, no
        video), ``FetchInterrupted`` for a broken transfer (a retry may get past it).
        """
        key = fetched_key(source)
        if source.kind not in REMOTE_KINDS:
            raise ValueError(f"source {source.id} is a {source.kind.value} source, not a URL")
        if self._storage.exists(key):
            return key
        try:
            remote = self._resolver.resolve(self._guard.check(source.location))
            self._require_within_caps(source, remote)
            with scratch_folder("download", self._scratch_dir) as folder:
                path = self._downloader.download(
                    remote, folder / "media", self._limits.max_bytes, _shares(share)
                )
                self._require_video(source, path)
                self._storage.put(key, path)
        except InvalidInput as refused:  # the guard, on the source URL or any later hop
            raise MediaError(f"{source.location}: {refused}") from None
        share(1.0)
        return key

    def _require_within_caps(self, source: Source, remote: RemoteMedia) -> None:
        self._require_short_enough(source, remote.duration)
        if remote.size > self._limits.max_bytes:
            raise MediaError(
                f"{source.location}: {remote.size} bytes is over the limit of "
                f"{self._limits.max_bytes} (CLIPNET_MAX_SOURCE_BYTES)"
            )

    def _require_video(self, source: Source, path: Path) -> None:
        """The download is a video within the caps (the probe applies the media limits)."""
        try:
            info = self._media.probe(path)
        except MediaError:
            raise MediaError(f"{source.location}: what it serves is not a video") from None
        if not info.has_video or info.duration <= 0:
            raise MediaError(f"{source.location}: what it serves has no playable video")
        self._require_short_enough(source, info.duration)

    def _require_short_enough(self, source: Source, seconds: float) -> None:
        if seconds > self._limits.max_seconds:
            raise MediaError(
                f"{source.location}: {seconds:.0f} s is longer than the limit of "
                f"{self._limits.max_seconds:.0f} s (CLIPNET_MAX_SOURCE_SECONDS)"
            )


def _shares(share: Share) -> Callable[[int, int], None]:
    """Bytes so far of bytes in all, as a share (nothing while the total is unknown)."""

    def report(done: int, total: int) -> None:
        if total > 0:
            share(min(1.0, done / total))

    return report
