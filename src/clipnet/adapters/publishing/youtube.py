"""Publishing on YouTube with the Data API v3 resumable upload.

    POST {base}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status
         {"snippet": …, "status": …}                 -> 200, Location: the session URL
    PUT  <session>  Content-Range: bytes A-B/TOTAL   -> 308 Range: bytes=0-B (more), 200 video
    PUT  <session>  Content-Range: bytes */TOTAL     -> where the session stands (after a failure)

Chunks are multiples of 256 KiB, as Google requires. After a failed chunk the adapter asks
the session how much it holds and goes on from there, so nothing is sent twice and a lost
answer to the last chunk does not make a second video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from clipnet.adapters.http_resilience import BoundedMemo, json_object
from clipnet.adapters.publishing.http import PlatformHttp, Transient, bearer_header
from clipnet.adapters.publishing.text import youtube_snippet
from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import Published, PublishError

CHUNK_UNIT = 256 * 1024
GAMING = "20"


#: The YouTube Data API's documented base URL (CLIPNET_YOUTUBE_API_BASE moves it).
YOUTUBE_API_BASE = "https://www.googleapis.com"


class YouTubePublisher:
    platform = Platform.YOUTUBE

    def __init__(
        self,
        http: PlatformHttp,
        *,
        base_url: str = "",
        privacy: str = "private",
        category_id: str = GAMING,
        chunk_size: int = 32 * CHUNK_UNIT,
    ) -> None:
        if chunk_size % CHUNK_UNIT:
            raise ValueError(f"YouTube chunks must be multiples of {CHUNK_UNIT} bytes")
        self._http = http
        self._base = (base_url or YOUTUBE_API_BASE).rstrip("/")  # "": the documented API
        self._privacy = privacy
        self._category = category_id
        self._chunk = chunk_size
        # This process's results of recent idempotency keys (a first line only: the Post
        # record is the guard across processes).
        self._done: BoundedMemo[str, Published] = BoundedMemo(1000)

    def publish(
        self, video: Path, metadata: ClipMetadata, account: OAuthAccount, idempotency_key: str
    ) -> Published:
        remembered = self._done.get(idempotency_key)
        if remembered is not None:
            return remembered
        headers = bearer_header(account, Platform.YOUTUBE, "YouTube")
        size = Path(video).stat().st_size
        if size == 0:
            raise PublishError(f"{video} is empty", permanent=True)
        session = self._start(metadata, size, headers)
        resource = self._upload(Path(video), size, session, headers)
        video_id = str(resource.get("id", ""))
        if not video_id:
            raise PublishError("YouTube accepted the upload but named no video id")
        published = Published(video_id, f"https://www.youtube.com/watch?v={video_id}")
        self._done.put(idempotency_key, published)
        return published

    def _start(self, metadata: ClipMetadata, size: int, headers: dict[str, str]) -> str:
        body = {
            "snippet": youtube_snippet(metadata, self._category),
            "status": {"privacyStatus": self._privacy, "selfDeclaredMadeForKids": False},
        }
        response = self._http.request(
            "POST",
            f"{self._base}/upload/youtube/v3/videos",
            "starting an upload",
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=body,
            headers={
                **headers,
                "X-Upload-Content-Length": str(size),
                "X-Upload-Content-Type": "video/mp4",
            },
        )
        location = str(response.headers.get("Location", ""))
        if not location:
            raise PublishError("YouTube started an upload without a session URL")
        return location

    def _upload(
        self, video: Path, size: int, session: str, headers: dict[str, str]
    ) -> dict[str, Any]:
        offset, failures = 0, 0
        with video.open("rb") as file:
            while True:
                file.seek(offset)
                chunk = file.read(self._chunk)
                last = offset + len(chunk) - 1
                try:
                    response = self._http.once(
                        "PUT",
                        session,
                        "uploading the video",
                        content=chunk,
                        headers={**headers, "Content-Range": f"bytes {offset}-{last}/{size}"},
                    )
                except Transient as failure:
                    failures += 1
                    self._http.pause(failure, failures, "uploading the video")
                    response = self._http.request(
                        "PUT",
                        session,
                        "asking how much of the upload arrived",
                        headers={**headers, "Content-Range": f"bytes */{size}"},
                    )
                finished = _finished(response)
                if finished is not None:
                    return finished
                offset = _next_offset(response)


def _finished(response: httpx.Response) -> dict[str, Any] | None:
    """The video resource when the session is complete; None while it wants more."""
    if response.status_code == 308:
        return None
    if response.status_code not in (200, 201):
        raise PublishError(f"YouTube answered the upload with HTTP {response.status_code}")
    return json_object(response, "YouTube", PublishError, what="the upload")


def _next_offset(response: httpx.Response) -> int:
    """Where to go on from a 308: after ``Range: bytes=0-N``; at 0 without one."""
    held = response.headers.get("Range", "")
    if not held:
        return 0
    try:
        return int(held.rpartition("-")[2]) + 1
    except ValueError:
        raise PublishError(f"YouTube answered an unreadable Range: {held!r}") from None
