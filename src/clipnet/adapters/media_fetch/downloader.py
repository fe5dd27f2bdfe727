"""Streaming a source's media into a local file through the guarded HTTP client: one media
file, or an HLS playlist's segments one after another (Twitch and Kick VODs are HLS).

Nothing is ever held whole in memory: the body goes to disk as it arrives, and the size
cap is enforced both on ``Content-Length`` (before any byte is read) and on the bytes as they
arrive (a body without a length, or one that lies about it).
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import BinaryIO

import httpx

from clipnet.adapters.media_fetch.guarded_http import GuardedHttp, host_of
from clipnet.ports.media import MediaError
from clipnet.ports.media_fetch import FetchInterrupted, Progress, RemoteMedia

#: An HLS playlist is text; a bigger one is not a playlist.
MAX_PLAYLIST_BYTES = 8 * 1024 * 1024
#: Content types that are never a video (a page, an error, a document).
_NOT_MEDIA = re.compile(r"^(text/|application/(json|xml|xhtml\+xml|javascript|pdf)\b)")
_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


class HttpMediaDownloader:
    def __init__(self, http: GuardedHttp) -> None:
        self._http = http

    def download(self, media: RemoteMedia, dest: Path, max_bytes: int, progress: Progress) -> Path:
        try:
            with dest.open("wb") as out:
                if media.playlist:
                    self._playlist(media, out, max_bytes, progress)
                else:
                    _Copy(out, max_bytes, media.size, progress).body(
                        self._http, media.url, dict(media.headers), sniff=True
                    )
        except BaseException:
            dest.unlink(missing_ok=True)  # a refused or broken download leaves nothing
            raise
        return dest

    def _playlist(
        self, media: RemoteMedia, out: BinaryIO, max_bytes: int, progress: Progress
    ) -> None:
        headers = dict(media.headers)
        url, lines = self._read_playlist(media.url, headers)
        variants = playlist_variants(url, lines)
        if variants:  # a master playlist: the best variant's media playlist
            url, lines = self._read_playlist(variants[-1], headers)
        segments = playlist_segments(url, lines)
        if not segments:
            raise MediaError(f"{host_of(url)}: the HLS playlist lists no segments")
        copy = _Copy(out, max_bytes, 0, progress)
        for done, segment in enumerate(segments):
            copy.body(self._http, segment, headers, sniff=False)
            progress(copy.written, int(copy.written * len(segments) / (done + 1)))

    def _read_playlist(self, url: str, headers: dict[str, str]) -> tuple[str, list[str]]:
        with contextlib.closing(self._http.open(url, headers)) as response:
            _require_ok(response)
            raw = b""
            for chunk in response.iter_bytes():
                raw += chunk
                if len(raw) > MAX_PLAYLIST_BYTES:
                    raise MediaError(f"{host_of(url)}: the HLS playlist is too big")
            final = str(response.url)
        text = raw.decode("utf-8", "replace")
        if not text.lstrip("\ufeff").startswith("#EXTM3U"):
            raise MediaError(f"{host_of(url)}: not an HLS playlist")
        return final, [line.strip() for line in text.splitlines()]


class _Copy:
    """Bytes from one or more bodies into ``out``, counted against the cap."""

    def __init__(self, out: BinaryIO, max_bytes: int, total: int, progress: Progress) -> None:
        self._out = out
        self._max = max_bytes
        self._total = total
        self._progress = progress
        self.written = 0

    def body(self, http: GuardedHttp, url: str, headers: dict[str, str], *, sniff: bool) -> None:
        with contextlib.closing(http.open(url, headers)) as response:
            _require_ok(response)
            if sniff:
                _require_media_type(response)
            length = _content_length(response)
            if self.written + length > self._max:
                raise _over_cap(response, self.written + length, self._max)
            total = self._total or (length if sniff else 0)
            try:
                # pieces as they arrive (a chunk size would hold them back until it filled)
                for piece in response.iter_bytes():
                    if sniff and self.written == 0:
                        _require_media_start(response, piece)
                    self.written += len(piece)
                    if self.written > self._max:
                        raise _over_cap(response, self.written, self._max, at_least=True)
                    self._out.write(piece)
                    self._progress(self.written, total)
            except httpx.TransportError as error:
                raise FetchInterrupted(f"{host_of(url)}: the transfer broke off: {error}") from None


def _require_ok(response: httpx.Response) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise FetchInterrupted(f"{response.url.host}: the server answered {status}")
    if status >= 300:
        raise MediaError(f"{response.url.host}: the server answered {status} for {response.url}")


def _require_media_type(response: httpx.Response) -> None:
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if _NOT_MEDIA.match(kind):
        raise MediaError(f"{response.url}: not a video file (the server sent {kind})")


def _require_media_start(response: httpx.Response, first: bytes) -> None:
    """A body that starts like markup is a page, whatever its content type says."""
    if first.lstrip()[:1] == b"<":
        raise MediaError(f"{response.url}: not a video file (the server sent a page)")


def _content_length(response: httpx.Response) -> int:
    try:
        return max(0, int(response.headers.get("content-length", "0")))
    except ValueError:
        return 0


def _over_cap(
    response: httpx.Response, size: int, cap: int, *, at_least: bool = False
) -> MediaError:
    more = "more than " if at_least else ""
    return MediaError(
        f"{response.url.host}: the media is {more}{size} bytes, over the limit of {cap}"
        " (CLIPNET_MAX_SOURCE_BYTES)"
    )


def playlist_variants(base: str, lines: list[str]) -> list[str]:
    """A master playlist's variant URLs, lowest bandwidth first (none in a media playlist)."""
    found: list[tuple[int, str]] = []
    for here, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            bandwidth = int(_attributes(line).get("BANDWIDTH", "0") or 0)
            uri = next((x for x in lines[here + 1 :] if x and not x.startswith("#")), "")
            if uri:
                found.append((bandwidth, str(httpx.URL(base).join(uri))))
    return [url for _, url in sorted(found, key=lambda pair: pair[0])]


def playlist_segments(base: str, lines: list[str]) -> list[str]:
    """A media playlist's URLs in play order: its init section (fMP4), then its segments."""
    urls: list[str] = []
    for line in lines:
        if line.startswith("#EXT-X-KEY:") and _attributes(line).get("METHOD", "NONE") != "NONE":
            raise MediaError(f"{host_of(base)}: encrypted HLS streams cannot be fetched")
        if line.startswith("#EXT-X-BYTERANGE"):  # parts of one file: not fetched piecewise
            raise MediaError(f"{host_of(base)}: byte-range HLS playlists cannot be fetched")
        if line.startswith("#EXT-X-MAP:") and "URI" in (attributes := _attributes(line)):
            urls.append(str(httpx.URL(base).join(attributes["URI"])))
        elif line and not line.startswith("#"):
            urls.append(str(httpx.URL(base).join(line)))
    return urls


def _attributes(line: str) -> dict[str, str]:
    listed = line.split(":", 1)[1] if ":" in line else ""
    return {name: value.strip('"') for name, value in _ATTRIBUTE.findall(listed)}
