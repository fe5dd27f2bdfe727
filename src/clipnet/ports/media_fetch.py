"""Fetching a source's media from a URL: a VOD page (Twitch, YouTube, Kick) or a media file.

Two steps, two ports: a :class:`MediaResolver` turns the URL a user gave into the media it
stands for (yt-dlp knows the platforms' pages), and a :class:`MediaDownloader` streams that
media into a local file. Every URL either of them opens (redirects included) passes the SSRF
guard first; a URL it refuses raises the guard's own error (``InvalidInput``). Other refusals
(a cap, a body that is not media, a page without a video) raise ``MediaError``; a transfer
that broke off raises :class:`FetchInterrupted`, which a retry may get past.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import attrs


@attrs.frozen
class RemoteMedia:
    """One playable file (or HLS playlist) that a source URL stands for."""

    url: str
    """The media's own URL: a file, or an HLS media playlist when ``playlist``."""
    title: str = ""
    duration: float = 0.0
    """Seconds, as the page says; 0 when unknown (the download is probed instead)."""
    size: int = 0
    """Bytes, as the page says; 0 when unknown (the download counts instead)."""
    playlist: bool = False
    """``url`` is an HLS playlist whose segments make up the media."""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    """Request headers the media's host wants (yt-dlp's ``http_headers``)."""


class FetchInterrupted(Exception):
    """The transfer broke off (network error, 5xx): trying again later may work."""


Progress = Callable[[int, int], None]
"""``(bytes so far, bytes in all or 0 when unknown)``, called as a download goes."""

UrlCheck = Callable[[str], str]
"""The SSRF guard for one hop: the URL back if it may be opened; raises otherwise."""


class MediaResolver(Protocol):
    def resolve(self, url: str) -> RemoteMedia:
        """The media ``url`` stands for (a direct media URL stands for itself). Raises
        ``MediaError`` when there is none (an unsupported page, a page without a video)."""


class MediaDownloader(Protocol):
    def download(self, media: RemoteMedia, dest: Path, max_bytes: int, progress: Progress) -> Path:
        """Stream ``media`` into ``dest``, never more than ``max_bytes``; ``MediaError`` for a
        refusal (nothing is left at ``dest``), :class:`FetchInterrupted` for a broken transfer."""
