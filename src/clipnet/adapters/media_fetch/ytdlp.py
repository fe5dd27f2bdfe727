"""Resolving a VOD page (Twitch VODs and clips, YouTube, Kick, and yt-dlp's generic extractor
for any page with a video) to the media it stands for, with yt-dlp's Python API.

yt-dlp only resolves here (``extract_info(download=False)``); the guarded downloader fetches
what it picked. Every request yt-dlp makes while resolving goes through :class:`GuardedRH`,
a yt-dlp request handler that sends it with the guarded client, so a page's redirects and
API calls pass the SSRF guard like the download does.
"""

from __future__ import annotations

import functools
import io
from typing import Any

import httpx
import yt_dlp
from yt_dlp.networking.common import Request, RequestHandler, Response
from yt_dlp.networking.exceptions import HTTPError, RequestError, TransportError

from clipnet.adapters.media_fetch.guarded_http import GuardedHttp
from clipnet.domain.shared.errors import InvalidInput
from clipnet.ports.media import MediaError
from clipnet.ports.media_fetch import FetchInterrupted, RemoteMedia

#: One file with picture and sound, 1080p at most (plenty for 1080x1920 clips), from a
#: progressive download or an HLS playlist, the two kinds the downloader fetches.
FORMAT = (
    "b[height<=?1080][protocol~='^(https?|m3u8|m3u8_native)$']"
    "/b[protocol~='^(https?|m3u8|m3u8_native)$']"
)
_PLAYLIST_PROTOCOLS = ("m3u8", "m3u8_native")
_DROPPED_HEADERS = ("content-encoding", "content-length")  # the body is handed over decoded


class YtDlpResolver:
    def __init__(self, http: GuardedHttp) -> None:
        self._http = http

    def resolve(self, url: str) -> RemoteMedia:
        trip = _Trip()
        params: dict[str, Any] = {
            "quiet": True,
            "no_warnings": True,
            "noplaylist": True,
            "format": FORMAT,
            "logger": _Silent(),
            "noprogress": True,
        }
        try:
            with _GuardedYoutubeDL(params, self._http, trip) as ydl:
                info = ydl.extract_info(url, download=False)
        except yt_dlp.utils.YoutubeDLError as error:
            trip.raise_cause()
            raise MediaError(f"{url}: {_reason(error)}") from None
        return _chosen(url, ydl.sanitize_info(info))


def _chosen(url: str, info: Any) -> RemoteMedia:
    if not isinstance(info, dict):
        raise MediaError(f"{url}: no video found")
    if info.get("_type") == "playlist":
        entries = [e for e in info.get("entries") or [] if isinstance(e, dict)]
        if not entries:
            raise MediaError(f"{url}: the playlist holds no video")
        info = entries[0]
    media_url = info.get("url")
    if not isinstance(media_url, str) or not media_url:
        raise MediaError(f"{url}: no single file with picture and sound to download")
    headers = info.get("http_headers") or {}
    return RemoteMedia(
        url=media_url,
        title=str(info.get("title") or ""),
        duration=float(info.get("duration") or 0.0),
        size=int(info.get("filesize") or info.get("filesize_approx") or 0),
        playlist=str(info.get("protocol") or "") in _PLAYLIST_PROTOCOLS,
        headers={str(k): str(v) for k, v in headers.items()},
    )


def _reason(error: Exception) -> str:
    """yt-dlp's message on one line, without its ``ERROR: [generic]`` prefixes."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    text = text.removeprefix("ERROR: ").split(" (caused by ", 1)[0]
    return text.split("] ", 1)[1] if text.startswith("[") and "] " in text else text


class _Trip:
    """What made a guarded request fail, re-raised as itself once yt-dlp has given up
    (yt-dlp wraps every error in its own)."""

    def __init__(self) -> None:
        self.cause: Exception | None = None

    def raise_cause(self) -> None:
        if self.cause is not None:
            raise self.cause


class _GuardedYoutubeDL(yt_dlp.YoutubeDL):  # type: ignore[misc]
    """A YoutubeDL whose only request handler is :class:`GuardedRH`."""

    def __init__(self, params: dict[str, Any], http: GuardedHttp, trip: _Trip) -> None:
        self._guarded = (http, trip)
        super().__init__(params)

    @functools.cached_property
    def _request_director(self) -> Any:
        http, trip = self._guarded
        return self.build_request_director([functools.partial(GuardedRH, http=http, trip=trip)])


class GuardedRH(RequestHandler):  # type: ignore[misc]
    _SUPPORTED_URL_SCHEMES = ("http", "https")
    _SUPPORTED_PROXY_SCHEMES = ()
    _SUPPORTED_FEATURES = ()

    def __init__(self, *, http: GuardedHttp, trip: _Trip, **options: Any) -> None:
        super().__init__(**options)
        self._http = http
        self._trip = trip

    def _check_extensions(self, extensions: dict[str, Any]) -> None:
        super()._check_extensions(extensions)
        for name in ("cookiejar", "timeout", "legacy_ssl", "keep_header_casing"):
            extensions.pop(name, None)

    def _send(self, request: Request) -> Response:
        headers = dict(self._merge_headers(request.headers))
        data = request.data
        body = data if isinstance(data, bytes) or data is None else b"".join(data)
        try:
            answer = self._http.open(request.url, headers, method=request.method, body=body)
        except (InvalidInput, MediaError, FetchInterrupted) as error:
            self._trip.cause = error
            raise TransportError(str(error)) from None
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _DROPPED_HEADERS}
        response = Response(
            _Body(answer), str(answer.url), kept, answer.status_code, answer.reason_phrase
        )
        if answer.status_code >= 400:
            raise HTTPError(response)
        return response


class _Body(io.RawIOBase):
    """A streamed httpx answer as the file yt-dlp's Response reads from."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._chunks = response.iter_bytes()
        self._left = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes; all that is left for ``None`` or -1 (yt-dlp reads pages so)."""
        if size is None or size < 0:
            return self.readall()
        return super().read(size) or b""

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            try:
                self._left = next(self._chunks)
            except StopIteration:
                return 0
            except httpx.TransportError as error:
                raise RequestError(str(error)) from None
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size

    def close(self) -> None:
        self._response.close()
        super().close()


class _Silent:
    """yt-dlp's logger: quiet (errors come back as exceptions)."""

    def debug(self, _message: str) -> None: ...

    def info(self, _message: str) -> None: ...

    def warning(self, _message: str) -> None: ...

    def error(self, _message: str) -> None: ...
